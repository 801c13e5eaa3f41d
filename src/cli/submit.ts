import { createQueueStore } from '../store/queue.js';
import { instantOfWallTime } from '../scheduler/next-run.js';
import { configOf, settingsOf, storeOf, UsageError } from './context.js';
import type { Command } from './command.js';

/**
 * `--at`: an ISO date-time. With `Z` or an offset it is that instant; without one it is a wall
 * time in FRAM_TZ (`2026-11-23T05:30`, seconds optional, a space instead of `T` allowed).
 */
export function parseAt(text: string, tz: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--at '${text}' is not an ISO date-time such as 2026-11-23T05:30 (FRAM_TZ) or 2026-11-23T11:30Z`);
  const [, y, mo, d, h, mi, s, zone] = m;
  const wall = { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: s ? +s : 0 };
  const probe = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (probe.getUTCMonth() !== wall.month - 1 || probe.getUTCDate() !== wall.day || wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
    throw new UsageError(`--at '${text}' is not a real date and time`);
  }
  if (!zone) return instantOfWallTime(wall, tz);
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
}

export const submit: Command = {
  name: 'submit',
  usage: 'submit <import> --at <ISO datetime> [--high-priority] [--keep] [--test]',
  summary: "Queues a one-off run in the batch queue (IC's Submit to Batch); the daemon's worker takes it when due.",
  options: {
    at: { type: 'string' },
    'high-priority': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    test: { type: 'boolean', default: false },
    by: { type: 'string' },
  },
  async run(args, values, flags, io) {
    if (args.length !== 1) throw new UsageError('expected exactly one import name (quote names with spaces)');
    if (values.at === undefined) throw new UsageError('--at is required');
    const settings = settingsOf(flags, io);
    const config = configOf(settings, args[0]);
    const imp = config.imports.get(args[0]);
    if (!imp) throw new UsageError(`no import named '${args[0]}'; known: ${[...config.imports.keys()].join(', ') || 'none'}`);
    const test = values.test as boolean;
    if (!imp.active && !test) throw new UsageError(`import '${imp.name}' is inactive (active: false); only --test runs can be queued`);
    const at = parseAt(values.at as string, settings.tz);
    // The queue is the daemon's: a store that does not exist (a mistyped --data-dir) is no daemon's.
    const store = storeOf(settings, flags, io, 'write');
    try {
      const entry = {
        import: imp.name, runAt: at.toISOString(), highPriority: values['high-priority'] as boolean, keep: values.keep as boolean,
        test, submittedBy: (values.by as string | undefined) ?? io.env.USER ?? null, submittedAt: new Date().toISOString(),
      };
      const id = await store.write(() => createQueueStore(store.db).submit(entry));
      if (flags.json) io.out(`${JSON.stringify({ id, ...entry })}\n`);
      else {
        io.out(`queued batch entry ${id}: ${test ? 'test of ' : ''}'${imp.name}' at ${entry.runAt}`
          + `${entry.highPriority ? ', high priority' : ''}${entry.keep ? ', kept past retention' : ''}\n`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
