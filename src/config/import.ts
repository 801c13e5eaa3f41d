// config/imports/<name>.yaml: a Scheduled Import (IC's Data Import Detail, SPEC 4).

import path from 'node:path';
import { z } from 'zod';
import { isPlainObject, parseObject, type Path, type Reporter } from './issues.js';
import { parseSecretRef, type SecretRef } from './secrets.js';

export type Protocol = 'smb' | 'ftps' | 'sftp' | 'local';

export interface Schedule {
  frequency: 'daily' | 'weekly' | 'monthly';
  /** `mon`..`sun` for weekly; `1`..`31` or `EOM` for monthly; absent for daily. */
  day?: string;
  /** `HH:MM`, 24-hour, in FRAM_TZ. */
  time: string;
}

export interface ImportConfig {
  name: string;
  active: boolean;
  /** The mapping's `name` (a reference by file name is resolved to it). */
  mapping: string;
  protocol: Protocol;
  host?: string;
  port?: number;
  ftpsMode?: 'implicit' | 'explicit';
  domain?: string;
  username?: string;
  password?: SecretRef;
  privateKey?: SecretRef;
  passphrase?: SecretRef;
  /** Remote: relative to the login folder, as written. Local: an absolute path. */
  directory: string;
  filePrefix: string;
  schedule?: Schedule;
  hostKeySha256?: string;
  caFile?: string;
  /** Lower-case hex, no colons. */
  certSha256?: string;
  insecureAcceptAnyHostKey: boolean;
  insecureTls: boolean;
  stableSeconds: number;
  includeUpdatedRecords: boolean;
  maxChangeRatio: number;
  /** The host starts with `**` (IC's way to pause an import). */
  paused: boolean;
  /** Absolute path of the YAML file it came from. */
  sourceFile: string;
}

export const PROTOCOLS = ['smb', 'ftps', 'sftp', 'local'] as const;
export const DEFAULT_PORTS = { smb: 445, ftpsImplicit: 990, ftpsExplicit: 21, sftp: 22 } as const;
export const DEFAULT_FILE_PREFIX = 'IC_Eligibility';

const importShape = {
  name: z.string().trim().regex(/^[A-Za-z0-9 _-]{1,40}$/, { error: 'must be 1-40 letters, digits, spaces, - or _' }),
  active: z.boolean().default(true),
  mapping: z.string().trim().min(1),
  protocol: z.enum(PROTOCOLS),
  host: z.string().trim().min(1).regex(/^\S+$/, { error: 'must not contain spaces' }).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  ftpsMode: z.enum(['implicit', 'explicit']).optional(),
  domain: z.string().trim().min(1).optional(),
  username: z.string().trim().min(1).optional(),
  password: z.unknown(),
  privateKey: z.unknown(),
  passphrase: z.unknown(),
  directory: z.string().trim().optional(),
  filePrefix: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^/\\]+$/, { error: 'must not contain / or \\' })
    .refine((p) => !/^p_/i.test(p), { error: "must not start with 'P_' (imported files are renamed to P_...)" })
    .default(DEFAULT_FILE_PREFIX),
  schedule: z.unknown(),
  hostKeySha256: z
    .string()
    .trim()
    .regex(/^SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$/, {
      error: 'must be written as `ssh-keygen -l` prints it: SHA256: and 43 base64 characters, no padding',
    })
    .optional(),
  caFile: z.string().trim().min(1).optional(),
  certSha256: z
    .string()
    .trim()
    .transform((s) => s.replace(/^(sha256\s+)?fingerprint=/i, '').replace(/:/g, '').toLowerCase())
    .refine((s) => /^[0-9a-f]{64}$/.test(s), { error: 'must be a SHA-256 fingerprint: 32 bytes in hex, with or without colons' })
    .optional(),
  insecureAcceptAnyHostKey: z.boolean().default(false),
  insecureTls: z.boolean().default(false),
  stableSeconds: z.number().int().min(0).max(86_400).default(30),
  includeUpdatedRecords: z.boolean().default(true),
  maxChangeRatio: z.number().gt(0).lte(1).default(0.2),
};

