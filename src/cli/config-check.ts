import { loadConfig } from '../config.js';
import { settingsOf } from './context.js';
import type { Command } from './command.js';

export const configCheck: Command = {
  name: 'config check',
  usage: 'config check',
  summary: 'Validates every YAML file in the config dir and lists all problems at once, with file and field.',
  options: {},
  async run(_args, _values, flags, io) {
    const settings = settingsOf(flags, io);
    const { config, problems } = loadConfig(settings.configDir);
    if (flags.json) {
      io.out(`${JSON.stringify({ configDir: settings.configDir, valid: !!config, problems }, null, 2)}\n`);
    } else if (config) {
      io.out(`${settings.configDir}: valid (${config.mappings.size} mapping(s), ${config.imports.size} import(s), `
        + `${config.certifiedTypes.length} certified type(s))\n`);
    } else {
      io.err(`${settings.configDir}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}\n`).join('')}`);
    }
    return config ? 0 : 2;
  },
};
