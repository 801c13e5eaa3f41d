// The batch queue (IC's Submit to Batch, SPEC 10): one-off runs persisted until a worker takes them.

import type { Db } from './db.js';

export interface BatchEntry {
  id: number;
  import: string;
  /** ISO instant. */
  runAt: string;
  highPriority: boolean;
  keep: boolean;
  test: boolean;
  submittedBy: string | null;
  submittedAt: string;
  state: 'queued' | 'running' | 'done';
  runId: number | null;
}

export type NewBatchEntry = Pick<
  BatchEntry,
  'import' | 'runAt' | 'highPriority' | 'keep' | 'test' | 'submittedBy' | 'submittedAt'
>;

interface Row {
  id: number;
  import: string;
  run_at: string;
  high_priority: number;
  keep: number;
  test: number;
  submitted_by: string | null;
  submitted_at: string;
  state: BatchEntry['state'];
  run_id: number | null;
}

const toEntry = (r: Row): BatchEntry => ({
  id: r.id,
  import: r.import,
  runAt: r.run_at,
  highPriority: r.high_priority === 1,
  keep: r.keep === 1,
  test: r.test === 1,
  submittedBy: r.submitted_by,
  submittedAt: r.submitted_at,
  state: r.state,
  runId: r.run_id,
});

export function createQueueStore(db: Db) {
  return {
    submit(e: NewBatchEntry): number {
      return Number(
        db
          .prepare(
            `INSERT INTO batch_queue (import, run_at, high_priority, keep, test, submitted_by, submitted_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(e.import, e.runAt, e.highPriority ? 1 : 0, e.keep ? 1 : 0, e.test ? 1 : 0, e.submittedBy, e.submittedAt)
          .lastInsertRowid,
      );
    },

    /** The entry to run next at `now`: due ones only, high priority first, then the earliest time, then the first submitted. */
    nextDue(now: Date): BatchEntry | null {
      const row = db
        .prepare(
          `SELECT * FROM batch_queue WHERE state = 'queued' AND run_at <= ?
        ORDER BY high_priority DESC, run_at, id LIMIT 1`,
        )
        .get(now.toISOString()) as Row | undefined;
      return row ? toEntry(row) : null;
    },

    /** When the earliest queued entry falls due (it may be in the past), or null when the queue is empty. */
    nextTime(): Date | null {
      const row = db.prepare("SELECT min(run_at) AS at FROM batch_queue WHERE state = 'queued'").get() as { at: string | null };
      return row.at ? new Date(row.at) : null;
    },

    /** Marks a queued entry running; false when it is no longer queued (cancelled, or taken by another worker). */
    start(id: number): boolean {
      return db.prepare("UPDATE batch_queue SET state = 'running' WHERE id = ? AND state = 'queued'").run(id).changes === 1;
    },

    finish(id: number, runId: number | null): void {
      db.prepare("UPDATE batch_queue SET state = 'done', run_id = ? WHERE id = ?").run(runId, id);
    },

    /** At start-up: an entry left running by a process that died is queued again (a run imports a file once either way). */
    requeueInterrupted(): number {
      return db.prepare("UPDATE batch_queue SET state = 'queued' WHERE state = 'running'").run().changes;
    },

    length(): number {
      return (db.prepare("SELECT count(*) AS n FROM batch_queue WHERE state = 'queued'").get() as { n: number }).n;
    },

    list(): BatchEntry[] {
      return (
        db.prepare("SELECT * FROM batch_queue WHERE state <> 'done' ORDER BY high_priority DESC, run_at, id").all() as Row[]
      ).map(toEntry);
    },
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
