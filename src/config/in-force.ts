// The config a running daemon uses (SPEC 4 and 10, config isolation): what the config dir holds
// that is valid, plus, for each import that an invalid file now disables, the config that import
// had before ("running the previous config"). At start there is no before: such imports are
// disabled. A valid change to one file never waits for another file to be fixed.

import path from 'node:path';
import type { ImportConfig } from './import.js';
import { CERTIFIED_TYPES_FILE, type Config, type DisabledImport, type LoadResult } from './load.js';
import { codesUsed, usesCertifiedTypes } from './mapping.js';

export interface InForce {
  config: Config;
  /** Every problem of the config dir as last read; empty when every file is valid. */
  problems: string[];
  /** Imports that cannot run (no valid config for them, now or before), by name or file, with why. */
  disabled: Map<string, string[]>;
  /** Imports running their previous config because a file they need is now invalid, with the problem. */
  previous: Map<string, string[]>;
  /** Per invalid file: the imports it holds on their previous config, and those it disables. */
  affected: Map<string, { previousConfig: string[]; disabled: string[] }>;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The import of the previous config that a disabled file stands for: the same file, else the same name. */
function previousImport(before: Config, d: DisabledImport, dir: string): ImportConfig | undefined {
  const file = path.join(dir, d.file);
  const all = [...before.imports.values()];
  return all.find((i) => i.sourceFile === file) ?? (d.name === null ? undefined : all.find((i) => sameName(i.name, d.name!)));
}

export function configInForce(result: LoadResult, configDir: string, before: InForce | null): InForce {
  const dir = path.resolve(configDir);
  const affected: InForce['affected'] = new Map();
  if (!result.config) {
    // The dir itself is gone (an unmounted volume, say): every import keeps what it had.
    const previous = new Map([...(before?.config.imports.keys() ?? [])].map((name) => [name, result.problems]));
    const config =
      before?.config ?? Object.freeze({ configDir: dir, certifiedTypes: [], mappings: new Map(), imports: new Map() });
    affected.set(dir, { previousConfig: [...previous.keys()], disabled: [] });
    return { config, problems: result.problems, disabled: before?.disabled ?? new Map(), previous, affected };
  }

  const fresh = result.config;
  const imports = new Map(fresh.imports);
  const mappings = new Map(fresh.mappings);
  // An invalid table disables the imports that need it; those that keep their previous config keep its table.
  const certifiedTypes =
    result.invalidFiles.has(CERTIFIED_TYPES_FILE) && before ? before.config.certifiedTypes : fresh.certifiedTypes;
  const known = new Set(certifiedTypes.map((t) => t.code));
  const disabled = new Map<string, string[]>();
  const previous = new Map<string, string[]>();
  const note = (d: DisabledImport, name: string, kept: boolean) => {
    for (const file of d.files) {
      const entry = affected.get(file) ?? { previousConfig: [], disabled: [] };
      (kept ? entry.previousConfig : entry.disabled).push(name);
      affected.set(file, entry);
    }
  };

  for (const [key, d] of result.disabled) {
    const old = before ? previousImport(before.config, d, dir) : undefined;
    const taken = old !== undefined && [...imports.keys()].some((k) => sameName(k, old.name));
    // Its mapping as it is now when that is valid, else as it was.
    const mapping = old && !taken ? (mappings.get(old.mapping) ?? before!.config.mappings.get(old.mapping)) : undefined;
    if (!old || !mapping) {
      disabled.set(key, d.problems);
      note(d, key, false);
      continue;
    }
    const missing = usesCertifiedTypes(mapping) ? codesUsed(mapping).filter((c) => !known.has(c)) : [];
    if (missing.length) {
      disabled.set(old.name, [
        ...d.problems,
        `mapping '${mapping.name}' of the previous config uses certified type(s) ${missing.join(', ')}, which ${CERTIFIED_TYPES_FILE} no longer lists`,
      ]);
      note(d, old.name, false);
      continue;
    }
    imports.set(old.name, old);
    mappings.set(mapping.name, mapping);
    previous.set(old.name, d.problems);
    note(d, old.name, true);
  }

  const config: Config = Object.freeze({ configDir: dir, certifiedTypes, mappings, imports });
  return { config, problems: result.problems, disabled, previous, affected };
}
