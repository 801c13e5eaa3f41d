// Reads the config dir: certified-types.yaml, mappings/*.yaml, imports/*.yaml. Every file is
// checked on its own and every problem of every file is collected (SPEC 4, config isolation): an
// invalid file disables only the imports that need it, and the config holds every other import.
// Nothing here throws on what a file contains.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CertifiedType, Mapping } from '../domain/types.js';
import { parseCertifiedTypes } from './certified-types.js';
import type { ImportConfig } from './import.js';
import { parseImport } from './import.js';
import { deepFreeze, isPlainObject, Reporter } from './issues.js';
import { parseMapping, usesCertifiedTypes } from './mapping.js';
import { readYamlFile } from './yaml.js';

export interface Config {
  /** Absolute path of the config dir. */
  configDir: string;
  certifiedTypes: CertifiedType[];
  /** By mapping `name`: every valid mapping whose certified types (if it uses any) are valid too. */
  mappings: Map<string, Mapping>;
  /** By import `name`: every import that can run. */
  imports: Map<string, ImportConfig>;
}

/** An import that an invalid file keeps from running. */
export interface DisabledImport {
  /** The name its file writes, when one could be read. */
  name: string | null;
  /** Its file, relative to the config dir (`imports/pos.yaml`). */
  file: string;
  /** The invalid files it needs: its own, its mapping's, certified-types.yaml. */
  files: string[];
  /** Why it cannot run: what ties it to those files, and their problems. */
  problems: string[];
}

export interface LoadResult {
  /** Null only when the config dir itself is missing. */
  config: Config | null;
  /** Every problem of every file, `<file>: <field>: <message>`, in the order the files are read. */
  problems: string[];
  /** The files that have problems (relative to the config dir, `/` between folders), with theirs. */
  invalidFiles: Map<string, string[]>;
  /** By import name, or by its file when the name cannot be read or is another import's. */
  disabled: Map<string, DisabledImport>;
}

export const CERTIFIED_TYPES_FILE = 'certified-types.yaml';

/** What keeps a mapping reference from being used. */
interface Unusable {
  files: string[];
  why: string;
  problems: string[];
}

const IMPORT_NAME = /^[A-Za-z0-9 _-]{1,40}$/;

/** The import name a file writes, if it is one (so a broken file can still be matched by name). */
function writtenName(data: unknown): string | null {
  const name = isPlainObject(data) && typeof data.name === 'string' ? data.name.trim() : '';
  return IMPORT_NAME.test(name) ? name : null;
}

