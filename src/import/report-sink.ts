// Where a file's report rows go while its transaction is open. A real run writes its messages in
// that transaction (a rolled-back file loses them with its data), and its Updated Records are its
// change log, written by the eligibility store. A test run's transaction is always rolled back, so
// its rows wait in a spill file and are written after the rollback.

import { closeSync, createReadStream, openSync, unlinkSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReportRow, RunStore } from '../store/runs.js';
import type { EligibilityRecord, Problem, UpdateStatus } from '../domain/types.js';

export interface ReportSink {
  message(line: number, p: Problem): void;
  update(record: EligibilityRecord, status: UpdateStatus): void;
  /** Called after the file's transaction ended; `keep` says whether the file's rows belong in the report. */
  finish(keep: boolean): Promise<void>;
}

export function createDirectSink(runs: RunStore, runId: number, file: string): ReportSink {
  return {
    message: (line, p) => runs.message(runId, file, line, p),
    update: () => {},
    finish: async () => {},
  };
}

export function createSpillSink(runs: RunStore, runId: number, file: string, spillPath: string): ReportSink {
  const fd = openSync(spillPath, 'w');
  let buffer: string[] = [];
  const push = (row: ReportRow) => {
    buffer.push(JSON.stringify(row));
    if (buffer.length >= 2000) flush();
  };
  const flush = () => {
    if (buffer.length) writeSync(fd, buffer.join('\n') + '\n');
    buffer = [];
  };
  return {
    message: (line, p) => push(['m', line, p]),
    update: (record, status) => push(['u', record, status]),
    async finish(keep) {
      flush();
      closeSync(fd);
      try {
        if (keep) await replay(runs, runId, file, spillPath);
      } finally {
        unlinkSync(spillPath);
      }
    },
  };
}

async function replay(runs: RunStore, runId: number, file: string, spillPath: string): Promise<void> {
  let batch: ReportRow[] = [];
  const write = (rows: ReportRow[]) => runs.reportRows(runId, file, rows);
  for await (const line of createInterface({ input: createReadStream(spillPath), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(JSON.parse(line) as ReportRow);
    if (batch.length >= 10_000) {
      write(batch);
      batch = [];
    }
  }
  write(batch);
}
