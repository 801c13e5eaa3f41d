// API tokens (SPEC 10): stored hashed in FRAM_API_TOKENS_FILE, a YAML list of
//   - { name: prometheus, role: viewer, sha256: <hex SHA-256 of the token> }
// A request presents the token itself as `Authorization: Bearer <token>`.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  name: string;
  role: Role;
  hash: Buffer;
}

/** Reads and checks the tokens file; throws one error naming every bad entry (never a token). */
export function loadTokens(file: string): ApiToken[] {
  const raw: unknown = parse(readFileSync(file, 'utf8'));
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error(`${file}: must be a list of { name, role, sha256 }`);
  const problems: string[] = [];
  const tokens: ApiToken[] = [];
  raw.forEach((t: unknown, i) => {
    const e = (t ?? {}) as Record<string, unknown>;
    const name = typeof e.name === 'string' && e.name.trim() ? e.name.trim() : null;
    const role = ROLES.includes(e.role as Role) ? (e.role as Role) : null;
    const hex = typeof e.sha256 === 'string' ? e.sha256.trim().toLowerCase() : '';
    if (!name) problems.push(`entry ${i + 1}: name is required`);
    if (!role) problems.push(`entry ${i + 1}: role must be one of ${ROLES.join(', ')}`);
    if (!/^[0-9a-f]{64}$/.test(hex)) problems.push(`entry ${i + 1}: sha256 must be the token's SHA-256 in hex (64 characters)`);
    if (name && role && /^[0-9a-f]{64}$/.test(hex)) tokens.push({ name, role, hash: Buffer.from(hex, 'hex') });
  });
  if (problems.length) throw new Error(`${file}:\n  ${problems.join('\n  ')}`);
  return tokens;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token presented in an Authorization header, if it is one of ours. */
export function authenticate(tokens: ApiToken[], authorization: string | undefined): ApiToken | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return null;
  const hash = createHash('sha256').update(m[1], 'utf8').digest();
  return tokens.find((t) => timingSafeEqual(t.hash, hash)) ?? null;
}

/** viewer < operator < admin. */
export function allows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
