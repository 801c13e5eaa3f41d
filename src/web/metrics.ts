// GET /metrics in the Prometheus text format (0.0.4), read from the store at scrape time.

import type { Db } from '../store/db.js';

export interface MetricsExtra {
  /** Runs waiting in memory (scheduled, manual) on top of the batch queue. */
  waiting: number;
  configValid: boolean;
}

const OUTCOMES = ['new', 'ended', 'removed', 'existing', 'errors', 'warnings'] as const;
const OUTCOME_LABEL: Record<(typeof OUTCOMES)[number], string> = {
  new: 'new', ended: 'ended', removed: 'removed', existing: 'existing', errors: 'error', warnings: 'warning',
};

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function metric(out: string[], name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
}

export function renderMetrics(db: Db, extra: MetricsExtra): string {
  const out: string[] = [];
  const runs = db.prepare(`SELECT import, mode, status, count(*) AS n FROM runs GROUP BY import, mode, status
    ORDER BY import, mode, status`).all() as { import: string; mode: string; status: string; n: number }[];
  metric(out, 'fram_runs', 'gauge', 'Runs in the store (retention prunes old ones), by import, mode and status.',
    runs.map((r) => [`{import="${label(r.import)}",mode="${r.mode}",status="${r.status}"}`, r.n]));

  const lines = db.prepare(`SELECT import, sum(new) AS new, sum(ended) AS ended, sum(removed) AS removed,
    sum(existing) AS existing, sum(errors) AS errors, sum(warnings) AS warnings FROM runs WHERE mode = 'run'
    GROUP BY import ORDER BY import`).all() as ({ import: string } & Record<(typeof OUTCOMES)[number], number>)[];
  metric(out, 'fram_lines', 'gauge', 'Line outcomes of the real runs in the store, by import and outcome.',
    lines.flatMap((r) => OUTCOMES.map((o): [string, number] => [`{import="${label(r.import)}",outcome="${OUTCOME_LABEL[o]}"}`, r[o]])));

  const last = db.prepare(`SELECT import, max(finished_at) AS at FROM runs WHERE mode = 'run' AND status = 'Successful'
    GROUP BY import ORDER BY import`).all() as { import: string; at: string }[];
  metric(out, 'fram_last_success_timestamp_seconds', 'gauge', 'When the last successful real run of each import finished (Unix time).',
    last.map((r) => [`{import="${label(r.import)}"}`, Math.floor(Date.parse(r.at) / 1000)]));

  const queued = (db.prepare("SELECT count(*) AS n FROM batch_queue WHERE state = 'queued'").get() as { n: number }).n;
  metric(out, 'fram_queue_length', 'gauge', 'Runs waiting: the batch queue plus scheduled and manual runs not yet started.',
    [['', queued + extra.waiting]]);
  metric(out, 'fram_config_valid', 'gauge', '1 when the config dir as last read is valid (an invalid change keeps the previous config).',
    [['', extra.configValid ? 1 : 0]]);
  return `${out.join('\n')}\n`;
}
