// The Scheduled Imports: finding one by name (ignoring case, as the config compares names, SPEC 3)
// and listing them with their next and last runs.

import type { ImportConfig, Protocol, Schedule } from '../config.js';
import { nextRun } from '../scheduler/next-run.js';
import { latestRuns, type LatestRun } from '../store/run-stats.js';
import type { Kit, LoadedConfig } from './deps.js';
import { Refusal } from './refusal.js';

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The config's valid part; refused (naming every problem) when the config dir itself cannot be read. */
export function validConfig(loaded: LoadedConfig, configDir: string) {
  if (!loaded.config) {
    throw new Refusal(`the config in ${configDir} has ${loaded.problems.length} problem(s)`, { details: loaded.problems });
  }
  return loaded.config;
}

/**
 * The import named `name`, ignoring case and surrounding space. An import an invalid file disables
 * is refused naming those files and their problems (SPEC 4); an unknown one lists the known names.
 */
export function findImport(loaded: LoadedConfig, configDir: string, name: string): ImportConfig {
  const config = validConfig(loaded, configDir);
  const found = [...config.imports.values()].find((i) => sameName(i.name, name));
  if (found) return found;
  const off = [...loaded.disabled].find(
    ([key, d]) =>
      sameName(key, name) ||
      (d.name !== null && sameName(d.name, name)) ||
      sameName(d.file.replace(/^imports\/|\.ya?ml$/g, ''), name),
  );
  if (off) {
    const [, d] = off;
    throw new Refusal(
      `import '${d.name ?? name}' is disabled: ${d.files.join(', ')} ` +
        `${d.files.length === 1 ? 'is' : 'are'} invalid (fram-import config check lists every problem)`,
      { details: d.problems, reason: 'conflict' },
    );
  }
  throw new Refusal(`no import named '${name}'; known: ${[...config.imports.keys()].join(', ') || 'none'}`, {
    reason: 'notFound',
  });
}

export interface ImportListing {
  name: string;
  active: boolean;
  /** The host starts with `**`: scheduled and manual runs are refused (5013). */
  paused: boolean;
  protocol: Protocol;
  host: string | null;
  directory: string;
  mapping: string;
  schedule: Schedule | null;
  /** The next scheduled run (ISO), for an active import with a schedule. */
  nextRun: string | null;
  lastRun: LatestRun | null;
}

export function createImports(kit: Kit) {
  const { settings } = kit.deps;
  return {
    find: (name: string): ImportConfig => findImport(kit.deps.config(), settings.configDir, name),

    /** Every import that can run, by name, with its next run in FRAM_TZ's schedule and its latest run. */
    list(): ImportListing[] {
      const config = validConfig(kit.deps.config(), settings.configDir);
      const latest = latestRuns(kit.db());
      const now = kit.now();
      return [...config.imports.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((imp) => ({
          name: imp.name,
          active: imp.active,
          paused: imp.paused,
          protocol: imp.protocol,
          host: imp.host ?? null,
          directory: imp.directory,
          mapping: imp.mapping,
          schedule: imp.schedule ?? null,
          nextRun: imp.schedule && imp.active ? nextRun(imp.schedule, now, settings.tz).toISOString() : null,
          lastRun: latest.get(imp.name) ?? null,
        }));
    },
  };
}
