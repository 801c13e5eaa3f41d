// A real pino logger whose JSON lines a test reads and waits on: "once the run has finished, ...".

import { createLogger, type Logger } from '../../src/log.js';

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLog {
  log: Logger;
  lines: LogLine[];
  /** Resolves with the first line (already written or to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const log = createLogger(level, {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const w of [...waiters]) {
          if (!w.match(line)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    },
  });
  return {
    log,
    lines,
    waitFor(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching log line within ${timeoutMs} ms:\n` +
                  lines
                    .map((l) => JSON.stringify(l))
                    .join('\n')
                    .slice(-4000),
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}
