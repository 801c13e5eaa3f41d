// The services of one process: the one composition root of a run's context, shared by `serve`
// (main.ts), every CLI command, the bench and the tests. It picks the adapters: the store, the
// config, the transports (secrets from the process's environment) and the clock.

import { loadConfig, readSecret, type Settings } from '../config.js';
import { dbPath, openDb, type Db } from '../store/db.js';
import { prepareDataDir, restrictStoreFiles } from '../store/data-dir.js';
import { clientDir, prepareStaging, stagingRoot } from '../import/staging.js';
import { createConnect, type Connect } from '../transports/index.js';
import type { Logger } from '../log.js';
import { createServices, type Services } from './index.js';
import type { Clock, ConnectPurpose, LoadedConfig } from './deps.js';

/**
 * What a process does with the store: `read` and `write` need one to exist (a mistyped --data-dir
 * must not create an empty store and report nothing); `create` may be the first use of a data dir.
 */
export type StoreUse = 'read' | 'write' | 'create';

export interface ProcessOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** An open store (the daemon opens its own, waiting while another process holds it); else one is opened on first use. */
  db?: Db;
  /** How the store is opened on first use; default `create`. */
  use?: StoreUse;
  /** A note for a person: the data dir or a store file whose mode could not be tightened. */
  warn?: (text: string) => void;
  /** Default: the config dir as read once, on first use. */
  config?: () => LoadedConfig;
  /** Default: the system's time; sleeps end early when `signal` aborts. */
  clock?: Clock;
  /** Default: the transports of `connectorsFor`. */
  connect?: (purpose: ConnectPurpose) => Connect;
  signal?: AbortSignal;
  /** How long a write waits for a store busy with another writer (also the store's busy timeout); default until `signal`. */
  waitMs?: number;
  onBusy?: (what: string) => void;
}

export type ProcessServices = Services & {
  /** Closes the store if this opened it. */
  close(): void;
};

/** Called once, on first use; later calls return the same value. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

/** Opens the store as `use` says; past `read`, the data dir is made 0700 and the store's files 0600. */
function openStore(settings: Settings, use: StoreUse, busyTimeoutMs: number, warn: (text: string) => void): Db {
  const path = dbPath(settings.dataDir);
  const db = openDb(path, { mustExist: use !== 'create', busyTimeoutMs });
  // Once the store is usable (else its own error says why).
  if (use !== 'read') {
    const warning = prepareDataDir(settings.dataDir);
    if (warning) warn(warning);
    for (const f of restrictStoreFiles(path)) warn(`could not make ${f} mode 0600`);
  }
  return db;
}

/**
 * A process's transports: secrets are read from `env` (or the files it names) when a connection needs them; `signal` (the process stopping) ends connecting and
 * transfers; a run's connections retry with back-off and keep their client files in staging, a
 * test-connection makes one attempt (a diagnosis should say what happened, not retry it away).
 */
export function connectorsFor(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  signal?: AbortSignal,
): (purpose: ConnectPurpose) => Connect {
  const secrets = (ref: Parameters<typeof readSecret>[0]) => readSecret(ref, env);
  const run = once(() => {
    prepareStaging(dataDir);
    return createConnect(secrets, { workDir: stagingRoot(dataDir), signal, searchPath: env.PATH });
  });
  const probe = once(() =>
    createConnect(secrets, { workDir: clientDir(dataDir), signal, searchPath: env.PATH }, { attempts: 1, firstDelayMs: 0 }),
  );
  return (purpose) => (purpose === 'run' ? run() : probe());
}

/** The time of `timer` (the system's, or a test's fake one); a sleep ends early when `signal` aborts. */
export function clockOf(timer: { now(): number } = Date, signal?: AbortSignal): Clock {
  return {
    now: () => new Date(timer.now()),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}

export function openServices(o: ProcessOptions): ProcessServices {
  const waitMs = o.waitMs ?? Infinity;
  let opened: Db | null = null;
  const db = o.db
    ? () => o.db!
    : once(() => {
        opened = openStore(o.settings, o.use ?? 'create', Number.isFinite(waitMs) ? waitMs : 5000, o.warn ?? (() => {}));
        return opened;
      });
  const services = createServices({
    db,
    config: o.config ?? once(() => loadConfig(o.settings.configDir)),
    connect: o.connect ?? connectorsFor(o.env, o.settings.dataDir, o.signal),
    clock: o.clock ?? clockOf(Date, o.signal),
    log: o.log,
    settings: o.settings,
    signal: o.signal,
    waitMs,
    onBusy: o.onBusy,
  });
  return {
    ...services,
    close: () => {
      (opened as Db | null)?.close();
      opened = null;
    },
  };
}
