// Counts over the runs table for /metrics, and each import's latest run for the imports listing.

import type { Db } from './db.js';

export interface RunCount {
  import: string;
  mode: string;
  status: string;
  n: number;
}
export interface LineTotals {
  import: string;
  new: number;
  ended: number;
  removed: number;
  existing: number;
  errors: number;
  warnings: number;
}
export interface LastSuccess {
  import: string;
  at: string;
}

export interface RunMetrics {
  /** Runs by import, mode and status. */
  runs: RunCount[];
  /** Line outcomes summed over each import's real runs. */
  lines: LineTotals[];
  /** When each import's last successful real run finished (ISO). */
  lastSuccess: LastSuccess[];
  /** Batch entries waiting. */
  queued: number;
}

export function readRunMetrics(db: Db): RunMetrics {
  const runs = db
    .prepare(
      `SELECT import, mode, status, count(*) AS n FROM runs GROUP BY import, mode, status
    ORDER BY import, mode, status`,
    )
    .all() as RunCount[];
  const lines = db
    .prepare(
      `SELECT import, sum(new) AS new, sum(ended) AS ended, sum(removed) AS removed,
    sum(existing) AS existing, sum(errors) AS errors, sum(warnings) AS warnings FROM runs WHERE mode = 'run'
    GROUP BY import ORDER BY import`,
    )
    .all() as LineTotals[];
  const lastSuccess = db
    .prepare(
      `SELECT import, max(finished_at) AS at FROM runs WHERE mode = 'run' AND status = 'Successful'
    GROUP BY import ORDER BY import`,
    )
    .all() as LastSuccess[];
  const queued = db.prepare("SELECT count(*) FROM batch_queue WHERE state = 'queued'").pluck().get() as number;
  return { runs, lines, lastSuccess, queued };
}

export interface LatestRun {
  id: number;
  mode: 'test' | 'run';
  status: string;
  startedAt: string;
  finishedAt: string | null;
}

/** Each import's latest run (test or real), by import name as the runs table holds it. */
export function latestRuns(db: Db): Map<string, LatestRun> {
  const rows = db
    .prepare(
      `SELECT r.import, r.id, r.mode, r.status, r.started_at AS startedAt, r.finished_at AS finishedAt
    FROM runs r WHERE r.id = (SELECT max(id) FROM runs WHERE import = r.import) ORDER BY r.import`,
    )
    .all() as (LatestRun & { import: string })[];
  return new Map(rows.map(({ import: name, ...run }) => [name, run]));
}
