// An online backup of the store (SPEC 3 `db backup`): safe while the daemon runs.

import type { Kit } from './deps.js';

export function createBackup(kit: Kit) {
  return {
    async write(path: string): Promise<{ path: string; pages: number }> {
      const { totalPages } = await kit.db().backup(path);
      return { path, pages: totalPages };
    },
  };
}
