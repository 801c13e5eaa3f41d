// The built CLI (`node dist/cli/bin.js`) as a child process whose stderr a test can wait on: "the
// moment it says it is waiting for the store, let the store go". Each wait is for text, never a sleep.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { BIN } from './daemon.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves once stderr (so far or to come) matches. */
  waitForStderr(match: RegExp, timeoutMs?: number): Promise<void>;
  /** stderr so far. */
  stderr(): string;
  exited: Promise<CliResult>;
}

const started = new Set<ChildProcess>();

/** Kills whatever a failed test left running. */
export function killCliLeftovers(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
}

/** `command` defaults to node running the CLI; pass another (e.g. `unshare ... node`) with its own leading args. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  command: { file: string; args: string[] } = { file: process.execPath, args: [BIN] },
  options: SpawnOptions = {},
): CliProcess {
  const child = spawn(command.file, [...command.args, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  started.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { match: RegExp; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...waiters]) {
      if (w.match.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      started.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    exited,
    stderr: () => stderr,
    waitForStderr(match, timeoutMs = 60_000) {
      if (match.test(stderr)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stderr of fram-import ${args.join(' ')} never matched ${match}:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!match.test(stderr))
            reject(new Error(`fram-import ${args.join(' ')} exited before stderr matched ${match}:\n${stderr}`));
        });
      });
    },
  };
}

/** Runs the CLI to its end. */
export function runCliToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).exited;
}
