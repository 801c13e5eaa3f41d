// What one import run needs of the store, built in one place from one handle: the repositories, the
// file's transaction and the busy waits. src/import/ runs no SQL and builds no store of its own.

import type { Db } from './db.js';
import { createEligibilityStore, type EligibilityStore } from './eligibility.js';
import { createFileDecisions, type FileDecisions } from './file-decisions.js';
import { loadHeldRecords, type HeldRecords } from './held-records.js';
import { createRunStore, type RunStore } from './runs.js';
import { studentKeys, type StudentKeys } from './students.js';
import { createStoreWait, type StoreWait, type StoreWaitOptions } from './wait.js';

/** One file's write transaction: everything a file changes is committed, or rolled back, at once. */
export interface FileTransaction {
  /** BEGIN IMMEDIATE, through `wait`: a store busy with another writer is waited out without blocking. */
  begin(): Promise<void>;
  /** Writes what the eligibility store still buffers, then commits. */
  commit(): void;
  /** Drops what the eligibility store buffers and rolls back; nothing to do when no transaction is open. */
  rollback(): void;
}

export interface ImportStores {
  runs: RunStore;
  eligibility: EligibilityStore;
  decisions: FileDecisions;
  /** A writer that waits out a busy store (src/store/wait.ts). */
  wait(opts: StoreWaitOptions): StoreWait;
  /** The roster's keys, for matching lines to students. */
  studentKeys(identifier: 'stateId' | 'studentNumber'): StudentKeys;
  /** What each student holds; read inside the file's transaction. */
  heldRecords(): HeldRecords;
  fileTransaction(wait: StoreWait): FileTransaction;
  /** How long one statement waits for another writer before it gives up, in seconds (5018's figure). */
  busyTimeoutSeconds(): number;
}

export function createImportStores(db: Db): ImportStores {
  const eligibility = createEligibilityStore(db);
  return {
    runs: createRunStore(db),
    eligibility,
    decisions: createFileDecisions(db),
    wait: (opts) => createStoreWait(db, opts),
    studentKeys: (identifier) => studentKeys(db, identifier),
    heldRecords: () => loadHeldRecords(db),
    fileTransaction: (wait) => ({
      begin: () =>
        wait.run('file:begin', () => {
          db.exec('BEGIN IMMEDIATE');
        }),
      commit() {
        eligibility.flush();
        db.exec('COMMIT');
      },
      rollback() {
        eligibility.discard();
        if (db.inTransaction) db.exec('ROLLBACK');
      },
    }),
    busyTimeoutSeconds: () => Math.round((db.pragma('busy_timeout', { simple: true }) as number) / 1000),
  };
}
