// What every service is built from, and the small kit the service modules share: the store (opened
// on first use), one way to write (a transaction that waits out a busy store), the clock.

import type { Db } from '../store/db.js';
import type { LoadResult, Settings } from '../config.js';
import type { Connect } from '../transports/index.js';
import type { Logger } from '../log.js';
import type { StoreWait } from '../store/wait.js';
import { createWriter, type Writer } from '../store/writer.js';

/** Time for the services: `now` for what they stamp and decide, `sleep` for a run's stability wait. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The config as a process last read it: what is valid, every problem, and the imports that cannot run. */
export type LoadedConfig = Pick<LoadResult, 'config' | 'problems' | 'disabled'>;

/** `run`: a run's connections (retried with back-off); `probe`: test-connection's one attempt. */
export type ConnectPurpose = 'run' | 'probe';

export interface ServiceDeps {
  /** The store, asked for when a request first needs it: one refused before that never opens (or creates) one. */
  db: () => Db;
  /** The config in force (the CLI's as read once; the daemon's as last reloaded). */
  config: () => LoadedConfig;
  connect: (purpose: ConnectPurpose) => Connect;
  clock: Clock;
  log: Logger;
  settings: Pick<Settings, 'dataDir' | 'configDir' | 'tz'>;
  /** The process is stopping: a run stops at its next line, and a wait for a busy store ends (5014). */
  signal?: AbortSignal;
  /** How long a write waits for a store busy with another writer before 5018 (the CLI's --wait); default: until `signal`. */
  waitMs?: number;
  /** Called once per write that finds the store busy (a log line, or the CLI's note on stderr). */
  onBusy?: (what: string) => void;
}

export interface Kit {
  deps: ServiceDeps;
  db(): Db;
  /** `work` in one write transaction, taken before it starts, waiting out a busy store; 5018 after `waitMs`. */
  write<T>(what: string, work: () => T): Promise<T>;
  /** The wait itself, for work that makes its own transactions (and a write nobody waits for, `background`). */
  wait(): StoreWait;
  now(): Date;
}

export function createKit(deps: ServiceDeps): Kit {
  let writer: Writer | null = null;
  const writes = (): Writer => {
    writer ??= createWriter(deps.db(), {
      waitMs: deps.waitMs ?? Infinity,
      signal: deps.signal,
      log: deps.log,
      onBusy: deps.onBusy,
    });
    return writer;
  };
  return {
    deps,
    db: deps.db,
    write: (what, work) => writes().write(what, work),
    wait: () => writes().wait,
    now: () => deps.clock.now(),
  };
}
