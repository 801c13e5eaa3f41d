// Undoing one real run (SPEC 3 `revert`), if nothing later touched the records it changed.

import { revertRun, RevertRefused, type RevertResult } from '../store/revert.js';
import type { Kit } from './deps.js';
import { Refusal } from './refusal.js';

export function createRevert(kit: Kit) {
  return {
    async run(runId: number): Promise<RevertResult> {
      try {
        return await kit.write('revert', () => revertRun(kit.db(), runId, kit.now().toISOString()));
      } catch (e) {
        if (e instanceof RevertRefused) throw new Refusal(e.message, { reason: 'conflict' });
        throw e;
      }
    },
  };
}
