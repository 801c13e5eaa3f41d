// What CLI commands share: the global flags, the settings, and the services a command calls,
// opened as the command needs the store and closed when it is done.

import { basename } from 'node:path';
import { loadConfig, loadSettings, type Config, type Settings } from '../config.js';
import { StoreMissing } from '../store/db.js';
import { createLogger, type Logger } from '../log.js';
import { openServices, type StoreUse } from '../services/open.js';
import { findImport, validConfig } from '../services/imports.js';
import { Refusal, type Services } from '../services/index.js';

/** Bad usage or invalid config: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
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

/** A service's refusal as the CLI says it: `--at '...' is not...`, with its details. */
export function usageOf(e: Refusal): UsageError {
  return new UsageError(e.input ? `--${e.input} ${e.message}` : e.message, e.details);
}

/**
 * The config's valid part; given an import name, refuses it (exit 2, naming its problems) when an
 * invalid file disables it. The commands find their import through the services; this is for callers
 * that want the config itself.
 */
export function configOf(settings: Settings, importName?: string): Config {
  const loaded = loadConfig(settings.configDir);
  try {
    if (importName !== undefined) findImport(loaded, settings.configDir, importName);
    return validConfig(loaded, settings.configDir);
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    // An unknown name is the caller's to refuse (it knows what it wanted the import for).
    if (e.reason === 'notFound') return loaded.config!;
    throw usageOf(e);
  }
}

/** CLI commands log to stderr (their stdout is the result), quietly unless FRAM_LOG_LEVEL asks for more. */
export function loggerOf(io: Io): Logger {
  return createLogger(io.env.FRAM_LOG_LEVEL ?? 'warn', 2);
}

/** Who asks: `--by`, else the login user. */
export function actorOf(values: Record<string, unknown>, io: Io): string | null {
  return (values.by as string | undefined) ?? io.env.USER ?? null;
}

/** Aborted on SIGINT or SIGTERM: a run in progress stops at its next line and rolls the file back (5014). */
export function stopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export interface ServiceUse {
  /** What the command does with the store (opened when a service first needs it). */
  store: StoreUse;
  /** SIGINT and SIGTERM stop the command's run (5014) instead of the process. */
  stoppable?: boolean;
}

/**
 * Runs `work` with the services, then closes them. Writes wait up to --wait s for a busy store
 * (noted once on stderr), then fail with 5018; a store missing where one must exist is bad usage.
 */
export async function withServices<T>(
  flags: GlobalFlags,
  io: Io,
  use: ServiceUse,
  work: (s: Services) => Promise<T>,
): Promise<T> {
  const settings = settingsOf(flags, io);
  const waitMs = (flags.waitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
  const stop = use.stoppable ? stopSignal() : null;
  const services = openServices({
    settings,
    env: io.env,
    log: loggerOf(io),
    use: use.store,
    waitMs,
    signal: stop?.signal,
    warn: (text) => io.err(`warning: ${text}\n`),
    onBusy: () => io.err(`the store is busy with another writer; waiting up to ${waitMs / 1000} s\n`),
  });
  try {
    return await work(services);
  } catch (e) {
    if (e instanceof StoreMissing) {
      throw new UsageError(`no store in ${settings.dataDir} (no ${basename(e.path)}): check --data-dir or FRAM_DATA_DIR`);
    }
    if (e instanceof Refusal) throw usageOf(e);
    throw e;
  } finally {
    stop?.dispose();
    services.close();
  }
}
