// What CLI commands share: parsed global flags, settings, config, the store, the logger.

import { loadConfig, loadSettings, type Config, type Settings } from '../config.js';
import { openDb, dbPath, type Db } from '../store/db.js';
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
}

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

export function configOf(settings: Settings): Config {
  const { config, problems } = loadConfig(settings.configDir);
  if (!config) throw new UsageError(`the config in ${settings.configDir} has ${problems.length} problem(s)`, problems);
  return config;
}

export function dbOf(settings: Settings): Db {
  return openDb(dbPath(settings.dataDir));
}

/** CLI commands log to stderr (their stdout is the result), quietly unless FRAM_LOG_LEVEL asks for more. */
export function loggerOf(io: Io): Logger {
  return createLogger(io.env.FRAM_LOG_LEVEL ?? 'warn', 2);
}

export function runContextOf(settings: Settings, config: Config, db: Db, log: Logger, env: NodeJS.ProcessEnv): RunContext {
  return {
    db, config, dataDir: settings.dataDir, tz: settings.tz, connect: createConnect(env), log,
    now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
