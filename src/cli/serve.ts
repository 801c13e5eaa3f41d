import { startDaemon } from '../main.js';
import { createLogger } from '../log.js';
import { settingsOf, UsageError } from './context.js';
import type { Command } from './command.js';

/** SPEC 10: exit within 30 s of SIGTERM; past this, the process exits anyway (SQLite rolls an open transaction back). */
const STOP_DEADLINE_MS = 25_000;

export const serve: Command = {
  name: 'serve',
  usage: 'serve [--port N]',
  summary: 'The daemon: schedules, batch queue worker, config watch, /healthz /readyz /metrics (FRAM_PORT, default 8080).',
  options: { port: { type: 'string' } },
  async run(args, values, flags, io) {
    if (args.length) throw new UsageError(`unexpected '${args[0]}'`);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
      throw new UsageError('--port must be a port number');
    const settings = { ...settingsOf(flags, io), ...(port !== undefined ? { port } : {}) };
    // The daemon's log is its output: JSON lines on stdout.
    const log = createLogger(settings.logLevel, 1);
    // Handlers first: a SIGTERM that arrives while the daemon starts still stops it cleanly.
    let signalled: (signal: NodeJS.Signals) => void = () => {};
    const early: NodeJS.Signals[] = [];
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      early.push(signal);
      signalled(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    const daemon = await startDaemon({ settings, env: io.env, log });
    io.err(`fram-import serving on port ${daemon.port}, data in ${settings.dataDir}, config in ${settings.configDir}\n`);

    const code = await new Promise<number>((resolve) => {
      signalled = (signal) => {
        log.info({ signal }, 'daemon:signal');
        const deadline = setTimeout(() => {
          log.error({ afterMs: STOP_DEADLINE_MS }, 'daemon:stop-deadline');
          resolve(0);
        }, STOP_DEADLINE_MS);
        deadline.unref();
        daemon.stop().then(
          () => {
            clearTimeout(deadline);
            resolve(0);
          },
          (e: Error) => {
            log.error({ err: e.message }, 'daemon:stop-failed');
            resolve(1);
          },
        );
      };
      if (early.length) signalled(early[0]);
    });
    // Whatever still holds the event loop (a stuck socket) does not keep the process past its stop.
    setTimeout(() => process.exit(code), 1000).unref();
    return code;
  },
};
