// The `local` transport's rename (issue 9, finding 14): one atomic rename() after a look at the
// target, so no kill and no failing step can leave two names, and an existing name is never
// replaced. The cap, the stop signal and local-disk errors: transport-limits.test.ts.

import { execFileSync } from 'node:child_process';
import {
  linkSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FramError } from '../src/errors.js';
import { connectLocal } from '../src/transports/local.js';
import { TargetExistsError } from '../src/transports/transport.js';
import { makeTempDir, UNCAPPED } from './servers/common.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('local-test');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const names = () => readdirSync(dir).sort();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (e: unknown) => e,
  );
}

describe('local transport: rename', () => {
  it('renames to a free name: the same file (inode) under one name only', async () => {
    writeFileSync(path.join(dir, 'IC_Eligibility.csv'), 'data');
    const inode = statSync(path.join(dir, 'IC_Eligibility.csv')).ino;
    const t = await connectLocal(dir);
    await t.rename('IC_Eligibility.csv', 'P_IC_Eligibility_20261122010000.csv');
    expect(names()).toEqual(['P_IC_Eligibility_20261122010000.csv']);
    const after = statSync(path.join(dir, 'P_IC_Eligibility_20261122010000.csv'));
    expect(after.ino).toBe(inode);
    expect(after.nlink).toBe(1);
  });

  it('never replaces an existing name, not even a dangling symlink: TargetExistsError, both left as they were', async () => {
    writeFileSync(path.join(dir, 'IC_Eligibility.csv'), 'new');
    writeFileSync(path.join(dir, 'P_taken.csv'), 'old');
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'P_link.csv'));
    const t = await connectLocal(dir);
    for (const target of ['P_taken.csv', 'P_link.csv']) {
      const e = await rejection(t.rename('IC_Eligibility.csv', target));
      expect(e).toBeInstanceOf(TargetExistsError);
      expect((e as TargetExistsError).target).toBe(target);
    }
    expect(names()).toEqual(['IC_Eligibility.csv', 'P_link.csv', 'P_taken.csv']);
    expect(readFileSync(path.join(dir, 'IC_Eligibility.csv'), 'utf8')).toBe('new');
    expect(readFileSync(path.join(dir, 'P_taken.csv'), 'utf8')).toBe('old');
    expect(lstatSync(path.join(dir, 'P_link.csv')).isSymbolicLink()).toBe(true);
  });

  it('a folder where names can be added but not removed (append-only) refuses the rename with 5015 and keeps one name', async () => {
    writeFileSync(path.join(dir, 'IC_Eligibility.csv'), 'data');
    const t = await connectLocal(dir);
    execFileSync('chattr', ['+a', dir]);
    try {
      const e = await rejection(t.rename('IC_Eligibility.csv', 'P_IC_Eligibility_20261122010000.csv'));
      expect(e).toBeInstanceOf(FramError);
      expect((e as FramError).code).toBe(5015);
      expect((e as FramError).message).toBe(
        `Permission denied: cannot rename 'IC_Eligibility.csv' to 'P_IC_Eligibility_20261122010000.csv' in '${dir}' (EPERM)`,
      );
      expect(names()).toEqual(['IC_Eligibility.csv']);
      // The old link + unlink would have left two names here: the link is allowed, the unlink is not.
      linkSync(path.join(dir, 'IC_Eligibility.csv'), path.join(dir, 'P_IC_Eligibility_20261122010000.csv'));
      expect(() => unlinkSync(path.join(dir, 'IC_Eligibility.csv'))).toThrow(/EPERM/);
      expect(names()).toEqual(['IC_Eligibility.csv', 'P_IC_Eligibility_20261122010000.csv']);
    } finally {
      execFileSync('chattr', ['-a', dir]);
    }
  });

  it('a source that is gone is 5007, naming the file and the folder', async () => {
    const t = await connectLocal(dir);
    const e = await rejection(t.rename('IC_Eligibility.csv', 'P_x.csv'));
    expect(e).toBeInstanceOf(FramError);
    expect((e as FramError).message).toBe(`Could not rename 'IC_Eligibility.csv' to 'P_x.csv': it is no longer in '${dir}'`);
    expect(names()).toEqual([]);
  });
});

describe('local transport: folder and file errors', () => {
  it('a missing folder is 5003; a file gone since the listing is 5010', async () => {
    const e = await rejection(connectLocal(path.join(dir, 'missing')));
    expect((e as FramError).code).toBe(5003);
    const t = await connectLocal(dir);
    const gone = await rejection(t.download('IC_Eligibility.csv', path.join(dir, 'x.part'), UNCAPPED));
    expect((gone as FramError).message).toBe(`File 'IC_Eligibility.csv' could not be read: it is no longer in '${dir}'`);
  });
});
