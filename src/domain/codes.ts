// The catalog's data (SPEC 8): every code with its severity, kind, template, hint and HTTP status.
// Pure data, in the domain because line validation fills these templates; src/errors.ts builds
// FramError on it and re-exports it. docs/error-codes.md lists the same entries; a test keeps the
// two in step. Templates use {name} placeholders; messages are never truncated.

import type { Severity } from './types.js';

export type { Severity };

/** What went wrong, for programs: a test-connection verdict, an alert rule, an HTTP answer. */
export type ErrorKind =
  | 'line'
  | 'warning'
  | 'connection'
  | 'authentication'
  | 'directory'
  | 'hostKey'
  | 'certificate'
  | 'download'
  | 'rename'
  | 'wrongYear'
  | 'held'
  | 'unreadable'
  | 'inactive'
  | 'running'
  | 'paused'
  | 'interrupted'
  | 'permission'
  | 'unsafeName'
  | 'secretMissing'
  | 'storeBusy'
  | 'diskFull'
  | 'localStorage'
  | 'internal';

export interface CodeEntry {
  code: number;
  severity: Severity;
  kind: ErrorKind;
  template: string;
  /** One line: what a person should do about it. Shown wherever the message is. */
  hint: string;
  /** The status an HTTP answer carrying this code has. */
  httpStatus: number;
  /** Run errors only: whether trying again later can help. */
  retryable?: boolean;
}

type Entry = Omit<CodeEntry, 'code' | 'severity' | 'kind' | 'httpStatus'> & Partial<Pick<CodeEntry, 'kind' | 'httpStatus'>>;

const line = (code: number, e: Entry): CodeEntry => ({ code, severity: 'error', kind: 'line', httpStatus: 422, ...e });
const warning = (code: number, e: Entry): CodeEntry => ({ code, severity: 'warning', kind: 'warning', httpStatus: 200, ...e });
const run = (code: number, kind: ErrorKind, httpStatus: number, retryable: boolean, e: Entry): CodeEntry => ({
  code,
  severity: 'error',
  kind,
  httpStatus,
  retryable,
  ...e,
});

