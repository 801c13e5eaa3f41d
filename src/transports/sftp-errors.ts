// How the SFTP transport turns ssh2's errors into catalog codes (SPEC 8), without secrets.

import { FramError, unexpected } from '../errors.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 sets them on `err.code`. */
export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
} as const;

/** What ssh2 hangs on its errors. */
interface Ssh2Error extends Error {
  code?: string | number;
  level?: string;
}

/**
 * A copy of `err` for a `cause`: same message (with any secret blanked out), code and level,
 * and nothing else that ssh2 may have attached.
 */
export function safeCause(err: unknown, secrets: readonly string[]): Error {
  const e = err as Ssh2Error;
  let message = e instanceof Error ? e.message : String(err);
  for (const s of secrets) if (s) message = message.split(s).join('***');
  const copy: Ssh2Error = new Error(message);
  copy.name = e instanceof Error ? e.name : 'Error';
  if (e?.code !== undefined) copy.code = e.code;
  if (e?.level !== undefined) copy.level = e.level;
  return copy;
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}`;
}

/** 5001 with its detail ('dns' | 'refused' | 'timeout' | 'lost', or none), the cause without secrets. */
export function cannotConnect(
  host: string,
  reason: string,
  detail: string | undefined,
  secrets: readonly string[],
  cause?: unknown,
): FramError {
  return new FramError(
    5001,
    { host, reason },
    { ...(detail ? { detail } : {}), ...(cause ? { cause: safeCause(cause, secrets) } : {}) },
  );
}

export function timedOut(host: string, ms: number, secrets: readonly string[], cause?: unknown, what = ''): FramError {
  return cannotConnect(host, `timed out after ${seconds(ms)} s${what}`, 'timeout', secrets, cause);
}

export function connectionLost(host: string, secrets: readonly string[], cause?: unknown): FramError {
  return cannotConnect(host, 'connection lost', 'lost', secrets, cause);
}

export interface ConnectContext {
  host: string;
  user: string;
  connectTimeoutMs: number;
  /** Values that must never appear in a message: password, passphrase, key. */
  secrets: readonly string[];
}

/** Maps a failure before the session was ready (socket, handshake, authentication). */
export function connectFailure(err: unknown, ctx: ConnectContext): FramError {
  if (err instanceof FramError) return err;
  const e = err as Ssh2Error;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = e instanceof Error ? e.message : String(err);
  const fail = (reason: string, detail?: string) => cannotConnect(ctx.host, reason, detail, ctx.secrets, err);

  if (e?.level === 'client-authentication' || /^(Cannot parse privateKey|privateKey value|Encrypted private)/.test(message)) {
    return new FramError(5002, { user: ctx.user }, { cause: safeCause(err, ctx.secrets) });
  }
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA'].includes(code) || e?.level === 'client-dns') {
    return fail(`DNS lookup failed for ${ctx.host}`, 'dns');
  }
  if (code === 'ECONNREFUSED') return fail('connection refused', 'refused');
  if (e?.level === 'client-timeout' || code === 'ETIMEDOUT') return timedOut(ctx.host, ctx.connectTimeoutMs, ctx.secrets, err);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return fail('host unreachable');
  if (e?.level === 'handshake' || e?.level === 'protocol')
    return fail(`SSH handshake failed: ${safeCause(err, ctx.secrets).message}`);
  // The socket failed or closed, the server sent DISCONNECT (a numeric reason), or the client saw the session end.
  if (
    e?.level === 'client-socket' ||
    typeof e?.code === 'number' ||
    /Unexpected (end|close) event|Connection lost|No response from server/.test(message)
  ) {
    return fail('connection lost', 'lost');
  }
  return unexpected(safeCause(err, ctx.secrets), `connecting to ${ctx.host} by SFTP`);
}
