// The registry of protocols: the only place that picks a concrete transport. Adding a protocol is
// its file (a `TransportDef`: its keys of an import file and its opener) and one line here.

import type { z } from 'zod';
import { FramError } from '../errors.js';
import { FTPS_PORTS } from './ftps-config.js';
import { ftpsTransport } from './ftps.js';
import { localTransport } from './local.js';
import { SFTP_PORT } from './sftp-config.js';
import { sftpTransport } from './sftp.js';
import { SMB_PORT } from './smb-config.js';
import { smbTransport } from './smb.js';
import { checkNames } from './names.js';
import { interrupted, sleep as abortableSleep } from './transfer.js';
import {
  DEFAULT_CONNECT_OPTIONS,
  type ConnectOptions,
  type Endpoint,
  type ReadSecret,
  type SecretRef,
  type Secrets,
  type Transport,
  type TransportDef,
} from './transport.js';

/** Every protocol, in the order messages name them. */
export const TRANSPORTS = [smbTransport, ftpsTransport, sftpTransport, localTransport] as const;

/** The ports used when an import gives none (docs/configuration.md); each protocol's settle() applies its own. */
export const DEFAULT_PORTS = {
  smb: SMB_PORT,
  ftpsImplicit: FTPS_PORTS.implicit,
  ftpsExplicit: FTPS_PORTS.explicit,
  sftp: SFTP_PORT,
} as const;

/** The zod branches, discriminated by `protocol`: config/import.ts composes them into the import schema. */
export type ProtocolBranch = (typeof TRANSPORTS)[number]['branch'];

export type Protocol = z.output<ProtocolBranch>['protocol'];
export const PROTOCOLS = TRANSPORTS.map((t) => t.protocol) as [Protocol, ...Protocol[]];

/** A branch's own keys (each branch separately). */
type Keys<B> = B extends unknown ? Omit<B, 'protocol'> : never;
/** The members of a union as one intersection: every protocol's keys together. */
type Merged<U> = (U extends unknown ? (u: U) => void : never) extends (m: infer M) => void ? M : never;
/** Every protocol's keys; below each is optional (an import leaves the other protocols' unset), and the `unknown` ones are secrets. */
type AllKeys = Merged<Keys<z.output<ProtocolBranch>>>;
type Plain<T> = { [K in keyof T as unknown extends T[K] ? never : K]?: T[K] };
type SecretKeys<T> = { [K in keyof T as unknown extends T[K] ? K : never]?: SecretRef };

/**
 * What `connect` reads of an import: its name and directory, its protocol's keys, and the secrets
 * those name, as references (read by the caller's `ReadSecret` when connecting).
 */
export type TransportConfig = Endpoint & { protocol: Protocol } & Plain<AllKeys> & SecretKeys<AllKeys>;

/** Opens a connection for one import; `workDir` overrides the process's (a run keeps its client files in its own staging folder). */
export type Connect = (imp: TransportConfig, per?: { workDir?: string }) => Promise<Transport>;

const byProtocol = new Map<string, TransportDef<unknown>>(TRANSPORTS.map((t) => [t.protocol, t as TransportDef<unknown>]));

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before the second attempt; it doubles after each failure. */
  firstDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, firstDelayMs: 2_000 };

/** The secrets the protocol declares, read when connecting: a missing one fails the attempt (5017). */
export function readSecrets(def: Pick<TransportDef<unknown>, 'secrets'>, imp: TransportConfig, readSecret: ReadSecret): Secrets {
  const values: Record<string, string> = {};
  for (const key of def.secrets) {
    const ref = (imp as unknown as Record<string, SecretRef | undefined>)[key];
    if (ref !== undefined) values[key] = readSecret(ref);
  }
  return values;
}

/**
 * A `Connect` for one process: `readSecret` (the caller's, config/secrets.ts) turns the import's
 * secret references into values; `options.signal` (the process stopping) ends connecting, the wait
 * between attempts and every transfer at once, with 5014; `workDir` is where a client keeps its
 * private files. A failure the catalog marks retryable (could not connect) is tried again with
 * backoff; authentication, trust and missing-secret failures are not.
 */
export function createConnect(
  readSecret: ReadSecret,
  options: Partial<ConnectOptions> = {},
  retry: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
): Connect {
  const opts: ConnectOptions = { ...DEFAULT_CONNECT_OPTIONS, ...options };
  const { signal } = opts;
  return async (imp, per) => {
    const def = byProtocol.get(imp.protocol);
    if (!def) throw new Error(`import '${imp.name}': no transport for protocol '${imp.protocol}'`);
    const these = per?.workDir ? { ...opts, workDir: per.workDir } : opts;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw interrupted();
      try {
        return checkNames(await def.open(imp, readSecrets(def, imp, readSecret), these));
      } catch (e) {
        if (signal?.aborted) throw e instanceof FramError && e.code === 5014 ? e : interrupted(e);
        const retryable = e instanceof FramError && e.retryable;
        if (!retryable || attempt >= retry.attempts) throw e;
        await sleep(retry.firstDelayMs * 2 ** (attempt - 1), signal);
      }
    }
  };
}
