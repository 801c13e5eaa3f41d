// The registry of protocols: the only place that picks a concrete transport.

import type { ImportConfig } from '../config.js';
import { FramError } from '../errors.js';
import { connectLocal } from './local.js';
import { openFtps } from './ftps.js';
import { openSftp } from './sftp.js';
import { openSmb } from './smb.js';
import { checkNames } from './names.js';
import { DEFAULT_CONNECT_OPTIONS, type ConnectOptions, type Opener, type Transport } from './transport.js';

export type Connect = (imp: ImportConfig) => Promise<Transport>;

const openers: Record<ImportConfig['protocol'], Opener> = {
  local: (imp) => connectLocal(imp.directory),
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
 * A `Connect` for one process: secrets come from `env`. A failure the catalog marks retryable
 * (could not connect) is tried again with backoff; authentication and trust failures are not.
 */
export function createConnect(
  env: NodeJS.ProcessEnv,
  options: Partial<Omit<ConnectOptions, 'env'>> = {},
  retry: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Connect {
  const opts: ConnectOptions = { ...DEFAULT_CONNECT_OPTIONS, ...options, env };
  return async (imp) => {
    const open = openers[imp.protocol];
    for (let attempt = 1; ; attempt++) {
      try {
        return checkNames(await open(imp, opts));
      } catch (e) {
        const retryable = e instanceof FramError && e.retryable;
        if (!retryable || attempt >= retry.attempts) throw e;
        await sleep(retry.firstDelayMs * 2 ** (attempt - 1));
      }
    }
  };
}
