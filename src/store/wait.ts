// Writing while another process holds the store (SPEC 3 `--wait`, 10 "Writers"). SQLite has one
// writer at a time; a write that finds the store busy is tried again after a pause, never thrown at
// once. Each attempt gives up after a short busy timeout instead of the connection's, so a daemon's
// event loop (its HTTP side) is never blocked for long, and the pauses between attempts are timers.

import { FramError, isBusy } from '../errors.js';
import { openDb, type Db } from './db.js';
import type { Logger } from '../log.js';

/** How long one attempt lets SQLite wait for the lock itself. */
const ATTEMPT_MS = 100;
const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;

export interface StoreWaitOptions {
  /** How long a write keeps trying before it fails with 5018; Infinity: until `signal` aborts. */
  waitMs: number;
  /** Aborted: the wait ends with 5014 (the process is stopping). The first attempt is always made. */
  signal?: AbortSignal;
  /** Called the first time one write finds the store busy: a log line, or a CLI's note on stderr. */
  onBusy?: (what: string) => void;
  /** Where `background` writes report a failure. */
  log?: Logger;
}

export interface StoreWait {
  /**
   * Runs `write`, trying again while the store is busy. `write` must be safe to repeat: one
   * statement or one whole transaction (a busy one is rolled back before it is tried again).
   */
  run<T>(what: string, write: () => T): Promise<T>;
  /** The same, for a write nobody waits for: its failure is logged, never thrown. */
  background(what: string, write: () => void): void;
}

export function createStoreWait(db: Db, opts: StoreWaitOptions): StoreWait {
  const attempt = <T>(write: () => T): T => {
    // Inside our own open transaction the write already holds the lock (or the transaction fails as a whole).
    if (db.inTransaction) return write();
    const before = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma(`busy_timeout = ${ATTEMPT_MS}`);
    try {
      return write();
    } finally {
      db.pragma(`busy_timeout = ${before}`);
    }
  };

  async function run<T>(what: string, write: () => T): Promise<T> {
    const started = Date.now();
    let pause = FIRST_PAUSE_MS;
    let told = false;
    for (;;) {
      try {
        return attempt(write);
      } catch (e) {
        if (!isBusy(e)) throw e;
        if (!told) {
          told = true;
          opts.onBusy?.(what);
        }
        const left = opts.waitMs - (Date.now() - started);
        if (left <= 0) throw new FramError(5018, { seconds: Math.round(opts.waitMs / 1000) }, { cause: e });
        if (opts.signal?.aborted) throw new FramError(5014, {}, { cause: e });
        await sleep(Math.min(pause, left), opts.signal);
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    }
  }

  return {
    run,
    background(what, write) {
      run(what, write).catch((e: unknown) => {
        opts.log?.error({ what, err: (e as Error)?.message ?? String(e) }, 'store:write-failed');
      });
    },
  };
}

/**
 * Opens the store for the daemon, waiting while another process holds it (a pending migration needs
 * the write lock). Only busy is waited out; anything else (5020: a path it may not write) throws.
 */
export async function openDbWhenFree(path: string, opts: { signal?: AbortSignal; onBusy?: () => void }): Promise<Db> {
  let told = false;
  for (;;) {
    try {
      return openDb(path);
    } catch (e) {
      if (!isBusy(e) || opts.signal?.aborted) throw e;
      if (!told) {
        told = true;
        opts.onBusy?.();
      }
      await sleep(MAX_PAUSE_MS, opts.signal);
    }
  }
}

/** A wait that ends early when the signal aborts (the caller then sees the abort on its next check). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
