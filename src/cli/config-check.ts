import { withServices } from './context.js';
import type { Command } from './command.js';

/** `its file is invalid`, `it needs mappings/m.yaml, which is invalid`, or both. */
function why(file: string, files: string[]): string {
  const others = files.filter((f) => f !== file);
  const parts = files.includes(file) ? ['its file is invalid'] : [];
  if (others.length) parts.push(`it needs ${others.join(', ')}, which ${others.length === 1 ? 'is' : 'are'} invalid`);
  return parts.join('; ');
}

export const configCheck: Command = {
  name: 'config check',
  usage: 'config check',
  summary:
    'Validates every YAML file in the config dir and lists all problems at once, with file and field, and the imports they disable.',
  options: {},
  async run(_args, _values, flags, io) {
    const c = await withServices(flags, io, { store: 'read' }, async (s) => s.config.check());
    if (flags.json) {
      io.out(
        `${JSON.stringify(
          {
            configDir: c.configDir,
            valid: c.valid,
            problems: c.problems,
            imports: c.runnable,
            disabled: Object.fromEntries(c.disabled),
          },
          null,
          2,
        )}\n`,
      );
    } else if (c.valid) {
      io.out(
        `${c.configDir}: valid (${c.counts!.mappings} mapping(s), ${c.counts!.imports} import(s), ` +
          `${c.counts!.certifiedTypes} certified type(s))\n`,
      );
    } else {
      const lines = [`${c.configDir}: ${c.problems.length} problem(s)`, ...c.problems.map((p) => `  ${p}`)];
      if (c.disabled.size) {
        lines.push('Imports that cannot run until this is fixed:');
        for (const [key, d] of c.disabled)
          lines.push(`  ${key}${key === d.file ? '' : ` (${d.file})`}: ${why(d.file, d.because)}`);
      }
      if (c.counts) lines.push(`Imports that can run: ${c.runnable.length ? c.runnable.join(', ') : 'none'}`);
      io.err(`${lines.join('\n')}\n`);
    }
    return c.valid ? 0 : 2;
  },
};
