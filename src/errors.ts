// Run and file failures as exceptions (SPEC 8): FramError carries a catalog code and its values.
// The catalog itself is data in src/domain/codes.ts, re-exported here so callers import one place.

import { CATALOG, formatMessage, type ErrorKind, type Params } from './domain/codes.js';

export { CATALOG, formatMessage, type CodeEntry, type ErrorKind, type Params, type Severity } from './domain/codes.js';

export interface FramErrorOptions {
  cause?: unknown;
  /** A finer, machine-readable reason inside the code (5001: 'dns' | 'refused' | 'timeout' | 'lost'). */
  detail?: string;
}

/** A run or file failure: an exception that carries a catalog code and the values of its message. */
export class FramError extends Error {
  readonly code: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly params: Readonly<Params>;
  readonly detail: string | null;
  constructor(code: number, params: Params = {}, options: FramErrorOptions = {}) {
    super(formatMessage(code, params), options.cause === undefined ? undefined : { cause: options.cause });
    const entry = CATALOG.get(code)!;
    this.name = 'FramError';
    this.code = code;
    this.kind = entry.kind;
    this.retryable = entry.retryable ?? false;
    this.params = Object.freeze({ ...params });
    this.detail = options.detail ?? null;
  }

  get hint(): string {
    return CATALOG.get(this.code)!.hint;
  }
}

/** The errno-style code of a Node or SQLite error, if it has one. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLite's "another connection holds the write lock" (better-sqlite3's codes). */
export function isBusy(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code?.startsWith('SQLITE_BUSY_') === true;
}

/** An error that is not one of ours, named as what it is (5021), never relabelled as a connection or file error. */
export function unexpected(e: unknown, doing: string): FramError {
  if (e instanceof FramError) return e;
  const code = errorCode(e);
  return new FramError(5021, { doing, reason: `${(e as Error)?.message ?? String(e)}${code ? ` (${code})` : ''}` }, { cause: e });
}

/**
 * A local file-system or store failure as the catalog names it: disk full 5019, a store busy with
 * another writer 5018, anything else 5020 naming the path. Already-coded errors pass through.
 */
export function localFailure(e: unknown, path: string, doing: string, busySeconds = 0): FramError {
  if (e instanceof FramError) return e;
  const code = errorCode(e);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return new FramError(5019, { doing, path }, { cause: e });
  if (isBusy(e)) return new FramError(5018, { seconds: busySeconds }, { cause: e });
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS' || code?.startsWith('SQLITE_READONLY')
        ? 'the file system or file is read-only'
        : code === 'ENAMETOOLONG'
          ? 'the path is too long'
          : code === 'ENOENT'
            ? 'the folder or file does not exist'
            : code === 'ENOTDIR'
              ? 'a part of the path is not a folder'
              : `${(e as Error)?.message ?? String(e)}${code ? ` (${code})` : ''}`;
  return new FramError(5020, { path, reason: `${why} while ${doing}` }, { cause: e });
}
