// The daemon's one worker (SPEC 6.6, 10): runs are taken one at a time, so the store has one writer.
// Scheduled and manual runs wait in memory; batch runs wait in SQLite and are taken when due,
// high priority first. An import already waiting or running is not queued again. Nothing escapes
// the loop: a store busy with another process is waited out (a batch entry found then runs after it),
// and any other failure is logged and the loop goes on.

import type { QueueStore, BatchEntry } from '../store/queue.js';
import type { RunRequest, RunResult } from '../import/run-import.js';
import type { Logger } from '../log.js';
import type { StoreWait } from '../store/wait.js';
import { systemClock, type TimerClock } from '../scheduler/timer.js';

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
  /** The timers of the clock that `now` reads (the daemon's injected clock), so a fake clock drives the polls too; default the process's. */
  timers?: Pick<TimerClock<unknown>, 'setTimeout' | 'clearTimeout'>;
  /** How often the batch queue is looked at when nothing wakes the worker (other processes can submit). */
  pollMs?: number;
  /** The worker's own store writes (the batch queue) go through it; by default they are made at once. */
  store?: StoreWait;
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
  /** A poke that came while the loop was not asleep (it was reading the queue): the next sleep ends at once. */
  let poked = false;
  const timers = deps.timers ?? systemClock;
  /** The poll timer of the current sleep, boxed: a fake clock's handle may be any value, 0 included. */
  let timer: { handle: unknown } | null = null;
  const pollMs = deps.pollMs ?? 15_000;
  const clearTimer = () => {
    if (timer) timers.clearTimeout(timer.handle);
    timer = null;
  };

  const poke = () => {
    poked = true;
    const w = wake;
    wake = null;
    w?.();
  };

  const store: StoreWait = deps.store ?? {
    run: async (_what, write) => write(),
    background: (_what, write) => write(),
  };

  const sleepUntilWoken = () =>
    new Promise<void>((resolve) => {
      if (poked || pending.length) {
        poked = false;
        resolve();
        return;
      }
      wake = () => {
        poked = false;
        resolve();
      };
      let due: Date | null = null;
      try {
        due = deps.queue.nextTime();
      } catch (e) {
        deps.log.error({ err: (e as Error).message }, 'worker:error');
      }
      const untilDue = due ? Math.max(0, due.getTime() - deps.now().getTime()) : pollMs;
      timer = { handle: timers.setTimeout(poke, Math.min(untilDue, pollMs)) };
    });

  async function nextBatchJob(): Promise<Job | null> {
    const entry: BatchEntry | null = await store.run('batch:next', () => deps.queue.nextDue(deps.now()));
    if (!entry) return null;
    // Waits while another process holds the store; taken by someone else meanwhile (a cancel), it is skipped.
    if (!(await store.run('batch:start', () => deps.queue.start(entry.id)))) return null;
    return {
      batchId: entry.id,
      request: {
        importName: entry.import,
        test: entry.test,
        keep: entry.keep,
        trigger: { kind: 'batch', by: entry.submittedBy },
      },
    };
  }

  async function execute(job: Job): Promise<void> {
    running = job.request.importName;
    let result: RunResult | null = null;
    try {
      result = await deps.run(job.request);
    } catch (e) {
      deps.log.error(
        { import: job.request.importName, code: (e as { code?: unknown }).code, err: (e as Error).message },
        'run:crashed',
      );
    }
    try {
      if (result) job.done?.(result);
    } catch (e) {
      deps.log.error({ import: job.request.importName, err: (e as Error).message }, 'worker:error');
    }
    try {
      if (job.batchId !== undefined) {
        await store.run('batch:finish', () => deps.queue.finish(job.batchId!, result?.runId ?? null));
        deps.log.info({ batchId: job.batchId, runId: result?.runId ?? null }, 'batch:done');
      }
    } catch (e) {
      // Left 'running': the next start queues it again (a run imports a file once either way).
      deps.log.error({ batchId: job.batchId, err: (e as Error).message }, 'worker:error');
    } finally {
      running = null;
    }
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        const job = pending.shift() ?? (await nextBatchJob());
        if (job) await execute(job);
        else {
          await sleepUntilWoken();
          clearTimer();
        }
      } catch (e) {
        if (stopping) break;
        // Not a busy store (that is waited out above): log it and look again after a pause.
        deps.log.error({ err: (e as Error).message }, 'worker:error');
        await new Promise<void>((resolve) => {
          wake = () => {
            poked = false;
            resolve();
          };
          timer = { handle: timers.setTimeout(poke, pollMs) };
        });
        clearTimer();
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
