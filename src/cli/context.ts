// What CLI commands share: parsed global flags, settings, config, the store, the logger.

import { loadConfig, loadSettings, type Config, type Settings } from '../config.js';
import { basename } from 'node:path';
import { openDb, dbPath, StoreMissing, type Db } from '../store/db.js';
import { prepareDataDir, restrictStoreFiles } from '../store/data-dir.js';
import { prepareStaging, stagingRoot } from '../import/staging.js';
import { createStoreWait } from '../store/wait.js';
import { createLogger, type Logger } from '../log.js';
import { createConnect } from '../transports/index.js';
import type { RunContext } from '../import/run-import.js';

/** Bad usage or invalid config: exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly details: string[] = []) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface GlobalFlags {
  dataDir?: string;
  configDir?: string;
  json: boolean;
  /** `--wait`: how many seconds a write waits for a store busy with another writer (SPEC 3). */
  waitSeconds?: number;
}

export const DEFAULT_WAIT_SECONDS = 120;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export function settingsOf(flags: GlobalFlags, io: Io): Settings {
  try {
    return loadSettings(io.env, { dataDir: flags.dataDir, configDir: flags.configDir });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The config's valid part: an invalid file disables only the imports that need it (SPEC 4). Given
 * the import the command is for, refuses it (exit 2, naming its problems) when it is disabled.
 */
export function configOf(settings: Settings, importName?: string): Config {
  const { config, problems, disabled } = loadConfig(settings.configDir);
  if (!config) throw new UsageError(`the config in ${settings.configDir} has ${problems.length} problem(s)`, problems);
  if (importName === undefined) return config;
  const wanted = importName.trim().toLowerCase();
  if ([...config.imports.keys()].some((n) => n.toLowerCase() === wanted)) return config;
  const off = [...disabled].find(([key, d]) => key.toLowerCase() === wanted || d.name?.toLowerCase() === wanted
    || d.file.toLowerCase().replace(/^imports\/|\.ya?ml$/g, '') === wanted);
  if (off) {
    throw new UsageError(`import '${off[1].name ?? importName}' is disabled: ${off[1].files.join(', ')} `
      + `${off[1].files.length === 1 ? 'is' : 'are'} invalid (fram-import config check lists every problem)`, off[1].problems);
  }
  return config;
}

/** The store, created if needed; prefer `storeOf`, which also waits for a busy store and refuses a missing one. */
export function dbOf(settings: Settings, flags?: GlobalFlags): Db {
  return openDb(dbPath(settings.dataDir), { busyTimeoutMs: waitMsOf(flags) });
}

export function waitMsOf(flags?: GlobalFlags): number {
  return (flags?.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
}

/**
 * What a command does with the store: `read` and `write` need one to exist (a mistyped --data-dir
 * must not create an empty store and report nothing); `create` may be the first use of a data dir.
 */
export type StoreUse = 'read' | 'write' | 'create';

export interface CliStore {
  db: Db;
  /**
   * Runs `work` in one write transaction, waiting up to --wait s while another process holds the
   * store (noted once on stderr), then failing with 5018. The transaction takes the write lock first,
   * so nothing inside it can meet a busy store.
   */
  write<T>(work: () => T): Promise<T>;
  close(): void;
}

export function storeOf(settings: Settings, flags: GlobalFlags, io: Io, use: StoreUse): CliStore {
  const waitMs = waitMsOf(flags);
  let db: Db;
  try {
    db = openDb(dbPath(settings.dataDir), { mustExist: use !== 'create', busyTimeoutMs: waitMs });
    // Once the store is usable (else its own error says why): the data dir 0700, the store's files 0600.
    if (use !== 'read') {
      const warning = prepareDataDir(settings.dataDir);
      if (warning) io.err(`warning: ${warning}\n`);
      for (const f of restrictStoreFiles(dbPath(settings.dataDir))) io.err(`warning: could not make ${f} mode 0600\n`);
    }
  } catch (e) {
    if (e instanceof StoreMissing) {
      throw new UsageError(`no store in ${settings.dataDir} (no ${basename(e.path)}): check --data-dir or FRAM_DATA_DIR`);
    }
    throw e;
  }
  const wait = createStoreWait(db, {
    waitMs,
    onBusy: () => io.err(`the store is busy with another writer; waiting up to ${waitMs / 1000} s\n`),
  });
  return {
    db,
    write: (work) => wait.run('write', () => db.transaction(work).immediate()),
    close: () => db.close(),
  };
}

/** CLI commands log to stderr (their stdout is the result), quietly unless FRAM_LOG_LEVEL asks for more. */
export function loggerOf(io: Io): Logger {
  return createLogger(io.env.FRAM_LOG_LEVEL ?? 'warn', 2);
}

export function runContextOf(settings: Settings, config: Config, db: Db, log: Logger, env: NodeJS.ProcessEnv, flags?: GlobalFlags,
  signal?: AbortSignal): RunContext {
  prepareStaging(settings.dataDir);
  return {
    db, config, dataDir: settings.dataDir, tz: settings.tz, log, signal,
    connect: createConnect(env, { workDir: stagingRoot(settings.dataDir), signal }),
    now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), storeWaitMs: waitMsOf(flags),
  };
}

/** Aborted on SIGINT or SIGTERM: a run in progress stops at its next line and rolls the file back (5014). */
export function stopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); },
  };
}