/** Every top-level key of an import file (docs/configuration.md lists each). */
export const IMPORT_KEYS = Object.keys(importShape);

/** Keys that only mean something for one protocol. */
const ONLY_FOR: Partial<Record<keyof typeof importShape, Protocol[]>> = {
  host: ['smb', 'ftps', 'sftp'],
  port: ['smb', 'ftps', 'sftp'],
  username: ['smb', 'ftps', 'sftp'],
  password: ['smb', 'ftps', 'sftp'],
  domain: ['smb'],
  ftpsMode: ['ftps'],
  caFile: ['ftps'],
  certSha256: ['ftps'],
  insecureTls: ['ftps'],
  privateKey: ['sftp'],
  passphrase: ['sftp'],
  hostKeySha256: ['sftp'],
  insecureAcceptAnyHostKey: ['sftp'],
};

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function parseSchedule(raw: unknown, rep: Reporter): Schedule | undefined {
  const at: Path = ['schedule'];
  const parsed = parseObject(
    { frequency: z.enum(['daily', 'weekly', 'monthly']), day: z.union([z.string(), z.number()]).optional(), time: z.unknown() },
    raw,
    at,
    rep,
  );
  if (!parsed) return undefined;
  const { frequency, day } = parsed.value;
  let ok = parsed.failed.size === 0;

  const time = typeof parsed.value.time === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(parsed.value.time.trim()) : null;
  if (!time || +time[1] > 23 || +time[2] > 59) {
    rep.add([...at, 'time'], parsed.value.time === undefined ? 'required' : 'must be a 24-hour time HH:MM, e.g. "01:00"');
    ok = false;
  }

  let normDay: string | undefined;
  const dayText = day === undefined ? undefined : String(day).trim().toLowerCase();
  if (frequency === 'daily' && day !== undefined) {
    rep.add([...at, 'day'], 'not used with frequency: daily; remove it');
    ok = false;
  } else if (frequency === 'weekly') {
    const i = dayText === undefined ? -1 : Math.max(WEEKDAYS.indexOf(dayText), WEEKDAY_NAMES.indexOf(dayText));
    if (i < 0) {
      rep.add([...at, 'day'], day === undefined ? 'required for frequency: weekly (mon..sun)' : 'must be a weekday: mon, tue, wed, thu, fri, sat or sun');
      ok = false;
    } else normDay = WEEKDAYS[i];
  } else if (frequency === 'monthly') {
    if (dayText === 'eom') normDay = 'EOM';
    else if (dayText !== undefined && /^\d{1,2}$/.test(dayText) && +dayText >= 1 && +dayText <= 31) normDay = String(+dayText);
    else {
      rep.add([...at, 'day'], day === undefined ? 'required for frequency: monthly (1..31 or EOM)' : 'must be a day of the month 1..31, or EOM');
      ok = false;
    }
  }
  if (!ok || !frequency || !time) return undefined;
  const hhmm = `${time[1].padStart(2, '0')}:${time[2]}`;
  return normDay === undefined ? { frequency, time: hhmm } : { frequency, day: normDay, time: hhmm };
}

