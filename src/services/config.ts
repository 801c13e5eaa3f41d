// `config check` (SPEC 4): every problem of the config dir at once, and the imports they disable.

import type { Kit } from './deps.js';

export interface ConfigCheck {
  configDir: string;
  valid: boolean;
  /** Every problem, `<file>: <field>: <message>`. */
  problems: string[];
  /** The imports that can run. */
  runnable: string[];
  /** By name (or file): the import's file and the invalid files it needs. */
  disabled: Map<string, { file: string; because: string[] }>;
  /** What the valid config holds; null when the config dir cannot be read. */
  counts: { mappings: number; imports: number; certifiedTypes: number } | null;
}

export function createConfigCheck(kit: Kit) {
  return {
    check(): ConfigCheck {
      const { config, problems, disabled } = kit.deps.config();
      return {
        configDir: kit.deps.settings.configDir,
        valid: problems.length === 0,
        problems,
        runnable: [...(config?.imports.keys() ?? [])],
        disabled: new Map([...disabled].map(([key, d]) => [key, { file: d.file, because: d.files }])),
        counts: config && {
          mappings: config.mappings.size,
          imports: config.imports.size,
          certifiedTypes: config.certifiedTypes.length,
        },
      };
    },
  };
}
