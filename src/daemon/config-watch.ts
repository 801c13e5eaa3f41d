// Watches the config dir (SPEC 10): a change takes effect without a restart, file by file. An
// invalid file is logged (`config:invalid`, with the file and the imports it touches); those
// imports keep their previous config, or stay disabled at start, and every other import takes the
// change (src/config/in-force.ts). Polls a cheap signature (names, sizes, times, inodes) every
// couple of seconds: it works the same on bind mounts and network volumes, where inotify events can
// be missing, and sees a Kubernetes ConfigMap's `..data` swap (new files behind the same names).

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { configInForce, loadConfig, type InForce } from '../config.js';
import type { Logger } from '../log.js';

/** The config in force, and the signature of the files it was read from. */
export type ConfigState = InForce & { signature: string };

/** Names, sizes, modified times and inodes of the YAML files under the config dir (links followed). */
export function configSignature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 2) walk(p, depth + 1);
      else if (/\.ya?ml$/i.test(e.name)) {
        try {
          const s = statSync(p);
          parts.push(`${p}:${s.size}:${s.mtimeMs}:${s.ino}`);
        } catch {
          parts.push(`${p}:gone`);
        }
      }
    }
  };
  walk(dir, 0);
  return parts.join('\n');
}

/** Reads the config dir into the config in force, logging each invalid file. */
export function loadInForce(dir: string, log: Logger, before: InForce | null): ConfigState {
  // Taken first: a file that changes while it is read changes the signature again, so it is read again.
  const signature = configSignature(dir);
  const result = loadConfig(dir);
  const next = configInForce(result, dir, before);
  if (!result.config)
    log.error({ file: dir, problems: result.problems, previousConfig: [...next.previous.keys()] }, 'config:invalid');
  for (const [file, problems] of result.invalidFiles) {
    const hit = next.affected.get(file) ?? { previousConfig: [], disabled: [] };
    log.error({ file, problems, previousConfig: hit.previousConfig, disabled: hit.disabled }, 'config:invalid');
  }
  return { ...next, signature };
}

export interface ConfigWatch {
  stop(): void;
  /** The config in force and the problems of the config dir as last read. */
  state(): ConfigState;
}

export function watchConfig(
  dir: string,
  initial: ConfigState,
  onChange: (next: ConfigState, before: ConfigState) => void,
  log: Logger,
  pollMs = 2000,
): ConfigWatch {
  let state = initial;
  const timer = setInterval(() => {
    // Nothing that goes wrong here may stop the daemon: the config in force stays.
    try {
      if (configSignature(dir) === state.signature) return;
      const before = state;
      state = loadInForce(dir, log, before);
      log.info(
        {
          imports: [...state.config.imports.keys()],
          ...(state.previous.size ? { previousConfig: [...state.previous.keys()] } : {}),
          ...(state.disabled.size ? { disabled: [...state.disabled.keys()] } : {}),
        },
        'config:reloaded',
      );
      onChange(state, before);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'config:watch-failed');
    }
  }, pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer), state: () => state };
}
