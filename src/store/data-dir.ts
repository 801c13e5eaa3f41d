// File modes (SPEC 8): what the service writes (store, WAL, staging, backups, exports) is readable by
// its own user only. The umask makes every new file 0600 and folder 0700; the data dir itself is
// restricted to 0700. Where the volume refuses a mode (a Kubernetes fsGroup mount), it warns and goes on.

import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { localFailure } from '../errors.js';
import type { Logger } from '../log.js';

export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** Creates the data dir (0700) if needed and tightens its mode; returns a warning when the volume refused. */
export function prepareDataDir(dataDir: string, log?: Logger): string | null {
  restrictNewFiles();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw localFailure(e, dataDir, 'creating the data directory');
  }
  const mode = statSync(dataDir).mode & 0o777;
  if (mode === 0o700) return null;
  try {
    chmodSync(dataDir, 0o700);
    return null;
  } catch (e) {
    const warning = `the data directory ${dataDir} is mode ${mode.toString(8)} and could not be made 0700 (${(e as NodeJS.ErrnoException).code ?? e}); other local users may read it`;
    log?.warn({ dataDir, mode: mode.toString(8) }, 'datadir:mode');
    return warning;
  }
}

/**
 * Tightens the store's own files (a store made by an older version, or copied in, may be 0644).
 * Returns the files whose mode could not be changed.
 */
export function restrictStoreFiles(dbFile: string): string[] {
  const refused: string[] = [];
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
    const s = statSync(f, { throwIfNoEntry: false });
    if (!s || (s.mode & 0o777) === 0o600) continue;
    try {
      chmodSync(f, 0o600);
    } catch {
      refused.push(f);
    }
  }
  return refused;
}
