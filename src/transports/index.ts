// The registry of protocols: the only place that picks a concrete transport.

import type { ImportConfig } from '../config.js';
import { FramError } from '../errors.js';
import { connectLocal } from './local.js';
import { openFtps } from './ftps.js';
import { openSftp } from './sftp.js';
import { openSmb } from './smb.js';
import { checkNames } from './names.js';
import { interrupted, sleep as abortableSleep } from './transfer.js';
import { DEFAULT_CONNECT_OPTIONS, type ConnectOptions, type Opener, type Transport } from './transport.js';

/** Opens a connection for one import; `workDir` overrides the process's (a run keeps its client files in its own staging folder). */
export type Connect = (imp: ImportConfig, per?: { workDir?: string }) => Promise<Transport>;

const openers: Record<ImportConfig['protocol'], Opener> = {
  local: (imp, opts) => connectLocal(imp.directory, opts.signal),
  ftps: openFtps,
  sftp: openSftp,
  smb: openSmb,
};

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before the second attempt; it doubles after each failure. */
  firstDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, firstDelayMs: 2_000 };

/**
 * A `Connect` for one process: secrets come from `env`; `options.signal` (the process stopping)
 * ends connecting, the wait between attempts and every transfer at once, with 5014; `workDir` is
 * where a client keeps its private files. A failure the catalog marks retryable (could not
 * connect) is tried again with backoff; authentication and trust failures are not.
 */
export function createConnect(
  env: NodeJS.ProcessEnv,
  options: Partial<Omit<ConnectOptions, 'env'>> = {},
  retry: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
): Connect {
  const opts: ConnectOptions = { ...DEFAULT_CONNECT_OPTIONS, ...options, env };
  const { signal } = opts;
  return async (imp, per) => {
    const open = openers[imp.protocol];
    const these = per?.workDir ? { ...opts, workDir: per.workDir } : opts;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw interrupted();
      try {
        return checkNames(await open(imp, these));
      } catch (e) {
        if (signal?.aborted) throw e instanceof FramError && e.code === 5014 ? e : interrupted(e);
        const retryable = e instanceof FramError && e.retryable;
        if (!retryable || attempt >= retry.attempts) throw e;
        await sleep(retry.firstDelayMs * 2 ** (attempt - 1), signal);
      }
    }
  };
}
