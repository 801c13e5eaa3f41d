// The composition root of the daemon (`fram-import serve`, SPEC 10): load config -> open store ->
// build services -> start the worker, the schedules, the config watch, retention and the web side.

import type { Server } from 'node:http';
import { type Config, type Settings } from './config.js';
import { dbPath, SCHEMA_VERSION } from './store/db.js';
import { prepareDataDir, restrictStoreFiles } from './store/data-dir.js';
import { prepareStaging, stagingRoot, sweepStaging } from './import/staging.js';
import { createStoreWait, openDbWhenFree } from './store/wait.js';
import { createRunStore } from './store/runs.js';
import { createQueueStore } from './store/queue.js';
import { createScheduleState } from './store/schedule-state.js';
import { pruneRuns } from './store/history.js';
import { runImport, type RunContext, type RunRequest } from './import/run-import.js';
import { createConnect } from './transports/index.js';
import { createWorker } from './daemon/worker.js';
import { loadInForce, watchConfig } from './daemon/config-watch.js';
import { createSchedules } from './scheduler/schedules.js';
import { catchUpDue } from './scheduler/catch-up.js';
import { systemClock, type TimerClock } from './scheduler/timer.js';
import { createWebServer } from './web/server.js';
import { renderMetrics } from './web/metrics.js';
import { describeTokenProblem, loadTokens, type ApiToken } from './web/tokens.js';
import type { Logger } from './log.js';
import { isBusy } from './errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DaemonOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock?: TimerClock<unknown>;
  configPollMs?: number;
  /** How often the batch queue is read when nothing wakes the worker. */
  queuePollMs?: number;
}

