// The daemon's HTTP side (SPEC 10). This part: /healthz and /readyz (open), /metrics (any token).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { allows, authenticate, type ApiToken, type Role } from './tokens.js';
import type { Logger } from '../log.js';

export interface WebDeps {
  /** DB open and migrated, config valid: an empty list. Otherwise what is wrong. */
  readiness(): string[];
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

export function createWebServer(deps: WebDeps): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
      switch (url.pathname) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz': {
          const problems = deps.readiness();
          return json(res, problems.length ? 503 : 200, { status: problems.length ? 'not ready' : 'ready', problems });
        }
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
