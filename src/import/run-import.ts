// One run of a scheduled import (SPEC 6): list -> gate -> fetch -> process -> rename -> record.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FramError, errorCode, isBusy, localFailure, unexpected } from '../errors.js';
import { listingKey, type FileDecisions } from '../store/file-decisions.js';
import { createImportStores, type ImportStores } from '../store/import-stores.js';
import type { LedgerEntry } from '../store/runs.js';
import { tryRunLock, type RunLock } from '../store/run-lock.js';
import type { StoreWait } from '../store/wait.js';
import type { StudentKeys } from '../store/students.js';
import { processFile, emptyCounts } from './process-file.js';
import { dateIn } from '../domain/dates.js';
import { createDirectSink, createSpillSink } from './report-sink.js';
import { fetchFile } from './fetch-file.js';
import { renameProcessed } from './rename-processed.js';
import { printable } from '../domain/text.js';
import { stableFiles } from './stability.js';
import { prepareStaging, removeRunStaging, runStaging, sweepStaging } from './staging.js';
import type { Config, ImportConfig } from '../config.js';
import type { Connect } from '../transports/index.js';
import type { RemoteFile, Transport } from '../transports/transport.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../log.js';
import type { ReportSummary } from '../domain/run-report.js';

export interface RunContext {
  db: Db;
  config: Config;
  dataDir: string;
  tz: string;
  connect: Connect;
  log: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Set when the process is stopping: no new file starts, and the file in progress rolls back. */
  signal?: AbortSignal;
  /** How long the run's own rows wait for a store busy with another writer (the CLI's --wait); default: until stopped. */
  storeWaitMs?: number;
}

export interface RunRequest {
  importName: string;
  test?: boolean;
  approveChanges?: boolean;
  trigger?: { kind: 'schedule' | 'manual' | 'batch' | 'api'; by: string | null };
  keep?: boolean;
}

export interface RunResult {
  runId: number;
  status: 'Successful' | 'Unsuccessful';
}

export function noticesFor(imp: ImportConfig): string[] {
  const notices: string[] = [];
  if (imp.insecureAcceptAnyHostKey) notices.push("insecureAcceptAnyHostKey is set: the server's host key is not verified");
  if (imp.insecureTls) notices.push("insecureTls is set: the server's certificate is not verified");
  return notices;
}

export async function runImport(ctx: RunContext, req: RunRequest): Promise<RunResult> {
  const imp = ctx.config.imports.get(req.importName);
  if (!imp) throw new Error(`no import named '${req.importName}'`);
  const mapping = ctx.config.mappings.get(imp.mapping)!;
  const stores = createImportStores(ctx.db);
  const { runs } = stores;
  const test = req.test ?? false;
  const waitMs = ctx.storeWaitMs ?? Infinity;
  const paused = imp.paused ? { paused: true } : {};
  let log = ctx.log.child({ import: imp.name, ...paused });
  const onBusy = (what: string) =>
    log.warn({ waitingFor: what, ...(Number.isFinite(waitMs) ? { upToSeconds: waitMs / 1000 } : {}) }, 'store:busy');
  // The run's row waits for the store as long as the caller says (until stopped); the outcome of a
  // run that has started waits even when stopping, and at least 30 s, so a run is always recorded.
  const store = stores.wait({ waitMs, signal: ctx.signal, onBusy });
  const record = stores.wait({ waitMs: Math.max(waitMs, 30_000), onBusy });
  let failure: FramError | null =
    !test && !imp.active
      ? new FramError(5011, { import: imp.name })
      : !test && imp.paused
        ? new FramError(5013, { import: imp.name })
        : null;

  // The kernel lock first: it needs no store, and a Running row then always has a live holder or a free lock.
  let lock: RunLock | null = null;
  if (!failure) {
    try {
      lock = tryRunLock(ctx.dataDir, imp.name);
    } catch (e) {
      failure = unexpected(e, 'taking the run lock');
    }
  }
  let runId: number;
  try {
    runId = await store.run('run:start', () =>
      runs.start(
        {
          import: imp.name,
          mapping: mapping.name,
          schoolYear: mapping.schoolYear,
          mode: test ? 'test' : 'run',
          trigger: req.trigger ?? { kind: 'manual', by: null },
          startedAt: ctx.now().toISOString(),
          notices: noticesFor(imp),
          includeUpdated: imp.includeUpdatedRecords,
          keep: req.keep ?? false,
        },
        lock !== null,
      ),
    );
  } catch (e) {
    lock?.release();
    throw e;
  }
  if (!failure && !lock) failure = new FramError(5012, { import: imp.name, runId: runs.holder(imp.name) ?? 'unknown' });
  log = ctx.log.child({ runId, import: imp.name, ...paused });
  log.info({ mode: test ? 'test' : 'run', trigger: req.trigger?.kind ?? 'manual' }, 'run:start');
  const summary = emptyCounts();

  try {
    if (!failure) {
      try {
        failure = await runFiles(ctx, stores, store, imp, runId, test, req.approveChanges ?? false, summary, log);
      } catch (e) {
        // A statement that gave up on a busy store waited the connection's own busy timeout.
        failure = isBusy(e)
          ? new FramError(5018, { seconds: stores.busyTimeoutSeconds() }, { cause: e })
          : unexpected(e, 'running the import');
      }
    }
    const status = failure ? 'Unsuccessful' : 'Successful';
    const error = failure && { code: failure.code, text: failure.message };
    await record.run('run:finish', () => runs.finish(runId, status, ctx.now().toISOString(), summary, error));
    log.info({ status, ...summary, error: failure?.code }, 'run:finish');
    return { runId, status };
  } finally {
    // After the outcome is written (or could not be): a Running row whose lock is free is a dead run's.
    lock?.release();
  }
}