export interface Daemon {
  /** The port the web side listens on. */
  port: number;
  config(): Config | null;
  /** Queues a run now, as the page or API would; false when that import is already waiting or running. */
  enqueue(req: RunRequest): boolean;
  /** Stops taking work, lets the file in progress roll back, closes the store. */
  stop(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { settings, env, log } = opts;
  const clock = opts.clock ?? systemClock;
  const now = () => new Date(clock.now());
  const abort = new AbortController();

  // Each invalid file is logged and disables only the imports that need it (SPEC 4, config isolation).
  let inForce = loadInForce(settings.configDir, log, null);
  let config = inForce.config;

  // Every store write of the daemon waits while another process holds the store (SPEC 10 "Writers").
  prepareDataDir(settings.dataDir, log);
  const db = await openDbWhenFree(dbPath(settings.dataDir), { signal: abort.signal, onBusy: () => log.warn({ waitingFor: 'store:open' }, 'store:busy') });
  for (const f of restrictStoreFiles(dbPath(settings.dataDir))) log.warn({ file: f }, 'datadir:mode');
  prepareStaging(settings.dataDir);
  const store = createStoreWait(db, { waitMs: Infinity, signal: abort.signal, log, onBusy: (what) => log.warn({ waitingFor: what }, 'store:busy') });
  const reaped = await store.run('run:reap', () => createRunStore(db).reapStale(now().toISOString(), settings.dataDir));
  if (reaped) log.warn({ runs: reaped }, 'run:reaped');
  // What dead runs left in staging (copies, .part files, smbclient's password files) goes now.
  const running = createRunStore(db).runningIds();
  const swept = sweepStaging(settings.dataDir, (id) => running.has(id));
  if (swept.length) log.warn({ removed: swept.length }, 'staging:swept');
  const queue = createQueueStore(db);
  const requeued = await store.run('batch:requeue', () => queue.requeueInterrupted());
  if (requeued) log.warn({ entries: requeued }, 'batch:requeued');
  const scheduleState = createScheduleState(db, store);

  // A bad entry is logged (by number and name, never its hash) and left out; the other tokens work.
  const tokensFile = settings.apiTokensFile ? loadTokens(settings.apiTokensFile) : { tokens: [], problems: [] };
  const tokens: ApiToken[] = tokensFile.tokens;
  for (const p of tokensFile.problems) log.error({ file: settings.apiTokensFile, ...p }, 'tokens:invalid');

  const connect = createConnect(env, { signal: abort.signal, workDir: stagingRoot(settings.dataDir) });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  const runContext = (): RunContext => ({
    db, config: config!, dataDir: settings.dataDir, tz: settings.tz, connect, log, now, sleep, signal: abort.signal,
  });

  const worker = createWorker({
    run: async (req) => {
      if (!config?.imports.has(req.importName)) throw new Error(`no import named '${req.importName}' in the config in force`);
      return runImport(runContext(), req);
    },
    queue, log, now, pollMs: opts.queuePollMs, store,
  });

  const enqueueScheduled = (importName: string, slot: Date, catchUp: boolean) => {
    const queued = worker.enqueue({
      request: { importName, trigger: { kind: 'schedule', by: catchUp ? 'catch-up' : null } },
      done: () => scheduleState.markHandled(importName, slot),
    });
    log.info({ import: importName, slot: slot.toISOString(), queued, ...(catchUp ? { catchUp: true } : {}) },
      catchUp ? 'run:catch-up' : 'schedule:fired');
  };

  const schedules = createSchedules({ tz: settings.tz, clock, log, fire: (name, slot) => enqueueScheduled(name, slot, false) });

  const catchUp = (cfg: Config) => {
    for (const imp of cfg.imports.values()) {
      if (!imp.schedule || !imp.active) continue;
      const watermark = scheduleState.handledAt(imp.name);
      if (watermark === null) {
        scheduleState.markHandled(imp.name, now());
        continue;
      }
      const slot = catchUpDue(imp.schedule, settings.tz, watermark, now());
      if (slot) enqueueScheduled(imp.name, slot, true);
    }
  };

  if (config) {
    schedules.arm(config.imports.values());
    catchUp(config);
  }

  // An import in force for the first time since start (disabled until its file was fixed) gets the start-up catch-up then.
  const seen = new Set(config.imports.keys());
  const watch = watchConfig(settings.configDir, inForce, (next) => {
    inForce = next;
    config = next.config;
    schedules.arm(config.imports.values());
    const fresh = [...config.imports].filter(([name]) => !seen.has(name));
    for (const [name] of fresh) seen.add(name);
    if (fresh.length) catchUp({ ...config, imports: new Map(fresh) });
  }, log, opts.configPollMs);

  const prune = () => {
    const before = new Date(now().getTime() - settings.retentionDays * DAY_MS).toISOString();
    store.background('retention', () => {
      const n = pruneRuns(db, before);
      if (n) log.info({ runs: n, before }, 'retention:pruned');
    });
  };
  prune();
  const retention = setInterval(prune, DAY_MS);
  retention.unref();

  const server: Server = createWebServer({
    log,
    tokens: () => tokens,
    readiness: () => {
      // Only a store that cannot be used makes the daemon not ready; config problems are listed (with a token).
      const unusable: string[] = [];
      try {
        if (!db.open) unusable.push('the database is closed');
        else if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) unusable.push('the database is not migrated');
      } catch (e) {
        if (!isBusy(e)) unusable.push(`the database cannot be read: ${(e as { code?: string }).code ?? (e as Error).message}`);
      }
      const problems = [...inForce.problems, ...tokensFile.problems.map((p) => describeTokenProblem(settings.apiTokensFile!, p))];
      return { store: unusable, disabled: inForce.disabled, previousConfig: inForce.previous, problems };
    },
    metrics: () => renderMetrics(db, { waiting: worker.waiting(), configValid: inForce.problems.length === 0 }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, () => resolve());
    });
  } catch (e) {
    // Nothing may outlive a daemon that could not start (the port is taken, say).
    abort.abort();
    schedules.cancelAll();
    watch.stop();
    clearInterval(retention);
    await worker.stop();
    db.close();
    throw e;
  }
  const port = (server.address() as { port: number }).port;
  log.info({ port, tz: settings.tz, imports: config ? [...config.imports.keys()] : [] }, 'daemon:start');

  let stopped: Promise<void> | null = null;
  return {
    port,
    config: () => config,
    enqueue: (req) => worker.enqueue({ request: req }),
    stop() {
      stopped ??= (async () => {
        log.info({ running: worker.current() }, 'daemon:stopping');
        abort.abort();
        schedules.cancelAll();
        watch.stop();
        clearInterval(retention);
        await worker.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        db.close();
        log.info({}, 'daemon:stopped');
      })();
      return stopped;
    },
  };
}
