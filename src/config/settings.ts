// Daemon settings: defaults < environment < command-line flags, merged here and only here.
// This is the one place that reads an environment (passed in, never process.env directly).

import path from 'node:path';

export interface Settings {
  dataDir: string;
  configDir: string;
  port: number;
  /** IANA zone for schedules and rename timestamps. */
  tz: string;
  logLevel: string;
  apiTokensFile?: string;
  retentionDays: number;
}

export interface SettingsFlags {
  dataDir?: string;
  configDir?: string;
  port?: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const DEFAULT_SETTINGS = {
  dataDir: '/data',
  configDir: '/config',
  port: 8080,
  tz: 'UTC',
  logLevel: 'info',
  retentionDays: 1100,
} as const;

/** True when the runtime knows the zone. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An unset or empty variable counts as absent. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * Merges defaults, environment and flags; throws one Error listing every bad setting.
 * Directories are resolved to absolute paths (relative ones against the working directory).
 */
export function loadSettings(env: NodeJS.ProcessEnv, flags: SettingsFlags): Settings {
  const problems: string[] = [];

  let port: number = DEFAULT_SETTINGS.port;
  const envPort = envValue(env, 'FRAM_PORT');
  if (envPort !== undefined) {
    const n = wholeNumber(envPort);
    if (n === null) problems.push('FRAM_PORT: must be a whole number from 1 to 65535');
    else port = n;
  }
  if (flags.port !== undefined) port = flags.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push('port: must be a whole number from 1 to 65535');

  // A container's TZ may be written `:Europe/Berlin` (glibc's form).
  const tz = envValue(env, 'FRAM_TZ') ?? envValue(env, 'TZ')?.replace(/^:/, '') ?? DEFAULT_SETTINGS.tz;
  if (!isValidTimeZone(tz)) {
    const from = envValue(env, 'FRAM_TZ') !== undefined ? 'FRAM_TZ' : 'TZ';
    problems.push(`${from}: '${tz}' is not a known IANA time zone (e.g. America/Chicago, UTC)`);
  }

  const logLevel = envValue(env, 'FRAM_LOG_LEVEL')?.toLowerCase() ?? DEFAULT_SETTINGS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`FRAM_LOG_LEVEL: must be one of: ${LOG_LEVELS.join(', ')}`);
  }

  let retentionDays: number = DEFAULT_SETTINGS.retentionDays;
  const envRetention = envValue(env, 'FRAM_RETENTION_DAYS');
  if (envRetention !== undefined) {
    const n = wholeNumber(envRetention);
    if (n === null || n < 1) problems.push('FRAM_RETENTION_DAYS: must be a whole number of days, 1 or more');
    else retentionDays = n;
  }

  if (problems.length) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);

  const apiTokensFile = envValue(env, 'FRAM_API_TOKENS_FILE');
  const settings: Settings = {
    dataDir: path.resolve(flags.dataDir ?? envValue(env, 'FRAM_DATA_DIR') ?? DEFAULT_SETTINGS.dataDir),
    configDir: path.resolve(flags.configDir ?? envValue(env, 'FRAM_CONFIG_DIR') ?? DEFAULT_SETTINGS.configDir),
    port,
    tz,
    logLevel,
    retentionDays,
    ...(apiTokensFile !== undefined ? { apiTokensFile: path.resolve(apiTokensFile) } : {}),
  };
  return Object.freeze(settings);
}
