// The writes of a command or service: each one transaction that takes the write lock before it starts
// (so nothing inside it can meet a busy store), tried again while another process holds the store.

import type { Db } from './db.js';
import { createStoreWait, type StoreWait, type StoreWaitOptions } from './wait.js';

export interface Writer {
  /** `work` in one write transaction; 5018 after `waitMs` of a busy store, 5014 when `signal` aborts the wait. */
  write<T>(what: string, work: () => T): Promise<T>;
  /** The wait alone, for work that makes its own transactions (reaping, retention) and for the daemon's worker. */
  wait: StoreWait;
}

export function createWriter(db: Db, opts: StoreWaitOptions): Writer {
  const wait = createStoreWait(db, opts);
  return { wait, write: (what, work) => wait.run(what, () => db.transaction(work).immediate()) };
}
