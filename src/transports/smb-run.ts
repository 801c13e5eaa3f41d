// Runs one smbclient command as a child process (no shell), with a watchdog: a child that makes
// no progress for too long is killed by its own PID.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface Watch {
  /** Allowed before the first sign of progress: connect, login and the start of the command. */
  firstMs: number;
  /** Allowed between two signs of progress afterwards. */
  idleMs: number;
  /**
   * Where smbclient's standard output goes instead of `stdout` (a download: `get <name> -`),
   * with backpressure; it is ended when the child's output ends.
   */
  output?: Writable;
}

export interface RunResult {
  /** Exit code; null when the child was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the watchdog or `stop` killed the child: why. */
  killedFor: string | null;
  /** The watchdog killed it: no progress in time. */
  timedOut: boolean;
  /** The signal that ended the child, when something other than us sent it (e.g. SIGPIPE). */
  signal: NodeJS.Signals | null;
  /** Set when the child could not be started at all (e.g. ENOENT: smbclient not installed). */
  spawnError: NodeJS.ErrnoException | null;
}

export interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
  /** Kills the child (by its PID) and gives `reason` as `killedFor`. */
  stop(reason: string): void;
}

const spawnListeners = new Set<(child: ChildProcess) => void>();

/**
 * Calls `listener` with every smbclient child right after it starts (its argv is then in
 * `/proc/<pid>/cmdline`). For tests and diagnostics; returns the function that unsubscribes.
 */
export function onSmbclientSpawn(listener: (child: ChildProcess) => void): () => void {
  spawnListeners.add(listener);
  return () => spawnListeners.delete(listener);
}

export function runSmbclient(args: string[], env: NodeJS.ProcessEnv, watch: Watch): Running {
  const child = spawn('smbclient', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let killedFor: string | null = null;
  let timedOut = false;
  let spawnError: NodeJS.ErrnoException | null = null;
  const started = Date.now();
  let lastProgress = started;
  let progressed = false;

  const progress = () => {
    lastProgress = Date.now();
    progressed = true;
  };
  const stop = (reason: string) => {
    if (child.exitCode !== null || child.signalCode !== null || killedFor !== null) return;
    killedFor = reason;
    child.kill('SIGKILL');
  };
  const timeout = (reason: string) => {
    if (killedFor === null) timedOut = true;
    stop(reason);
  };

  // Any output is progress; for a download only the file's bytes are (smbclient reports its own
  // timeouts on standard error and waits on).
  child.stdout!.on('data', (d: Buffer) => {
    if (!watch.output) out.push(d);
    progress();
  });
  if (watch.output) {
    const output = watch.output;
    child.stdout!.pipe(output);
    // Once the file is closed (it refused more, or failed), drain the pipe so the child can end.
    output.once('close', () => {
      child.stdout!.unpipe(output);
      child.stdout!.resume();
    });
  }
  child.stderr!.on('data', (d: Buffer) => {
    err.push(d);
    if (!watch.output) progress();
  });

  const every = Math.max(20, Math.min(250, Math.floor(watch.idleMs / 20)));
  const timer = setInterval(() => {
    const now = Date.now();
    if (!progressed && now - started > watch.firstMs) {
      timeout(`no answer from the server within ${seconds(watch.firstMs)} s (timed out)`);
    } else if (progressed && now - lastProgress > watch.idleMs) {
      timeout(`no progress for ${seconds(watch.idleMs)} s (timed out; the connection stalled)`);
    }
  }, every);

  const done = new Promise<RunResult>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    // 'close' comes after 'exit' once the pipes are drained, and also after a failed spawn.
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({
        code: killedFor !== null ? null : code,
        signal: killedFor !== null ? null : signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        killedFor,
        timedOut,
        spawnError,
      });
    });
  });

  if (child.pid !== undefined) {
    for (const listener of spawnListeners) {
      try {
        listener(child);
      } catch {
        // an observer's failure is its own, never the transfer's
      }
    }
  }
  return { child, done, stop };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
}
