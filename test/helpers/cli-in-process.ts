// The CLI called in this process: `main(argv, io)` with the output collected, as `node dist/cli/bin.js`
// would print it, in about 10 ms instead of a second. For tests about a real process (signals, kill -9,
// file modes, PID namespaces, what a process writes to its stderr) use cli-process.ts instead.

import { main } from '../../src/cli/main.js';

export interface CliOutput {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs one command to its end. `env` is the whole environment the command sees (nothing of this
 * process's); its log level defaults to silent, since in this process a log line would go to the
 * test runner's stderr, not to `err`.
 */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutput> {
  let out = '';
  let err = '';
  let code: number;
  try {
    code = await main(args, {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env: { FRAM_LOG_LEVEL: 'silent', ...env },
    });
  } catch (e) {
    // What bin.ts does with an error that escapes main.
    err += `fram-import: ${e instanceof Error ? e.message : String(e)}\n`;
    code = 1;
  }
  return { code, out, err };
}
