// File modes (issue: world-readable data): the data dir is 0700 and what the service writes (store,
// WAL, staged copies) is 0600, whatever mode an older version left; checked on the real CLI process.

import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, tempDir } from './helpers/config-dir.js';
import { startCli } from './helpers/cli-process.js';
import { writeEligibility, writeRoster } from '../src/bench/generate.js';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('file modes', () => {
  it('data dir 0700; store, WAL and staged copies 0600, tightened where an older version left 0755/0644', async () => {
    const config = configDir({
      'mappings/m1.yaml': `
name: M1
schoolYear: 2027
fields: { stateId: State ID, startDate: Start Date, endDate: End Date, eligibility: Eligibility, certifiedType: Certified Type }
values:
  eligibility: { Free: F, Reduced: R, Paid: S }
  certifiedType: { SNAP: SNAP, APPF: APP_F, APPR: APP_R, APPS: APP_S, VER: VERIFIED }
`,
      'certified-types.yaml': `
- { code: SNAP, label: SNAP, source: direct, eligibility: [F] }
- { code: APP_F, label: Free by application, source: nonDirect, eligibility: [F] }
- { code: APP_R, label: Reduced by application, source: nonDirect, eligibility: [R] }
- { code: APP_S, label: Paid by application, source: nonDirect, eligibility: [S] }
- { code: VERIFIED, label: Verified, source: nonDirect, eligibility: [F, R, S] }
`,
      'imports/local.yaml': 'name: Local one\nmapping: M1\nprotocol: local\ndirectory: drop\nstableSeconds: 0\n',
    });
    mkdirSync(join(config, 'drop'));
    const work = tempDir();
    const data = join(work, 'data');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    writeRoster(join(work, 'roster.csv'), 60_000);
    writeEligibility(join(config, 'drop', 'IC_Eligibility_modes.csv'), 60_000);
    const env = { ...process.env, FRAM_LOG_LEVEL: 'info', FRAM_DATA_DIR: data, FRAM_CONFIG_DIR: config };

    const load = await startCli(['students', 'load', join(work, 'roster.csv')], env).exited;
    expect(load.code).toBe(0);
    expect(mode(data)).toBe('700');
    expect(mode(join(data, 'fram-import.db'))).toBe('600');
    chmodSync(join(data, 'fram-import.db'), 0o644); // as an older version left it

    const run = startCli(['run', 'Local one'], env);
    await run.waitForStderr(/"msg":"file:staged"/);
    // The staged copy exists until the file's transaction has ended: it is read while this looks.
    const staging = join(data, 'staging');
    const runDirs = readdirSync(staging);
    expect(runDirs).toHaveLength(1);
    const staged = readdirSync(join(staging, runDirs[0]));
    const modes = {
      staging: mode(staging),
      run: mode(join(staging, runDirs[0])),
      files: staged.map((f) => mode(join(staging, runDirs[0], f))),
    };
    const wal = mode(join(data, 'fram-import.db-wal'));
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(staged).toEqual(['1']);
    expect(modes).toEqual({ staging: '700', run: '700', files: ['600'] });
    expect(wal).toBe('600');
    expect(mode(join(data, 'fram-import.db'))).toBe('600');
    expect(readdirSync(staging)).toEqual([]);

    const backup = join(work, 'backup.db');
    expect((await startCli(['db', 'backup', backup], env).exited).code).toBe(0);
    expect(mode(backup)).toBe('600');
  });
});
