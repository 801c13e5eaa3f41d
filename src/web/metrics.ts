// GET /metrics in the Prometheus text format (0.0.4), from the store's counts read at scrape time.

import type { RunMetrics } from '../store/run-stats.js';

export interface MetricsExtra {
  /** Runs waiting in memory (scheduled, manual) on top of the batch queue. */
  waiting: number;
  configValid: boolean;
}

const OUTCOMES = ['new', 'ended', 'removed', 'existing', 'errors', 'warnings'] as const;
const OUTCOME_LABEL: Record<(typeof OUTCOMES)[number], string> = {
  new: 'new',
  ended: 'ended',
  removed: 'removed',
  existing: 'existing',
  errors: 'error',
  warnings: 'warning',
};

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function metric(out: string[], name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
}

export function renderMetrics(stats: RunMetrics, extra: MetricsExtra): string {
  const out: string[] = [];
  metric(
    out,
    'fram_runs',
    'gauge',
    'Runs in the store (retention prunes old ones), by import, mode and status.',
    stats.runs.map((r) => [`{import="${label(r.import)}",mode="${r.mode}",status="${r.status}"}`, r.n]),
  );
  metric(
    out,
    'fram_lines',
    'gauge',
    'Line outcomes of the real runs in the store, by import and outcome.',
    stats.lines.flatMap((r) =>
      OUTCOMES.map((o): [string, number] => [`{import="${label(r.import)}",outcome="${OUTCOME_LABEL[o]}"}`, r[o]]),
    ),
  );
  metric(
    out,
    'fram_last_success_timestamp_seconds',
    'gauge',
    'When the last successful real run of each import finished (Unix time).',
    stats.lastSuccess.map((r) => [`{import="${label(r.import)}"}`, Math.floor(Date.parse(r.at) / 1000)]),
  );
  metric(out, 'fram_queue_length', 'gauge', 'Runs waiting: the batch queue plus scheduled and manual runs not yet started.', [
    ['', stats.queued + extra.waiting],
  ]);
  metric(
    out,
    'fram_config_valid',
    'gauge',
    '1 when the config dir as last read is valid (an invalid change keeps the previous config).',
    [['', extra.configValid ? 1 : 0]],
  );
  return `${out.join('\n')}\n`;
}
