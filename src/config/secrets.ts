// Secrets are never written in config files: `{ env: NAME }` or `{ file: PATH }` only.
// Neither the checks nor the errors here ever contain a secret's value.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FramError } from '../errors.js';
import { isPlainObject, type Path, type Reporter } from './issues.js';
import type { ReadSecret, SecretRef } from '../transports/transport.js';

export type { SecretRef };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORMS = 'must be { env: NAME } or { file: PATH }';

/**
 * Checks a secret reference. An inline value is refused without repeating it. A relative
 * `file` resolves against the config dir.
 */
export function parseSecretRef(raw: unknown, at: Path, rep: Reporter, configDir: string): SecretRef | undefined {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    rep.add(at, `${FORMS}; secrets may not be written inline in a config file`);
    return undefined;
  }
  if (!isPlainObject(raw)) {
    rep.add(at, FORMS);
    return undefined;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1 || (keys[0] !== 'env' && keys[0] !== 'file')) {
    rep.add(at, `${FORMS} (exactly one of the two keys)`);
    return undefined;
  }
  const value = raw[keys[0]];
  if (typeof value !== 'string' || value.trim() === '') {
    rep.add([...at, keys[0]], 'must be a non-empty name');
    return undefined;
  }
  if (keys[0] === 'env') {
    if (!ENV_NAME.test(value)) {
      rep.add([...at, 'env'], 'must be an environment variable name (letters, digits, _)');
      return undefined;
    }
    return { env: value };
  }
  return { file: path.resolve(configDir, value) };
}

/** 5017: the secret a run needs is not there. Names where it was looked for, never a value. */
function missing(secret: string, reason: string, cause?: unknown): FramError {
  return new FramError(5017, { secret, reason }, cause === undefined ? {} : { cause });
}

function readSecretFile(file: string, via?: string): string {
  const secret = via ? `file ${file} (named by ${via})` : `file ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const reason =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder, not a file'
            : `it cannot be read (${code})`;
    throw missing(secret, reason, err);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw missing(secret, 'the file is empty');
  return value;
}

/**
 * Reads a secret when a run needs it. `{ env: NAME }` reads NAME, or, when NAME is unset or empty,
 * the file named by NAME_FILE (the Docker secrets convention). File contents lose one trailing
 * newline. A secret that is not there is FramError 5017 naming the variable or file, never the value.
 */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value !== undefined && value !== '') return value;
    const file = env[`${ref.env}_FILE`];
    if (file) return readSecretFile(file, `${ref.env}_FILE`);
    throw missing(`environment variable ${ref.env} (or ${ref.env}_FILE)`, 'it is unset or empty');
  }
  return readSecretFile(ref.file);
}

/** The `ReadSecret` a process hands its transports (createConnect): every secret read from `env` when a connection needs it. */
export function secretReader(env: NodeJS.ProcessEnv): ReadSecret {
  return (ref) => readSecret(ref, env);
}
