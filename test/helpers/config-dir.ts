// Temporary config dirs for the config tests: the three file kinds as YAML, written to a fresh folder.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHIPPED = path.join(ROOT, 'config');

export const TYPES = `
- { code: SNAP, label: SNAP, source: direct, eligibility: [F] }
- { code: APP_F, label: Free by application, source: nonDirect, eligibility: [F] }
- { code: APP_R, label: Reduced by application, source: nonDirect, eligibility: [R] }
`;

export const MAPPING = `
name: M1
schoolYear: 2027
fields:
  stateId: State ID
  startDate: Start
  endDate: End
  eligibility: Elig
values:
  eligibility: { Free: F, Reduced: R, Paid: S }
`;

export const LOCAL_IMPORT = `
name: Local one
mapping: M1
protocol: local
directory: drop
`;

/** A fresh folder, removed when the test that made it ends (so call it inside a test). */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fram-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a config dir: the given files over a valid base (pass `null` to leave a base file out). */
export function configDir(files: Record<string, string | null> = {}): string {
  const dir = tempDir();
  const all: Record<string, string | null> = {
    'certified-types.yaml': TYPES,
    'mappings/m1.yaml': MAPPING,
    'imports/local.yaml': LOCAL_IMPORT,
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    if (text === null) continue;
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export function load(files: Record<string, string | null> = {}) {
  return loadConfig(configDir(files));
}

export function loadOk(files: Record<string, string | null> = {}): Config {
  const { config, problems } = load(files);
  expect(problems).toEqual([]);
  expect(config).not.toBeNull();
  return config!;
}

export function sftpImport(extra = ''): string {
  return `
name: Remote
mapping: M1
protocol: sftp
host: pos.example.org
username: fram
password: { env: POS_PASSWORD }
directory: out
${extra}`;
}
