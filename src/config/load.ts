// Reads the config dir once: certified-types.yaml, mappings/*.yaml, imports/*.yaml. Every
// problem of every file is collected; the config exists only when there are none.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { CertifiedType, Mapping } from '../domain/types.js';
import { parseCertifiedTypes } from './certified-types.js';
import type { ImportConfig } from './import.js';
import { parseImport } from './import.js';
import { deepFreeze, isPlainObject, Reporter } from './issues.js';
import { parseMapping } from './mapping.js';

export interface Config {
  /** Absolute path of the config dir. */
  configDir: string;
  certifiedTypes: CertifiedType[];
  /** By mapping `name`. */
  mappings: Map<string, Mapping>;
  /** By import `name`. */
  imports: Map<string, ImportConfig>;
}

export interface LoadResult {
  config: Config | null;
  problems: string[];
}

export const CERTIFIED_TYPES_FILE = 'certified-types.yaml';

/** The `.yaml` / `.yml` files of a folder, sorted; dot-files (editor leftovers) are skipped. */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** Parses a YAML file; syntax errors (with line and column) become problems. */
function readYaml(file: string, rep: Reporter): { ok: true; data: unknown } | { ok: false } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    rep.add([], `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return { ok: false };
  }
  const doc = YAML.parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: false });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      rep.add([], `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`);
    }
    return { ok: false };
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) {
    rep.add([], 'the file is empty');
    return { ok: false };
  }
  return { ok: true, data };
}

export function loadConfig(configDir: string): LoadResult {
  const dir = path.resolve(configDir);
  const problems: string[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { config: null, problems: [`${dir}: the config dir does not exist or is not a folder`] };
  }
  const reporter = (rel: string) => new Reporter(rel.split(path.sep).join('/'), problems);

  // certified-types.yaml
  let certifiedTypes: CertifiedType[] | null = null;
  let codes = new Set<string>();
  const typesRep = reporter(CERTIFIED_TYPES_FILE);
  const typesPath = path.join(dir, CERTIFIED_TYPES_FILE);
  if (!existsSync(typesPath)) typesRep.add([], 'missing: the certified-type table is required (it may be an empty list: [])');
  else {
    const read = readYaml(typesPath, typesRep);
    if (read.ok) ({ types: certifiedTypes, codes } = parseCertifiedTypes(read.data, typesRep));
  }

  // mappings
  const mappings = new Map<string, Mapping>();
  const mappingNameOfFile = new Map<string, string>();
  const mappingFileOfName = new Map<string, string>();
  // What refers to a mapping file that failed (its file name or its written name), so an import
  // naming it is not also reported as naming an unknown mapping.
  const brokenMappingRefs = new Set<string>();
  for (const name of yamlFiles(path.join(dir, 'mappings'))) {
    const rel = path.join('mappings', name);
    const stem = name.replace(/\.ya?ml$/i, '');
    const rep = reporter(rel);
    const read = readYaml(path.join(dir, rel), rep);
    const mapping = read.ok ? parseMapping(read.data, rep, certifiedTypes, codes) : null;
    if (!mapping) {
      brokenMappingRefs.add(stem);
      const written = read.ok && isPlainObject(read.data) ? read.data.name : undefined;
      if (typeof written === 'string') brokenMappingRefs.add(written.trim());
      continue;
    }
    const earlier = mappingFileOfName.get(mapping.name);
    if (earlier) {
      rep.add(['name'], `'${mapping.name}' is already the name of ${earlier}`);
      continue;
    }
    mappingFileOfName.set(mapping.name, rep.file);
    mappingNameOfFile.set(stem, mapping.name);
    mappings.set(mapping.name, deepFreeze(mapping));
  }

  // imports
  const imports = new Map<string, ImportConfig>();
  const importFileOfName = new Map<string, string>();
  for (const name of yamlFiles(path.join(dir, 'imports'))) {
    const rel = path.join('imports', name);
    const rep = reporter(rel);
    const read = readYaml(path.join(dir, rel), rep);
    if (!read.ok) continue;
    const imp = parseImport(read.data, rep, dir, path.join(dir, rel));
    if (!imp) continue;
    const key = imp.name.toLowerCase();
    const earlier = importFileOfName.get(key);
    if (earlier) {
      rep.add(['name'], `'${imp.name}' is already the name of ${earlier} (names are compared ignoring case)`);
      continue;
    }
    importFileOfName.set(key, rep.file);
    // A mapping is named by its `name`, or by its file name without .yaml.
    const resolved = mappings.has(imp.mapping) ? imp.mapping : mappingNameOfFile.get(imp.mapping);
    if (resolved === undefined) {
      if (!brokenMappingRefs.has(imp.mapping)) {
        const known = [...mappings.keys()].map((n) => `'${n}'`).join(', ');
        rep.add(['mapping'], `no mapping named '${imp.mapping}' in mappings/${known ? ` (known: ${known})` : ''}`);
      }
      continue;
    }
    imports.set(imp.name, deepFreeze({ ...imp, mapping: resolved }));
  }

  if (problems.length) return { config: null, problems };
  const config: Config = {
    configDir: dir,
    certifiedTypes: deepFreeze(certifiedTypes ?? []),
    mappings,
    imports,
  };
  return { config: Object.freeze(config), problems };
}