/** Connects, takes every candidate file through, and returns the run's failure (the first one), if any. */
async function runFiles(
  ctx: RunContext,
  stores: ImportStores,
  store: StoreWait,
  imp: ImportConfig,
  runId: number,
  test: boolean,
  approve: boolean,
  summary: ReportSummary,
  log: Logger,
): Promise<FramError | null> {
  const { runs, eligibility, decisions } = stores;
  const mapping = ctx.config.mappings.get(imp.mapping)!;
  prepareStaging(ctx.dataDir);
  const running = runs.runningIds();
  const swept = sweepStaging(ctx.dataDir, (id) => id !== runId && running.has(id));
  if (swept.length) log.info({ removed: swept.length }, 'staging:swept');
  const staging = runStaging(ctx.dataDir, runId);
  let failure: FramError | null = null;
  let students: StudentKeys | null = null;
  if (approve) await store.run('file:approve', () => approveTheHeldFile(decisions, imp.name, ctx.now().toISOString(), log));

  try {
    const transport: Transport = await ctx.connect(imp, { workDir: staging });
    try {
      const { ready, waiting } = await stableFiles(transport, imp, ctx.sleep);
      for (const f of waiting) {
        log.info({ file: f.name }, 'file:waiting');
        await store.run('file:ledger', () => runs.ledger(runId, imp.name, ledgerEntry(f, 'waiting')));
      }
      for (const [index, file] of ready.entries()) {
        if (ctx.signal?.aborted) {
          failure ??= new FramError(5014);
          break;
        }
        const err = await takeFile(transport, file, join(staging, String(index + 1)));
        if (err) failure ??= err;
      }
    } finally {
      await transport.close().catch(() => {});
    }
  } finally {
    removeRunStaging(ctx.dataDir, runId);
  }
  return failure;

  /** One file: refuse an unusable name, fetch, import (or skip as already imported), rename, ledger row. */
  async function takeFile(transport: Transport, file: RemoteFile, stagedPath: string): Promise<FramError | null> {
    const entry = ledgerEntry(file, 'imported');
    let error: FramError | null = null;
    const dismissed = (key: string) => {
      if (!decisions.has(imp.name, key, 'dismissed')) return false;
      entry.state = 'dismissed';
      log.info({ file: file.name }, 'file:dismissed');
      return true;
    };
    try {
      if (dismissed(entry.listingKey!)) return await ledgered(null);
      if (file.unsafe) throw new FramError(5016, { file: printable(file.name), reason: file.unsafe });
      log.info({ file: file.name, size: file.size }, 'file:found');
      entry.sha256 = await fetchFile(transport, file, stagedPath, ctx.signal);
      log.info({ file: file.name, sha256: entry.sha256 }, 'file:staged');
      if (dismissed(entry.sha256)) return await ledgered(null);
      entry.importedByRun = runs.importedBy(entry.sha256);
      const approved = decisions.has(imp.name, entry.sha256, 'approved');
      if (entry.importedByRun !== null) {
        entry.state = 'alreadyImported';
      } else {
        students ??= stores.studentKeys(mapping.identifier);
        const job = (dry: boolean) =>
          processFile({
            eligibility,
            runs,
            tx: stores.fileTransaction(store),
            heldRecords: stores.heldRecords,
            runId,
            test: dry,
            approveChanges: approved,
            maxChangeRatio: imp.maxChangeRatio,
            mapping,
            certifiedTypes: ctx.config.certifiedTypes,
            students: students!,
            name: file.name,
            sha256: entry.sha256!,
            stagedPath,
            signal: ctx.signal,
            today: dateIn(ctx.now(), ctx.tz),
            sink: dry
              ? createSpillSink(runs, runId, file.name, `${stagedPath}.report`)
              : createDirectSink(runs, runId, file.name),
            progress: (lines) => log.info({ file: file.name, lines }, 'file:progress'),
            committed: () => log.info({ file: file.name }, 'file:committed'),
          });
        let result = await job(test);
        // A held file's report shows what it would have done: the same file again, as a test run.
        if (result.status === 'held' && !test) {
          log.info({ file: file.name }, 'file:held');
          result = await job(true);
        }
        entry.state = result.status;
        entry.lines = result.lines;
        for (const k of Object.keys(summary) as (keyof ReportSummary)[]) summary[k] += result.counts[k];
        if (result.error) throw result.error;
        if (approved && !test) await store.run('file:approval-used', () => decisions.useApproval(imp.name, entry.sha256!, runId));
        log.info({ file: file.name, lines: result.lines, ...result.counts }, 'file:imported');
      }
      if (!test) {
        try {
          log.info({ file: file.name }, 'file:renaming');
          entry.renamedTo = await renameProcessed(transport, file.name, ctx.now, ctx.tz);
          log.info({ file: file.name, renamedTo: entry.renamedTo }, 'file:renamed');
        } catch (e) {
          entry.state = 'renamePending';
          throw e;
        }
      }
    } catch (e) {
      error = fileFailure(e, stagedPath);
      entry.error = { code: error.code, text: error.message };
      if (entry.state === 'imported') entry.state = 'rejected';
      log.warn({ file: file.name, code: error.code, err: error.message }, 'file:failed');
    } finally {
      rmSync(stagedPath, { force: true });
      rmSync(`${stagedPath}.report`, { force: true });
    }
    return ledgered(error);

    /** After the file: a busy store is waited out, so the file's row (and its error) is never lost. */
    async function ledgered(result: FramError | null): Promise<FramError | null> {
      await store.run('file:ledger', () => runs.ledger(runId, imp.name, entry));
      return result;
    }
  }
}

