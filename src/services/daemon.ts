// What the daemon does around its runs: recovering from a process that died, retention, and what
// /readyz and /metrics read.

import { sweepStaging } from '../import/staging.js';
import { createRunStore } from '../store/runs.js';
import { createQueueStore, type QueueStore } from '../store/queue.js';
import { createScheduleState, type ScheduleState } from '../store/schedule-state.js';
import { pruneRuns } from '../store/history.js';
import { storeProblems } from '../store/health.js';
import { readRunMetrics, type RunMetrics } from '../store/run-stats.js';
import type { StoreWait } from '../store/wait.js';
import type { Kit } from './deps.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function createDaemonServices(kit: Kit) {
  const { log, settings } = kit.deps;
  return {
    /**
     * At start: runs a dead process left Running are reaped (unless another live process holds their
     * import's run lock), what they left in staging goes, and batch entries they left running are queued again.
     */
    async recover(): Promise<void> {
      const runs = createRunStore(kit.db());
      const reaped = await kit.wait().run('run:reap', () => runs.reapStale(kit.now().toISOString(), settings.dataDir));
      if (reaped) log.warn({ runs: reaped }, 'run:reaped');
      // What dead runs left in staging (copies, .part files, smbclient's password files) goes now.
      const running = runs.runningIds();
      const swept = sweepStaging(settings.dataDir, (id) => running.has(id));
      if (swept.length) log.warn({ removed: swept.length }, 'staging:swept');
      const requeued = await kit.wait().run('batch:requeue', () => createQueueStore(kit.db()).requeueInterrupted());
      if (requeued) log.warn({ entries: requeued }, 'batch:requeued');
    },

    /** Retention: runs older than `days` go (keep runs and running ones stay); in the background, never thrown. */
    prune(days: number): void {
      const before = new Date(kit.now().getTime() - days * DAY_MS).toISOString();
      kit.wait().background('retention', () => {
        const n = pruneRuns(kit.db(), before);
        if (n) log.info({ runs: n, before }, 'retention:pruned');
      });
    },

    /** Why the store cannot be used (closed, not migrated, unreadable); empty when it can. */
    storeProblems: (): string[] => storeProblems(kit.db()),

    metrics: (): RunMetrics => readRunMetrics(kit.db()),

    /** The worker's parts: the batch queue, the schedules' watermarks, and how their writes wait out a busy store. */
    queue: (): QueueStore => createQueueStore(kit.db()),
    scheduleState: (): ScheduleState => createScheduleState(kit.db(), kit.wait()),
    wait: (): StoreWait => kit.wait(),
  };
}
