// config/imports/<name>.yaml: a Scheduled Import (IC's Data Import Detail, SPEC 4). The keys every
// import has are here; each protocol's own keys and checks are its transport's (src/transports/*-config.ts),
// composed from the registry, so adding a protocol changes nothing here.

import { z } from 'zod';
import { isPlainObject, parseObject, type Parsed, type Path, type Reporter } from './issues.js';
import { parseSecretRef, type SecretRef } from './secrets.js';
import type { Schedule } from '../scheduler/next-run.js';
import { DEFAULT_PORTS, PROTOCOLS, TRANSPORTS, type Protocol, type TransportConfig } from '../transports/index.js';

export type { Protocol, Schedule };

/** An import as the config keeps it: what its transport reads (`TransportConfig`), and what the run and scheduler read. */
export interface ImportConfig extends TransportConfig {
  active: boolean;
  /** The mapping's `name` (a reference by file name is resolved to it). */
  mapping: string;
  password?: SecretRef;
  privateKey?: SecretRef;
  passphrase?: SecretRef;
  filePrefix: string;
  schedule?: Schedule;
  /** Set for every protocol (false where the protocol has no such key): the report's notices read them. */
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

export { DEFAULT_PORTS, PROTOCOLS };
export const DEFAULT_FILE_PREFIX = 'IC_Eligibility';

const COMMON_BEFORE = {
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9 _-]{1,40}$/, { error: 'must be 1-40 letters, digits, spaces, - or _' }),
  active: z.boolean().default(true),
  mapping: z.string().trim().min(1),
  protocol: z.enum(PROTOCOLS),
};
const COMMON_AFTER = {
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
  stableSeconds: z.number().int().min(0).max(86_400).default(30),
  includeUpdatedRecords: z.boolean().default(true),
  maxChangeRatio: z.number().gt(0).lte(1).default(0.2),
};

/** The keys only some protocols have, and which ones: composed from every transport's branch. */
const ONLY_FOR = new Map<string, string[]>();
const protocolShape: Record<string, z.ZodType> = {};
for (const t of TRANSPORTS) {
  for (const [key, schema] of Object.entries(t.branch.shape as Record<string, z.ZodType>)) {
    if (key === 'protocol') continue;
    protocolShape[key] ??= schema;
    ONLY_FOR.set(key, [...(ONLY_FOR.get(key) ?? []), t.protocol]);
  }
}
const importShape = { ...COMMON_BEFORE, ...protocolShape, ...COMMON_AFTER };
const SECRET_KEYS = [...new Set(TRANSPORTS.flatMap((t) => t.secrets))];

/** Every top-level key of an import file (docs/configuration.md lists each). */
export const IMPORT_KEYS = Object.keys(importShape);

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
      rep.add(
        [...at, 'day'],
        day === undefined
          ? 'required for frequency: weekly (mon..sun)'
          : 'must be a weekday: mon, tue, wed, thu, fri, sat or sun',
      );
      ok = false;
    } else normDay = WEEKDAYS[i];
  } else if (frequency === 'monthly') {
    if (dayText === 'eom') normDay = 'EOM';
    else if (dayText !== undefined && /^\d{1,2}$/.test(dayText) && +dayText >= 1 && +dayText <= 31) normDay = String(+dayText);
    else {
      rep.add(
        [...at, 'day'],
        day === undefined ? 'required for frequency: monthly (1..31 or EOM)' : 'must be a day of the month 1..31, or EOM',
      );
      ok = false;
    }
  }
  if (!ok || !frequency || !time) return undefined;
  const hhmm = `${time[1].padStart(2, '0')}:${time[2]}`;
  return normDay === undefined ? { frequency, time: hhmm } : { frequency, day: normDay, time: hhmm };
}

/** Checks one import file; `mapping` is returned as written and resolved by the loader. */
export function parseImport(raw: unknown, rep: Reporter, configDir: string, sourceFile: string): ImportConfig | null {
  const before = rep.count;
  const parsed = parseObject(importShape, raw, [], rep);
  if (!parsed) return null;
  const v = parsed.value as Record<string, unknown> & Parsed<typeof COMMON_BEFORE> & Parsed<typeof COMMON_AFTER>;
  const p = v.protocol;
  const transport = TRANSPORTS.find((t) => t.protocol === p);
  const given = (k: string) => isPlainObject(raw) && raw[k] !== undefined;

  if (p) {
    for (const [key, protocols] of ONLY_FOR) {
      if (given(key) && !protocols.includes(p)) rep.add([key], `only used with protocol ${protocols.join(' or ')}; remove it`);
    }
  }

  // A secret is checked wherever its key is allowed (every secret key, when the protocol is unknown).
  const secrets: Record<string, SecretRef> = {};
  for (const key of SECRET_KEYS) {
    if (!given(key) || (transport && !transport.secrets.includes(key))) continue;
    const ref = parseSecretRef((raw as Record<string, unknown>)[key], [key], rep, configDir);
    if (ref) secrets[key] = ref;
  }

  transport?.check(v, { given, failed: (k) => parsed.failed.has(k), add: (at, message) => rep.add(at, message) });

  const schedule = given('schedule') ? parseSchedule(v.schedule, rep) : undefined;

  if (rep.count > before || !v.name || !v.mapping || !transport) return null;

  const own: Record<string, unknown> = {};
  for (const key of Object.keys(protocolShape)) {
    // Secrets are kept as their checked references; a key of another protocol has only its default here.
    if (!SECRET_KEYS.includes(key) && v[key] !== undefined) own[key] = v[key];
  }
  const result = {
    name: v.name,
    active: v.active!,
    mapping: v.mapping,
    protocol: transport.protocol,
    ...own,
    ...secrets,
    directory: v.directory ?? '',
    filePrefix: v.filePrefix!,
    ...(schedule ? { schedule } : {}),
    stableSeconds: v.stableSeconds!,
    includeUpdatedRecords: v.includeUpdatedRecords!,
    maxChangeRatio: v.maxChangeRatio!,
    ...transport.settle(v, configDir),
    paused: typeof v.host === 'string' && v.host.startsWith('**'),
    sourceFile,
  };
  return result as ImportConfig;
}
