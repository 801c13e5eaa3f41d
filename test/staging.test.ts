// Staging (staging.ts): named by run and file ids, and swept of what dead runs and connections left.

import { mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareStaging, removeRunStaging, runStaging, stagingRoot, sweepStaging } from '../src/import/staging.js';
import { prepareDataDir } from '../src/store/data-dir.js';

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'fram-staging-'));
}

describe('staging', () => {
  it('makes a 0700 folder per run and removes it', () => {
    const dir = dataDir();
    prepareStaging(dir);
    const run = runStaging(dir, 7);
    expect(run).toBe(join(dir, 'staging', 'run-7'));
    expect(statSync(stagingRoot(dir)).mode & 0o777).toBe(0o700);
    expect(statSync(run).mode & 0o777).toBe(0o700);
    writeFileSync(join(run, '1.part'), 'x');
    removeRunStaging(dir, 7);
    expect(readdirSync(stagingRoot(dir))).toEqual([]);
  });

  it('sweeps folders of runs that are not running, old client folders and strays; keeps the rest', () => {
    const dir = dataDir();
    prepareStaging(dir);
    const root = stagingRoot(dir);
    for (const name of ['run-1', 'run-2', 'run-3', 'fram-smbclient-old', 'fram-smbclient-new']) mkdirSync(join(root, name));
    writeFileSync(join(root, 'run-1', '1.part'), 'x');
    writeFileSync(join(root, '12-IC_Eligibility.csv.part'), 'x');
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    utimesSync(join(root, 'fram-smbclient-old'), hoursAgo(2), hoursAgo(2));
    const removed = sweepStaging(dir, (id) => id === 2);
    expect(removed.sort()).toEqual(['12-IC_Eligibility.csv.part', 'fram-smbclient-old', 'run-1', 'run-3']);
    expect(readdirSync(root).sort()).toEqual(['fram-smbclient-new', 'run-2']);
  });

  it('is a no-op when there is no staging folder yet', () => {
    expect(sweepStaging(dataDir(), () => false)).toEqual([]);
  });
});

describe('prepareDataDir', () => {
  it('creates the data dir 0700, tightens an existing 0755 one, and makes new files 0600', () => {
    const parent = dataDir();
    const fresh = join(parent, 'data');
    const old = process.umask();
    try {
      expect(prepareDataDir(fresh)).toBeNull();
      expect(statSync(fresh).mode & 0o777).toBe(0o700);
      const loose = join(parent, 'loose');
      mkdirSync(loose, { mode: 0o755 });
      expect(prepareDataDir(loose)).toBeNull();
      expect(statSync(loose).mode & 0o777).toBe(0o700);
      writeFileSync(join(fresh, 'f'), 'x');
      expect(statSync(join(fresh, 'f')).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});
