// Whether the store can be used at all: what /readyz reports (SPEC 10).

import { isBusy } from '../errors.js';
import { SCHEMA_VERSION, type Db } from './db.js';

/** Why the store cannot be used; empty when it is open and migrated. A busy store is usable (it is waited out). */
export function storeProblems(db: Db): string[] {
  try {
    if (!db.open) return ['the database is closed'];
    if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) return ['the database is not migrated'];
  } catch (e) {
    if (!isBusy(e)) return [`the database cannot be read: ${(e as { code?: string }).code ?? (e as Error).message}`];
  }
  return [];
}
