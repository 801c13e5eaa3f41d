// The batch queue (IC's Submit to Batch, SPEC 10): one-off runs the daemon's worker takes when due.

import { createQueueStore, type NewBatchEntry } from '../store/queue.js';
import { instantOfWallTime } from '../scheduler/next-run.js';
import type { Kit } from './deps.js';
import { findImport } from './imports.js';
import { Refusal } from './refusal.js';

/**
 * When to run: an ISO date-time. With `Z` or an offset it is that instant; without one it is a wall
 * time in FRAM_TZ (`2026-11-23T05:30`, seconds optional, a space instead of `T` allowed).
 */
export function parseRunAt(text: string, tz: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m)
    throw new Refusal(`'${text}' is not an ISO date-time such as 2026-11-23T05:30 (FRAM_TZ) or 2026-11-23T11:30Z`, {
      input: 'at',
    });
  const [, y, mo, d, h, mi, s, zone] = m;
  const wall = { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: s ? +s : 0 };
  const probe = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (
    probe.getUTCMonth() !== wall.month - 1 ||
    probe.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    throw new Refusal(`'${text}' is not a real date and time`, { input: 'at' });
  }
  if (!zone) return instantOfWallTime(wall, tz);
  return new Date(
    `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`,
  );
}

export interface Submission {
  importName: string;
  /** `parseRunAt`'s text. */
  at: string;
  highPriority: boolean;
  keep: boolean;
  test: boolean;
  by: string | null;
}

export function createQueue(kit: Kit) {
  const { deps } = kit;
  return {
    /** Queues a run; an inactive import can only have test runs queued (a real one would fail 5011). */
    async submit(s: Submission): Promise<{ id: number } & NewBatchEntry> {
      const imp = findImport(deps.config(), deps.settings.configDir, s.importName);
      if (!imp.active && !s.test) {
        throw new Refusal(`import '${imp.name}' is inactive (active: false); only --test runs can be queued`, {
          reason: 'conflict',
        });
      }
      const at = parseRunAt(s.at, deps.settings.tz);
      const entry: NewBatchEntry = {
        import: imp.name,
        runAt: at.toISOString(),
        highPriority: s.highPriority,
        keep: s.keep,
        test: s.test,
        submittedBy: s.by,
        submittedAt: kit.now().toISOString(),
      };
      const id = await kit.write('batch:submit', () => createQueueStore(kit.db()).submit(entry));
      return { id, ...entry };
    },
  };
}