/** Remote directories: relative to the login folder, at most 100 characters, `/` or `\` between folders. */
function checkRemoteDirectory(dir: string, protocol: Protocol, rep: Reporter): void {
  const at = ['directory'];
  if (dir.length > 100) rep.add(at, 'must be at most 100 characters');
  if (/^[/\\]/.test(dir)) rep.add(at, 'must be relative to the login folder: no leading / or \\');
  if (/^[A-Za-z]:/.test(dir)) rep.add(at, 'must not start with a drive letter');
  if (dir.split(/[/\\]/).some((seg) => seg.trim() === '..')) rep.add(at, "must not contain a '..' folder");
  if (/[\u0000-\u001f]/.test(dir)) rep.add(at, 'must not contain control characters');
  if (protocol === 'smb' && dir.replace(/^[/\\]+/, '') === '') rep.add(at, 'required for smb: the first folder is the share name');
  // smbclient reads its commands with ; as a separator and " as a quote: such a folder cannot be passed safely.
  if (protocol === 'smb' && /[";]/.test(dir)) rep.add(at, 'must not contain " or ; for smb');
}

/** Checks one import file; `mapping` is returned as written and resolved by the loader. */
export function parseImport(raw: unknown, rep: Reporter, configDir: string, sourceFile: string): ImportConfig | null {
  const before = rep.count;
  const parsed = parseObject(importShape, raw, [], rep);
  if (!parsed) return null;
  const v = parsed.value;
  const p = v.protocol;
  const given = (k: string) => isPlainObject(raw) && raw[k] !== undefined;

  if (p) {
    for (const [key, protocols] of Object.entries(ONLY_FOR)) {
      if (given(key) && !protocols.includes(p)) rep.add([key], `only used with protocol ${protocols.join(' or ')}; remove it`);
    }
  }

  const secret = (key: 'password' | 'privateKey' | 'passphrase') =>
    given(key) && (!p || ONLY_FOR[key]!.includes(p))
      ? parseSecretRef((raw as Record<string, unknown>)[key], [key], rep, configDir)
      : undefined;
  const password = secret('password');
  const privateKey = secret('privateKey');
  const passphrase = secret('passphrase');

  let directory = v.directory;
  if (p && p !== 'local') {
    if (!given('host')) rep.add(['host'], `required for protocol ${p}`);
    if (!given('username')) rep.add(['username'], `required for protocol ${p}`);
    if (p === 'sftp' && !given('password') && !given('privateKey')) rep.add(['password'], 'required for sftp unless privateKey is given');
    if (p !== 'sftp' && !given('password')) rep.add(['password'], `required for protocol ${p}`);
    if (given('passphrase') && !given('privateKey')) rep.add(['passphrase'], 'only used with privateKey');
    if (directory !== undefined) checkRemoteDirectory(directory, p, rep);
    else if (p === 'smb' && !parsed.failed.has('directory')) rep.add(['directory'], 'required for smb: the first folder is the share name');
  } else if (p === 'local') {
    if (directory === undefined || directory === '') {
      if (!parsed.failed.has('directory')) rep.add(['directory'], 'required: the folder to watch, absolute or relative to the config dir');
    } else directory = path.resolve(configDir, directory);
  }

  const schedule = given('schedule') ? parseSchedule(v.schedule, rep) : undefined;

  if (rep.count > before || !v.name || !v.mapping || !p) return null;

  const ftpsMode = p === 'ftps' ? (v.ftpsMode ?? 'implicit') : undefined;
  const defaultPort =
    p === 'smb' ? DEFAULT_PORTS.smb
    : p === 'sftp' ? DEFAULT_PORTS.sftp
    : p === 'ftps' ? (ftpsMode === 'explicit' ? DEFAULT_PORTS.ftpsExplicit : DEFAULT_PORTS.ftpsImplicit)
    : undefined;
  const port = v.port ?? defaultPort;

  const result: ImportConfig = {
    name: v.name,
    active: v.active!,
    mapping: v.mapping,
    protocol: p,
    ...(v.host !== undefined ? { host: v.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(ftpsMode !== undefined ? { ftpsMode } : {}),
    ...(v.domain !== undefined ? { domain: v.domain } : {}),
    ...(v.username !== undefined ? { username: v.username } : {}),
    ...(password ? { password } : {}),
    ...(privateKey ? { privateKey } : {}),
    ...(passphrase ? { passphrase } : {}),
    directory: directory ?? '',
    filePrefix: v.filePrefix!,
    ...(schedule ? { schedule } : {}),
    ...(v.hostKeySha256 !== undefined ? { hostKeySha256: v.hostKeySha256 } : {}),
    ...(v.caFile !== undefined ? { caFile: path.resolve(configDir, v.caFile) } : {}),
    ...(v.certSha256 !== undefined ? { certSha256: v.certSha256 } : {}),
    insecureAcceptAnyHostKey: v.insecureAcceptAnyHostKey!,
    insecureTls: v.insecureTls!,
    stableSeconds: v.stableSeconds!,
    includeUpdatedRecords: v.includeUpdatedRecords!,
    maxChangeRatio: v.maxChangeRatio!,
    paused: v.host?.startsWith('**') ?? false,
    sourceFile,
  };
  return result;
}
