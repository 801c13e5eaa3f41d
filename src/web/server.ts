// The daemon's HTTP side (SPEC 10). This part: /healthz and /readyz (open), /metrics (any token).
// /readyz is 503 only when the store cannot be used: an invalid config file disables some imports, not the daemon.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { allows, authenticate, type ApiToken, type Role } from './tokens.js';
import type { Logger } from '../log.js';

/** What /readyz reports (SPEC 10): only a store that cannot be used makes the daemon not ready. */
export interface Readiness {
  /** Why the store cannot be used; empty when it is open and migrated. */
  store: string[];
  /** Imports that cannot run, by name (or file), with why. */
  disabled: ReadonlyMap<string, string[]>;
  /** Imports running their previous config, with the problem that holds them there. */
  previousConfig: ReadonlyMap<string, string[]>;
  /** Every other problem: the config dir's files, the tokens file. */
  problems: string[];
}

export interface WebDeps {
  readiness(): Readiness;
  metrics(): string;
  tokens(): ApiToken[];
  log: Logger;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, `${JSON.stringify(value)}\n`);

function guard(req: IncomingMessage, res: ServerResponse, deps: WebDeps, need: Role): boolean {
  const token = authenticate(deps.tokens(), req.headers.authorization);
  if (!token) {
    res.setHeader('www-authenticate', 'Bearer');
    json(res, 401, { error: 'a valid API token is required (Authorization: Bearer <token>)' });
    return false;
  }
  if (!allows(token.role, need)) {
    json(res, 403, { error: `the token's role ${token.role} may not do this; it needs ${need}` });
    return false;
  }
  return true;
}

/**
 * Open to all (a probe has no token), so without a token it says only whether the store can be
 * used; with any valid token it also names the disabled imports and every other problem.
 */
function readyz(req: IncomingMessage, res: ServerResponse, deps: WebDeps): void {
  const r = deps.readiness();
  const status = r.store.length ? 503 : 200;
  const head = { status: r.store.length ? 'not ready' : 'ready' };
  if (authenticate(deps.tokens(), req.headers.authorization)) {
    return json(res, status, {
      ...head,
      problems: [...r.store, ...r.problems],
      disabled: Object.fromEntries(r.disabled),
      previousConfig: Object.fromEntries(r.previousConfig),
    });
  }
  const more = r.problems.length + r.disabled.size + r.previousConfig.size > 0;
  return json(res, status, {
    ...head,
    problems: r.store,
    ...(more ? { more: 'other problems are listed with a valid token (Authorization: Bearer)' } : {}),
  });
}

export function createWebServer(deps: WebDeps): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
      switch (url.pathname) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz':
          return readyz(req, res, deps);
        case '/metrics':
          if (!guard(req, res, deps, 'viewer')) return;
          return send(res, 200, deps.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
        default:
          if (!guard(req, res, deps, 'viewer')) return;
          return json(res, 404, { error: 'not found' });
      }
    } catch (e) {
      deps.log.error({ path: url.pathname, err: (e as Error).message }, 'http:error');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    }
  });
}
