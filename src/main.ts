// The composition root of the daemon (`fram-import serve`, SPEC 10): load config -> open store ->
// build services -> start the worker, the schedules, the config watch, retention and the web side.

import type { Server } from 'node:http';
import { type Config, type Settings } from './config.js';
import { dbPath } from './store/db.js';
import { prepareDataDir, restrictStoreFiles } from './store/data-dir.js';
import { prepareStaging } from './import/staging.js';
import { openDbWhenFree } from './store/wait.js';
import type { RunRequest } from './import/run-import.js';
import { openServices, clockOf } from './services/open.js';
import { createWorker } from './daemon/worker.js';
import { loadInForce, watchConfig } from './daemon/config-watch.js';
import { createSchedules } from './scheduler/schedules.js';
import { catchUpDue } from './scheduler/catch-up.js';
import { systemClock, type TimerClock } from './scheduler/timer.js';
import { createWebServer } from './web/server.js';
import { renderMetrics } from './web/metrics.js';
import { describeTokenProblem, loadTokens, type ApiToken } from './web/tokens.js';
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

  // Each invalid file is logged and disables only the imports that need it (SPEC 4, config isolation).
  let inForce = loadInForce(settings.configDir, log, null);
  let config = inForce.config;

  // Every store write of the daemon waits while another process holds the store (SPEC 10 "Writers").
  prepareDataDir(settings.dataDir, log);
  const db = await openDbWhenFree(dbPath(settings.dataDir), {
    signal: abort.signal,
    onBusy: () => log.warn({ waitingFor: 'store:open' }, 'store:busy'),
  });
  for (const f of restrictStoreFiles(dbPath(settings.dataDir))) log.warn({ file: f }, 'datadir:mode');
  prepareStaging(settings.dataDir);
  const services = openServices({
    settings,
    env,
    log,
    db,
    signal: abort.signal,
    clock: clockOf(clock, abort.signal),
    waitMs: Infinity,
    // The daemon's own requests name imports of the config in force; disabled ones are listed by /readyz.
    config: () => ({ config, problems: inForce.problems, disabled: new Map() }),
    onBusy: (what) => log.warn({ waitingFor: what }, 'store:busy'),
  });
  await services.daemon.recover();
  const scheduleState = services.daemon.scheduleState();

  // A bad entry is logged (by number and name, never its hash) and left out; the other tokens work.
  const tokensFile = settings.apiTokensFile ? loadTokens(settings.apiTokensFile) : { tokens: [], problems: [] };
  const tokens: ApiToken[] = tokensFile.tokens;
  for (const p of tokensFile.problems) log.error({ file: settings.apiTokensFile, ...p }, 'tokens:invalid');

  const worker = createWorker({
    run: (req) => services.runs.execute(req),
    queue: services.daemon.queue(),
    log,
    now,
    pollMs: opts.queuePollMs,
    store: services.daemon.wait(),
    timers: clock,
  });

  const enqueueScheduled = (importName: string, slot: Date, catchUp: boolean) => {
    const queued = worker.enqueue({
      request: { importName, trigger: { kind: 'schedule', by: catchUp ? 'catch-up' : null } },
      done: () => scheduleState.markHandled(importName, slot),
    });
    log.info(
      { import: importName, slot: slot.toISOString(), queued, ...(catchUp ? { catchUp: true } : {}) },
      catchUp ? 'run:catch-up' : 'schedule:fired',
    );
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
  const watch = watchConfig(
    settings.configDir,
    inForce,
    (next) => {
      inForce = next;
      config = next.config;
      schedules.arm(config.imports.values());
      const fresh = [...config.imports].filter(([name]) => !seen.has(name));
      for (const [name] of fresh) seen.add(name);
      if (fresh.length) catchUp({ ...config, imports: new Map(fresh) });
    },
    log,
    opts.configPollMs,
  );

  const prune = () => services.daemon.prune(settings.retentionDays);
  prune();
  const retention = setInterval(prune, DAY_MS);
  retention.unref();

  const server: Server = createWebServer({
    log,
    tokens: () => tokens,
    readiness: () => ({
      // Only a store that cannot be used makes the daemon not ready; config problems are listed (with a token).
      store: services.daemon.storeProblems(),
      disabled: inForce.disabled,
      previousConfig: inForce.previous,
      problems: [...inForce.problems, ...tokensFile.problems.map((p) => describeTokenProblem(settings.apiTokensFile!, p))],
    }),
    metrics: () =>
      renderMetrics(services.daemon.metrics(), { waiting: worker.waiting(), configValid: inForce.problems.length === 0 }),
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
