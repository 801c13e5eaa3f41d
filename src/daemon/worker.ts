// The daemon's one worker (SPEC 6.6, 10): runs are taken one at a time, so the store has one writer.
// Scheduled and manual runs wait in memory; batch runs wait in SQLite and are taken when due,
// high priority first. An import already waiting or running is not queued again.

import type { QueueStore, BatchEntry } from '../store/queue.js';
import type { RunRequest, RunResult } from '../import/run-import.js';
import type { Logger } from '../log.js';

export interface Job {
  request: RunRequest;
  /** The batch entry the job came from, if any. */
  batchId?: number;
  /** Called with the run when it has finished. */
  done?: (result: RunResult) => void;
}

export interface WorkerDeps {
  run: (req: RunRequest) => Promise<RunResult>;
  queue: QueueStore;
  log: Logger;
  now: () => Date;
  /** How often the batch queue is looked at when nothing wakes the worker (other processes can submit). */
  pollMs?: number;
}

export interface Worker {
  /** Queues a run; false when a run of that import is already waiting or running (the overlap is refused). */
  enqueue(job: Job): boolean;
  /** Wakes the worker to look at the batch queue now. */
  poke(): void;
  /** What is running now, if anything. */
  current(): string | null;
  /** Waiting in memory (schedule, manual), for /metrics. */
  waiting(): number;
  /** Stops taking work and resolves once the run in progress (if any) has ended. */
  stop(): Promise<void>;
}

export function createWorker(deps: WorkerDeps): Worker {
  const pending: Job[] = [];
  let running: string | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const pollMs = deps.pollMs ?? 15_000;

  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const sleepUntilWoken = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      const due = deps.queue.nextTime();
      const untilDue = due ? Math.max(0, due.getTime() - deps.now().getTime()) : pollMs;
      timer = setTimeout(poke, Math.min(untilDue, pollMs));
    });

  function nextBatchJob(): Job | null {
    const entry: BatchEntry | null = deps.queue.nextDue(deps.now());
    if (!entry) return null;
    deps.queue.start(entry.id);
    return {
      batchId: entry.id,
      request: {
        importName: entry.import, test: entry.test, keep: entry.keep,
        trigger: { kind: 'batch', by: entry.submittedBy },
      },
    };
  }

  async function execute(job: Job): Promise<void> {
    running = job.request.importName;
    let result: RunResult | null = null;
    try {
      result = await deps.run(job.request);
      job.done?.(result);
    } catch (e) {
      deps.log.error({ import: job.request.importName, err: (e as Error).message }, 'run:crashed');
    } finally {
      if (job.batchId !== undefined) deps.queue.finish(job.batchId, result?.runId ?? null);
      running = null;
    }
  }

  const loop = (async () => {
    while (!stopping) {
      const job = pending.shift() ?? nextBatchJob();
      if (job) await execute(job);
      else {
        await sleepUntilWoken();
        if (timer) clearTimeout(timer);
      }
    }
  })();

  return {
    enqueue(job) {
      const name = job.request.importName;
      if (stopping) return false;
      if (running === name || pending.some((p) => p.request.importName === name)) {
        deps.log.warn({ import: name, trigger: job.request.trigger?.kind }, 'run:overlap-refused');
        return false;
      }
      pending.push(job);
      poke();
      return true;
    },
    poke,
    current: () => running,
    waiting: () => pending.length,
    async stop() {
      stopping = true;
      pending.length = 0;
      poke();
      await loop;
    },
  };
}
