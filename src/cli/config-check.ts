import { loadConfig } from '../config.js';
import { settingsOf } from './context.js';
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
  summary: 'Validates every YAML file in the config dir and lists all problems at once, with file and field, and the imports they disable.',
  options: {},
  async run(_args, _values, flags, io) {
    const settings = settingsOf(flags, io);
    const { config, problems, disabled } = loadConfig(settings.configDir);
    const runnable = [...(config?.imports.keys() ?? [])];
    if (flags.json) {
      io.out(`${JSON.stringify({
        configDir: settings.configDir,
        valid: problems.length === 0,
        problems,
        imports: runnable,
        disabled: Object.fromEntries([...disabled].map(([key, d]) => [key, { file: d.file, because: d.files }])),
      }, null, 2)}\n`);
    } else if (problems.length === 0) {
      io.out(`${settings.configDir}: valid (${config!.mappings.size} mapping(s), ${config!.imports.size} import(s), `
        + `${config!.certifiedTypes.length} certified type(s))\n`);
    } else {
      const lines = [`${settings.configDir}: ${problems.length} problem(s)`, ...problems.map((p) => `  ${p}`)];
      if (disabled.size) {
        lines.push('Imports that cannot run until this is fixed:');
        for (const [key, d] of disabled) lines.push(`  ${key}${key === d.file ? '' : ` (${d.file})`}: ${why(d.file, d.files)}`);
      }
      if (config) lines.push(`Imports that can run: ${runnable.length ? runnable.join(', ') : 'none'}`);
      io.err(`${lines.join('\n')}\n`);
    }
    return problems.length === 0 ? 0 : 2;
  },
};