const entries: CodeEntry[] = [
  // Infinite Campus codes keep their numbers and texts.
  line(1001, {
    template: "State ID '{id}' not found",
    hint: 'Check the ID in the POS, or load a newer roster; then re-send the line',
  }),
  line(2001, {
    template: "Multiple matches found for Student State ID '{id}'",
    hint: 'Correct the duplicate State ID in the SIS, reload the roster, then re-send the line',
  }),
  warning(3037, { template: "The record currently exists and was updated with the Direct Type '{type}'", hint: 'Nothing to do' }),

  // Warnings.
  warning(3101, {
    template: 'A {kept} record ({start} - {end}) of higher rank was kept; the line was not applied',
    hint: 'Check the POS if you expected a change',
  }),
  warning(3102, {
    template: 'Eligibility lowered from {from} to {to} ({start} - {end}): the household must have been notified',
    hint: 'Make sure the household received the required notice',
  }),
  warning(3103, {
    template: 'End Date is empty; the default {date} was used',
    hint: 'Fine if intended; otherwise have the POS export end dates',
  }),
  warning(3104, {
    template: 'End Date cut from {from} to {to}: a {year} record starts on {start}',
    hint: 'A line never changes a later school year; correct that year with its own file if needed',
  }),

  // Line errors.
  line(4001, {
    template: "Invalid {field} '{value}'",
    hint: "Add the code to the mapping's values if it is legitimate, or fix it in the POS",
  }),
  line(4002, { template: "Invalid {field} '{value}': {why}", hint: "Fix the date in the POS, or the mapping's dateFormat" }),
  line(4003, {
    template: 'End Date is empty and the mapping has no defaultEndDate',
    hint: 'Have the POS export an end date, or set defaultEndDate in the mapping',
  }),
  line(4004, { template: 'Record contains End Date before Start Date', hint: 'Correct the dates in the POS' }),
  line(4005, {
    template: 'Start Date {date} is outside school year {year} ({from} - {to})',
    hint: 'Send the line with the mapping of its own school year',
  }),
  line(4006, {
    template: 'Line has {count} fields; the mapping reads {field} from column {column}',
    hint: 'Look at the line in the file; re-export it from the POS',
  }),
  line(4007, {
    template: "Source '{value}' disagrees with Certified Type '{type}', which is {source}",
    hint: 'Fix the line or the mapping',
  }),
  line(4008, {
    template: "Eligibility '{value}' is not allowed for Certified Type '{type}' (allowed: {allowed})",
    hint: "Fix the line in the POS, or the type's list in certified-types.yaml",
  }),

  // Run and file errors.
  run(5001, 'connection', 502, true, {
    template: 'Could not connect to {host}: {reason}',
    hint: 'The next run tries again; if it persists, check the host, port and network path',
  }),
  run(5002, 'authentication', 502, false, {
    template: 'Authentication failed for user {user}',
    hint: 'Update the credentials the import points to',
  }),
  run(5003, 'directory', 502, false, {
    template: "Directory '{directory}' not found",
    hint: "Fix the import's directory, or ask the POS vendor where files are dropped",
  }),
  run(5004, 'hostKey', 502, false, {
    template: 'Host key {fingerprint} is not trusted',
    hint: "Confirm the fingerprint with the server's owner, then pin it as hostKeySha256",
  }),
  run(5005, 'certificate', 502, false, {
    template: 'Certificate {fingerprint} is not trusted: {reason}',
    hint: "Confirm the certificate with the server's owner, then set caFile or certSha256",
  }),
  run(5006, 'download', 502, true, {
    template: "Download of '{file}' gave {got} bytes; the server listed {expected}",
    hint: 'Nothing was imported; the next run fetches the file again',
  }),
  run(5007, 'rename', 502, true, {
    template: "Could not rename '{file}' to '{target}': {reason}",
    hint: 'The rename is retried at the next run; if it keeps failing, give the login rename rights',
  }),
  run(5008, 'wrongYear', 422, false, {
    template: "File '{file}' looks like school year {looksLike}: {outside} of {dated} dated lines start outside {year}",
    hint: 'Point the import at the mapping for the right year, or have the POS export the right year',
  }),
  run(5009, 'held', 409, false, {
    template:
      "File '{file}' would end or remove {changed} of {active} active records of {year} ({percent}%, limit {limit}%); held for approval",
    hint: 'Review what it would change; approve it by its SHA-256, or dismiss it',
  }),
  run(5010, 'unreadable', 422, false, {
    template: "File '{file}' could not be read: {reason}",
    hint: 'Fix the file or the mapping and drop it again, or dismiss it',
  }),
  run(5011, 'inactive', 409, false, {
    template: "Import '{import}' is inactive",
    hint: 'Set the import active: true to run it (Test Import still works)',
  }),
  run(5012, 'running', 409, true, {
    template: "Import '{import}' is already running (run {runId})",
    hint: 'Try again once the running import ends',
  }),
  run(5013, 'paused', 409, false, {
    template: "Import '{import}' is paused: its host starts with '**'",
    hint: 'Remove the ** from the host to resume',
  }),
  run(5014, 'interrupted', 503, true, {
    template: 'The run was interrupted (the process stopped) before it finished',
    hint: 'Nothing to do: the next run picks up what is left',
  }),
  run(5015, 'permission', 502, false, {
    template: 'Permission denied: {reason}',
    hint: 'Grant the login access to the folder or file on the server',
  }),
  run(5016, 'unsafeName', 422, false, {
    template: "File name '{file}' cannot be used: {reason}; the file was left on the server",
    hint: 'Have the POS write a plain file name (no path separators or control characters, at most 255 bytes)',
  }),
  run(5017, 'secretMissing', 422, false, {
    template: 'Secret {secret} is missing or unreadable: {reason}',
    hint: 'Set the variable or mount the file the import names',
  }),
  run(5018, 'storeBusy', 503, true, {
    template: 'The store is busy with another writer; gave up after {seconds} s',
    hint: 'Try again when the running import or command has finished',
  }),
  run(5019, 'diskFull', 507, true, {
    template: 'No space left on the data volume while {doing} ({path})',
    hint: 'Free space on the data volume (or enlarge it), then run again',
  }),
  run(5020, 'localStorage', 500, false, {
    template: 'Cannot use {path}: {reason}',
    hint: "Check the data directory's owner, mode and mount (it must be writable by the service's user)",
  }),
  run(5021, 'internal', 500, false, {
    template: 'Unexpected error while {doing}: {reason}',
    hint: 'This is a fault in fram-import: report it with the log lines of this run',
  }),
];

export const CATALOG: ReadonlyMap<number, CodeEntry> = new Map(entries.map((e) => [e.code, e]));

export type Params = Record<string, string | number>;

/** Fill a code's template. A missing parameter is a programming error, so it throws. */
export function formatMessage(code: number, params: Params = {}): string {
  const entry = CATALOG.get(code);
  if (!entry) throw new Error(`unknown code ${code}`);
  return entry.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`code ${code}: missing parameter '${name}'`);
    return String(value);
  });
}