/** The files of an import that wait for approval: `run --approve-changes` needs exactly one. */
export function heldFiles(db: Db, importName: string) {
  return createImportStores(db).decisions.undecided(importName, 'approved');
}

/**
 * `run --approve-changes`: approves the one file this import holds. With none or several held, nothing is
 * approved (the CLI and API refuse such a request before the run; a file is then approved by its SHA-256).
 */
function approveTheHeldFile(decisions: FileDecisions, importName: string, at: string, log: Logger): void {
  const held = decisions.undecided(importName, 'approved');
  if (held.length === 1) {
    decisions.record(importName, held[0], 'approved', null, at);
    log.info({ file: held[0].name, sha256: held[0].key }, 'file:approved');
  } else log.warn({ held: held.length }, 'file:approve-ambiguous');
}

/** A file's failure as the catalog names it: ours as they are, local file-system and store errors by what they are. */
function fileFailure(e: unknown, stagedPath: string): FramError {
  if (e instanceof FramError) return e;
  const code = errorCode(e);
  if (code && (/^E[A-Z]+$/.test(code) || code.startsWith('SQLITE_'))) return localFailure(e, stagedPath, 'staging the file');
  return unexpected(e, 'importing the file');
}

function ledgerEntry(f: { name: string; size: number; mtime: Date }, state: LedgerEntry['state']): LedgerEntry {
  return {
    name: f.name,
    size: f.size,
    mtime: f.mtime.toISOString(),
    sha256: null,
    state,
    lines: 0,
    renamedTo: null,
    importedByRun: null,
    error: null,
    listingKey: listingKey(f),
  };
}
