// The one catalog of codes (SPEC 8). docs/error-codes.md lists the same entries; a test keeps
// the two in step. Templates use {name} placeholders; messages are never truncated.

import type { Severity } from './domain/types.js';

export interface CodeEntry {
  code: number;
  severity: Severity;
  template: string;
  /** Run errors only: whether trying again later can help. */
  retryable?: boolean;
}

const entries: CodeEntry[] = [
  // Infinite Campus codes keep their numbers and texts.
  { code: 1001, severity: 'error', template: "State ID '{id}' not found" },
  { code: 2001, severity: 'error', template: "Multiple matches found for Student State ID '{id}'" },
  { code: 3037, severity: 'warning', template: "The record currently exists and was updated with the Direct Type '{type}'" },

  // Warnings.
  { code: 3101, severity: 'warning', template: 'A {kept} record ({start} - {end}) of higher rank was kept; the line was not applied' },
  { code: 3102, severity: 'warning', template: 'Eligibility lowered from {from} to {to} ({start} - {end}): the household must have been notified' },
  { code: 3103, severity: 'warning', template: 'End Date is empty; the default {date} was used' },

  // Line errors.
  { code: 4001, severity: 'error', template: "Invalid {field} '{value}'" },
  { code: 4002, severity: 'error', template: "Invalid {field} '{value}': expected a date as {format}" },
  { code: 4003, severity: 'error', template: 'End Date is empty and the mapping has no defaultEndDate' },
  { code: 4004, severity: 'error', template: 'Record contains End Date before Start Date' },
  { code: 4005, severity: 'error', template: 'Start Date {date} is outside school year {year} ({from} - {to})' },
  { code: 4006, severity: 'error', template: 'Line has {count} fields; the mapping reads {field} from column {column}' },
  { code: 4007, severity: 'error', template: "Source '{value}' disagrees with Certified Type '{type}', which is {source}" },
  { code: 4008, severity: 'error', template: "Eligibility '{value}' is not allowed for Certified Type '{type}' (allowed: {allowed})" },

  // Run and file errors.
  { code: 5001, severity: 'error', template: 'Could not connect to {host}: {reason}', retryable: true },
  { code: 5002, severity: 'error', template: 'Authentication failed for user {user}', retryable: false },
  { code: 5003, severity: 'error', template: "Directory '{directory}' not found", retryable: false },
  { code: 5004, severity: 'error', template: 'Host key {fingerprint} is not trusted', retryable: false },
  { code: 5005, severity: 'error', template: 'Certificate {fingerprint} is not trusted: {reason}', retryable: false },
  { code: 5006, severity: 'error', template: "Download of '{file}' gave {got} bytes; the server listed {expected}", retryable: true },
  { code: 5007, severity: 'error', template: "Could not rename '{file}' to '{target}': {reason}", retryable: true },
  { code: 5008, severity: 'error', template: "File '{file}' looks like school year {looksLike}: {outside} of {dated} dated lines start outside {year}", retryable: false },
  { code: 5009, severity: 'error', template: "File '{file}' would end or remove {changed} of {active} active records of {year} ({percent}%, limit {limit}%); held for approval", retryable: false },
  { code: 5010, severity: 'error', template: "File '{file}' could not be read: {reason}", retryable: false },
  { code: 5011, severity: 'error', template: "Import '{import}' is inactive", retryable: false },
  { code: 5012, severity: 'error', template: "Import '{import}' is already running (run {runId})", retryable: true },
  { code: 5013, severity: 'error', template: "Import '{import}' is paused: its host starts with '**'", retryable: false },
  { code: 5014, severity: 'error', template: 'The run was interrupted (the process stopped) before it finished', retryable: true },
  { code: 5015, severity: 'error', template: 'Permission denied: {reason}', retryable: false },
];

export const CATALOG: ReadonlyMap<number, CodeEntry> = new Map(entries.map((e) => [e.code, e]));

/** Fill a code's template. A missing parameter is a programming error, so it throws. */
export function formatMessage(code: number, params: Record<string, string | number> = {}): string {
  const entry = CATALOG.get(code);
  if (!entry) throw new Error(`unknown code ${code}`);
  return entry.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`code ${code}: missing parameter '${name}'`);
    return String(value);
  });
}

/** A run or file failure: an exception that carries a catalog code. */
export class FramError extends Error {
  readonly code: number;
  readonly retryable: boolean;
  constructor(code: number, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(formatMessage(code, params), options);
    this.name = 'FramError';
    this.code = code;
    this.retryable = CATALOG.get(code)?.retryable ?? false;
  }
}