function readYaml(file: string, rep: Reporter): { ok: true; data: unknown } | { ok: false } {
  const read = readYamlFile(file);
  if (!read.ok) {
    for (const p of read.problems) rep.add([], p);
    return read;
  }
  if (read.data === null || read.data === undefined) {
    rep.add([], 'the file is empty');
    return { ok: false };
  }
  return read;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function loadConfig(configDir: string): LoadResult {
  const dir = path.resolve(configDir);
  const problems: string[] = [];
  const invalidFiles = new Map<string, string[]>();
  const disabled = new Map<string, DisabledImport>();
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // missing or unreadable: said below
  }
  if (!isDir)
    return { config: null, problems: [`${dir}: the config dir does not exist or is not a folder`], invalidFiles, disabled };

  /** Checks one file with its own reporter; whatever goes wrong stays a problem of that file. */
  function check<T>(rel: string, body: (rep: Reporter) => T | undefined): { rep: Reporter; value: T | undefined } {
    const rep = new Reporter(rel, problems);
    let value: T | undefined;
    try {
      value = body(rep);
    } catch (err) {
      rep.add([], `could not be checked: ${err instanceof Error ? err.message : String(err)}`);
      value = undefined;
    }
    rep.close();
    if (rep.count) invalidFiles.set(rel, rep.problems);
    return { rep, value };
  }

  /** The YAML files of a folder, sorted; dot-files (editor leftovers) and folders are skipped; symlinks (ConfigMaps) count. */
  function yamlFiles(sub: string): { names: string[]; rep: Reporter } {
    const folder = path.join(dir, sub);
    const { rep, value } = check(`${sub}/`, (r) => {
      if (!existsSync(folder)) return [];
      try {
        return readdirSync(folder)
          .filter((n) => !n.startsWith('.') && /\.ya?ml$/i.test(n))
          .sort();
      } catch (err) {
        r.add([], `cannot read the folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        return [];
      }
    });
    const names = (value ?? []).filter((n) => {
      try {
        return !statSync(path.join(folder, n)).isDirectory();
      } catch {
        return true; // a dangling link: reading it says why
      }
    });
    return { names, rep };
  }

  // certified-types.yaml
  const types = check(CERTIFIED_TYPES_FILE, (rep) => {
    const file = path.join(dir, CERTIFIED_TYPES_FILE);
    if (!existsSync(file)) {
      rep.add([], 'missing: the certified-type table is required (it may be an empty list: [])');
      return undefined;
    }
    const read = readYaml(file, rep);
    return read.ok ? parseCertifiedTypes(read.data, rep) : undefined;
  });
  const typesInvalid = types.rep.count > 0;

  // mappings
  const mappings = new Map<string, Mapping>();
  const mappingNameOfFile = new Map<string, string>();
  const mappingFileOfName = new Map<string, string>();
  // By written name and by file stem: mappings that cannot be used, so an import naming one is
  // disabled with the reason rather than also reported as naming an unknown mapping.
  const unusable = new Map<string, Unusable>();
  // Broken files whose name could not be read: an unresolved reference may mean one of them.
  const unnamed: Unusable[] = [];
  const mappingFiles = yamlFiles('mappings');
  if (mappingFiles.rep.count) unnamed.push({ files: ['mappings/'], why: '', problems: mappingFiles.rep.problems });
  for (const name of mappingFiles.names) {
    const rel = `mappings/${name}`;
    const stem = name.replace(/\.ya?ml$/i, '');
    let written: string | null = null;
    const { rep, value: mapping } = check(rel, (r) => {
      const read = readYaml(path.join(dir, rel), r);
      if (!read.ok) return undefined;
      if (isPlainObject(read.data) && typeof read.data.name === 'string') written = read.data.name.trim();
      const m = parseMapping(read.data, r, types.value?.types ?? null, types.value?.codes ?? new Set());
      const earlier = m && mappingFileOfName.get(m.name);
      if (earlier) r.add(['name'], `'${m!.name}' is already the name of ${earlier}`);
      return m ?? undefined;
    });
    if (mapping && rep.count === 0) {
      mappingFileOfName.set(mapping.name, rel);
      mappingNameOfFile.set(stem, mapping.name);
      if (!typesInvalid || !usesCertifiedTypes(mapping)) {
        mappings.set(mapping.name, deepFreeze(mapping));
        continue;
      }
      // Valid itself, but the table it needs is not.
      const u = {
        files: [CERTIFIED_TYPES_FILE],
        why: `uses certified types, and ${CERTIFIED_TYPES_FILE} is invalid`,
        problems: types.rep.problems,
      };
      unusable.set(mapping.name, u);
      unusable.set(stem, u);
      continue;
    }
    const u = { files: [rel], why: `is invalid (${rel})`, problems: rep.problems };
    if (!unusable.has(stem)) unusable.set(stem, u);
    const writtenAs = written as string | null; // set in the callback above
    if (writtenAs === null) unnamed.push(u);
    else if (!unusable.has(writtenAs)) unusable.set(writtenAs, u);
  }

  // imports
  const imports = new Map<string, ImportConfig>();
  const importFileOfName = new Map<string, string>();
  for (const name of yamlFiles('imports').names) {
    const rel = `imports/${name}`;
    let written: string | null = null;
    let needs: Unusable | null = null;
    let ref = '';
    const { value: ok } = check(rel, (rep) => {
      const read = readYaml(path.join(dir, rel), rep);
      if (!read.ok) return false;
      written = writtenName(read.data);
      const imp = parseImport(read.data, rep, dir, path.join(dir, rel));
      if (!imp) return false;
      const earlier = importFileOfName.get(imp.name.toLowerCase());
      if (earlier) {
        rep.add(['name'], `'${imp.name}' is already the name of ${earlier} (names are compared ignoring case)`);
        return false;
      }
      importFileOfName.set(imp.name.toLowerCase(), rel);
      // A mapping is named by its `name`, or by its file name without .yaml.
      ref = imp.mapping;
      const resolved = mappings.has(ref) ? ref : mappingNameOfFile.get(ref);
      if (resolved !== undefined && mappings.has(resolved)) {
        imports.set(imp.name, deepFreeze({ ...imp, mapping: resolved }));
        return true;
      }
      needs = unusable.get(ref) ?? (resolved !== undefined ? unusable.get(resolved) : undefined) ?? mergeUnnamed(unnamed);
      if (!needs) {
        const known = [...mappings.keys()].map((n) => `'${n}'`).join(', ');
        rep.add(['mapping'], `no mapping named '${ref}' in mappings/${known ? ` (known: ${known})` : ''}`);
      }
      return false;
    });
    if (ok) continue;
    const own = invalidFiles.get(rel) ?? [];
    // Both set in the callback above.
    const need = needs as Unusable | null;
    const writtenAs = written as string | null;
    const key = writtenAs !== null && ![...disabled.keys()].some((k) => sameName(k, writtenAs)) ? writtenAs : rel;
    disabled.set(key, {
      name: writtenAs,
      file: rel,
      files: [...(own.length ? [rel] : []), ...(need?.files ?? [])],
      problems: [...own, ...(need ? [`${rel}: mapping: '${ref}' ${need.why}`, ...need.problems] : [])],
    });
  }
  // A broken file that writes the name of an import that runs is listed by its file.
  for (const [key, d] of [...disabled]) {
    if (key !== d.file && [...imports.keys()].some((k) => sameName(k, key))) {
      disabled.delete(key);
      disabled.set(d.file, d);
    }
  }

  const config: Config = { configDir: dir, certifiedTypes: deepFreeze(types.value?.types ?? []), mappings, imports };
  return { config: Object.freeze(config), problems, invalidFiles, disabled };
}

/** The broken mapping files of unknown name, as one reason (or null when there are none). */
function mergeUnnamed(unnamed: Unusable[]): Unusable | null {
  if (!unnamed.length) return null;
  const files = unnamed.flatMap((u) => u.files);
  return {
    files,
    why: `is not among the valid mappings; it may be in ${files.join(', ')}, which cannot be read`,
    problems: unnamed.flatMap((u) => u.problems),
  };
}
