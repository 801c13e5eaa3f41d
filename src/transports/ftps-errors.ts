// basic-ftp and socket errors -> catalog codes, for the FTPS transport. No message or cause
// that leaves here contains the password.

import { FTPError } from 'basic-ftp';
import { FramError, unexpected } from '../errors.js';
import { TargetExistsError } from './transport.js';

/** Where a connect attempt was when it failed; named in 5001's reason. */
export type ConnectPhase = 'connect' | 'TLS handshake' | 'greeting' | 'login' | 'session set-up' | 'directory';

export interface ErrorContext {
  host: string;
  port: number;
  password: string;
}

/** Removes the password from a text, should a server or library ever echo it. */
export function scrub(text: string, ctx: ErrorContext): string {
  return ctx.password ? text.split(ctx.password).join('***') : text;
}

/** The original error as `cause`, unless its text holds the password: then a scrubbed copy. */
export function safeCause(e: unknown, ctx: ErrorContext): unknown {
  if (!(e instanceof Error) || !ctx.password) return e;
  const text = `${e.message}\n${e.stack ?? ''}`;
  return text.includes(ctx.password) ? new Error(scrub(e.message, ctx)) : e;
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

interface NetworkReason {
  reason: string;
  /** FramError's detail for 5001: 'dns' | 'refused' | 'lost', or none. */
  detail?: string;
}

/** A reason for 5001 from a socket-level error, or null when it is not one. */
function networkReason(e: unknown, ctx: ErrorContext): NetworkReason | null {
  const code = errnoCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') {
    return { reason: `DNS lookup of ${ctx.host} failed (${code})`, detail: 'dns' };
  }
  if (code === 'ECONNREFUSED') return { reason: `connection refused on port ${ctx.port}`, detail: 'refused' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { reason: `host unreachable (${code})` };
  if (code === 'ETIMEDOUT' || /\bTimeout\b/i.test(message)) return null; // timeouts are worded by the caller
  if (code === 'ECONNRESET' || code === 'EPIPE' || /closed|FIN packet|socket hang up|transmission error/i.test(message)) {
    return { reason: `connection lost (${scrub(message, ctx)})`, detail: 'lost' };
  }
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || /ssl|tls/i.test(message)) {
    return { reason: `TLS failed: ${scrub(message, ctx)}` };
  }
  return null;
}

function cannotConnect(host: string, reason: string, detail: string | undefined, cause: unknown): FramError {
  return new FramError(5001, { host, reason }, { cause, ...(detail ? { detail } : {}) });
}

function isTimeout(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  return errnoCode(e) === 'ETIMEDOUT' || /\bTimeout\b/i.test(message);
}

/** An error of the connect sequence (connect, TLS, greeting, login, cd) as a FramError. */
export function connectError(
  e: unknown,
  phase: ConnectPhase,
  ctx: ErrorContext & { user: string; directory: string; mode: 'implicit' | 'explicit'; timeoutMs: number; timedOut: boolean },
): Error {
  if (e instanceof FramError) return e;
  const cause = safeCause(e, ctx);
  const host = `${ctx.host}:${ctx.port}`;
  if (e instanceof FTPError) {
    if (phase === 'login' && e.code === 530) return new FramError(5002, { user: ctx.user }, { cause });
    if (phase === 'directory' && e.code === 550) return new FramError(5003, { directory: ctx.directory }, { cause });
    const said = scrub(e.message.trim(), ctx);
    return cannotConnect(host, `the server refused the ${phase}: ${said}`, undefined, cause);
  }
  if (ctx.timedOut || isTimeout(e)) {
    const hint =
      ctx.mode === 'explicit' && (phase === 'greeting' || phase === 'connect')
        ? '; an implicit-TLS port says nothing until a TLS handshake: check ftpsMode'
        : '';
    return cannotConnect(host, `timed out after ${ctx.timeoutMs} ms during the ${phase}${hint}`, 'timeout', cause);
  }
  const net = networkReason(e, ctx);
  if (net !== null) {
    const hint =
      ctx.mode === 'implicit' && /wrong version number/i.test(net.reason)
        ? ' (the port does not speak implicit TLS: check ftpsMode)'
        : '';
    return cannotConnect(host, `${net.reason} during the ${phase}${hint}`, net.detail, cause);
  }
  return unexpected(cause, `connecting to ${host} by FTPS (${phase})`);
}

/**
 * An error of an operation on an open session: 550 is permission (5015), connection losses and
 * stalls are 5001, and `refused` words any other 5xx answer for the operation (a rename's 5007).
 */
export function operationError(
  e: unknown,
  what: string,
  ctx: ErrorContext & { idleTimeoutMs: number },
  refused?: (said: string) => Error,
): Error {
  if (e instanceof FramError || e instanceof TargetExistsError) return e;
  const cause = safeCause(e, ctx);
  const host = `${ctx.host}:${ctx.port}`;
  if (e instanceof FTPError) {
    const said = scrub(`${e.code} ${e.message.replace(/^\d{3}[ -]?/, '').trim()}`, ctx);
    if (e.code === 550) return new FramError(5015, { reason: `the server refused to ${what} (${said})` }, { cause });
    if ((e.code >= 400 && e.code < 500) || e.code === 530)
      return cannotConnect(host, `the server could not ${what} (${said})`, undefined, cause);
    if (e.code >= 500 && refused) return refused(said);
    return unexpected(cause, `trying to ${what}: the server answered ${said}`);
  }
  if (isTimeout(e)) {
    return cannotConnect(
      host,
      `connection timed out: no progress for ${ctx.idleTimeoutMs} ms while trying to ${what}`,
      'timeout',
      cause,
    );
  }
  const net = networkReason(e, ctx);
  if (net !== null) return cannotConnect(host, `${net.reason} while trying to ${what}`, net.detail, cause);
  // basic-ftp refuses work once the connection is closed ("Client is closed").
  const message = e instanceof Error ? e.message : String(e);
  if (/client is closed/i.test(message)) return cannotConnect(host, `connection lost while trying to ${what}`, 'lost', cause);
  return unexpected(cause, `trying to ${what} on ${host}`);
}
