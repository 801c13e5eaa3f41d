// The composition root of the daemon (`fram-import serve`, SPEC 10): load config -> open store ->
// build services -> start the worker, the schedules, the config watch, retention and the web side.

import type { Server } from 'node:http';
import { loadConfig, type Config, type Settings } from './config.js';
import { openDb, dbPath, SCHEMA_VERSION } from './store/db.js';
import { createRunStore } from './store/runs.js';
import { createQueueStore } from './store/queue.js';
import { createScheduleState } from './store/schedule-state.js';
import { pruneRuns } from './store/history.js';
import { runImport, type RunContext, type RunRequest } from './import/run-import.js';
import { createConnect } from './transports/index.js';
import { createWorker } from './daemon/worker.js';
import { watchConfig } from './daemon/config-watch.js';
import { createSchedules } from './scheduler/schedules.js';
import { catchUpDue } from './scheduler/catch-up.js';
import { systemClock, type TimerClock } from './scheduler/timer.js';
import { createWebServer } from './web/server.js';
import { renderMetrics } from './web/metrics.js';
import { loadTokens, type ApiToken } from './web/tokens.js';
import type { Logger } from './log.js';

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

  const loaded = loadConfig(settings.configDir);
  let config = loaded.config;
  if (!config) log.error({ problems: loaded.problems }, 'config:invalid');

  const db = openDb(dbPath(settings.dataDir));
  const reaped = createRunStore(db).reapStale(now().toISOString());
  if (reaped) log.warn({ runs: reaped }, 'run:reaped');
  const queue = createQueueStore(db);
  const requeued = queue.requeueInterrupted();
  if (requeued) log.warn({ entries: requeued }, 'batch:requeued');
  const scheduleState = createScheduleState(db);

  let tokens: ApiToken[] = [];
  if (settings.apiTokensFile) {
    try {
      tokens = loadTokens(settings.apiTokensFile);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'tokens:invalid');
    }
  }

  const connect = createConnect(env);
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
    queue, log, now, pollMs: opts.queuePollMs,
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

  const watch = watchConfig(settings.configDir, (next) => {
    const first = config === null;
    config = next;
    schedules.arm(next.imports.values());
    if (first) catchUp(next);
  }, log, opts.configPollMs);

  const prune = () => {
    const before = new Date(now().getTime() - settings.retentionDays * DAY_MS).toISOString();
    const n = pruneRuns(db, before);
    if (n) log.info({ runs: n, before }, 'retention:pruned');
  };
  prune();
  const retention = setInterval(prune, DAY_MS);
  retention.unref();

  const server: Server = createWebServer({
    log,
    tokens: () => tokens,
    readiness: () => {
      const problems: string[] = [];
      if (!db.open) problems.push('the database is closed');
      else if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) problems.push('the database is not migrated');
      if (!config) problems.push(`the config in ${settings.configDir} is invalid: ${(watch.problems().length ? watch.problems() : loaded.problems).slice(0, 20).join('; ')}`);
      return problems;
    },
    metrics: () => renderMetrics(db, { waiting: worker.waiting(), configValid: config !== null && watch.problems().length === 0 }),
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
