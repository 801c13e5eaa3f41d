// API tokens (SPEC 10): stored hashed in FRAM_API_TOKENS_FILE, a YAML list of
//   - { name: prometheus, role: viewer, sha256: <hex SHA-256 of the token> }
// A request presents the token itself as `Authorization: Bearer <token>`.
// One bad entry is reported and left out; every other token keeps working. The file is read with
// the config files' limits (1 MiB, aliases, UTF-8). Problems name an entry by its number and name,
// never by its hash or anything else it holds (someone may have pasted a token there).

import { createHash, timingSafeEqual } from 'node:crypto';
import { readYamlFile } from '../config/yaml.js';
import { isPlainObject } from '../config/issues.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  name: string;
  role: Role;
  hash: Buffer;
}

export interface TokenProblem {
  /** 1-based number of the entry in the list; absent for a problem of the whole file. */
  entry?: number;
  /** The entry's name, when it has a usable one. */
  name?: string;
  problem: string;
}

export interface TokensFile {
  tokens: ApiToken[];
  problems: TokenProblem[];
}

const KEYS = ['name', 'role', 'sha256'];
const NAME = /^[A-Za-z0-9 ._@-]{1,100}$/;

/** Reads and checks the tokens file. Never throws; a problem of the whole file leaves no tokens. */
export function loadTokens(file: string): TokensFile {
  const read = readYamlFile(file);
  if (!read.ok) return { tokens: [], problems: read.problems.map((problem) => ({ problem })) };
  const raw = read.data;
  if (raw === null || raw === undefined) return { tokens: [], problems: [] };
  if (!Array.isArray(raw)) return { tokens: [], problems: [{ problem: 'must be a list of { name, role, sha256 }' }] };
  const problems: TokenProblem[] = [];
  const tokens: ApiToken[] = [];
  raw.forEach((e: unknown, i) => {
    const entry = i + 1;
    const rawName = isPlainObject(e) && typeof e.name === 'string' ? e.name.trim() : '';
    const name = NAME.test(rawName) ? rawName : null;
    const bad = (problem: string) => problems.push({ entry, ...(name ? { name } : {}), problem });
    if (!isPlainObject(e)) return bad('must be a map { name, role, sha256 }');
    const before = problems.length;
    // An unknown key (an `expires:` this file does not support, say) would be silently ignored: refuse the entry.
    for (const key of Object.keys(e))
      if (!KEYS.includes(key)) bad(`unknown key '${/^[A-Za-z0-9_]{1,40}$/.test(key) ? key : '?'}' (known: ${KEYS.join(', ')})`);
    if (!name) bad('name is required: 1-100 letters, digits, spaces or . _ @ -');
    const role = ROLES.includes(e.role as Role) ? (e.role as Role) : null;
    if (!role) bad(`role must be one of ${ROLES.join(', ')}`);
    const hex = typeof e.sha256 === 'string' ? e.sha256.trim().toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(hex)) bad("sha256 must be the token's SHA-256 in hex (64 characters)");
    if (problems.length > before || !name || !role) return;
    const hash = Buffer.from(hex, 'hex');
    const sameName = tokens.findIndex((t) => t.name.toLowerCase() === name.toLowerCase());
    if (sameName >= 0) return bad(`the name is already used by another entry; names must be unique`);
    const sameHash = tokens.findIndex((t) => t.hash.equals(hash));
    if (sameHash >= 0) return bad(`the same token as entry '${tokens[sameHash].name}'; each person or system needs its own`);
    tokens.push({ name, role, hash });
  });
  return { tokens, problems };
}

/** A problem as one line, for /readyz and error messages. */
export function describeTokenProblem(file: string, p: TokenProblem): string {
  const which = p.entry === undefined ? '' : ` entry ${p.entry}${p.name ? ` ('${p.name}')` : ''}:`;
  return `${file}:${which} ${p.problem}`;
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
