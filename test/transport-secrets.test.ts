// Secrets reach a transport as values, read by the caller (issue 10): createConnect asks the
// caller's ReadSecret for exactly the keys the protocol declares, a missing secret is 5017 before
// anything is connected and is never retried, and each protocol's keys of an import file come from
// its transport's branch. No server: every connection here is refused on a free loopback port.

import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMPORT_KEYS } from '../src/config/import.js';
import { secretReader } from '../src/config/secrets.js';
import { FramError } from '../src/errors.js';
import { createConnect, PROTOCOLS, TRANSPORTS, type TransportConfig } from '../src/transports/index.js';
import type { SecretRef } from '../src/transports/transport.js';
import { freePort, makeTempDir } from './servers/common.js';
import { importConfig } from './servers/import-config.js';

let work: string;
beforeEach(() => {
  work = makeTempDir('secrets-test');
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<FramError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (err: unknown) => err,
  );
  expect(e, String(e)).toBeInstanceOf(FramError);
  return e as FramError;
}

const sftpImport = (port: number, over: Record<string, unknown> = {}): TransportConfig =>
  importConfig({
    protocol: 'sftp',
    host: '127.0.0.1',
    port,
    username: 'u',
    directory: 'out',
    ...over,
  });

describe('createConnect: secrets come from the caller', () => {
  it('asks ReadSecret for the password, the private key and the passphrase, in that order', async () => {
    const asked: SecretRef[] = [];
    const read = (ref: SecretRef) => {
      asked.push(ref);
      return 'not a key';
    };
    const imp = sftpImport(await freePort(), {
      password: { env: 'PW' },
      privateKey: { file: '/keys/id' },
      passphrase: { env: 'PP' },
    });
    // ssh2 cannot parse the key it was given: an authentication failure, never retried.
    const e = await rejection(
      createConnect(read, { connectTimeoutMs: 5000, idleTimeoutMs: 5000 }, { attempts: 2, firstDelayMs: 1 })(imp),
    );
    expect(e.code).toBe(5002);
    expect(asked).toEqual([{ env: 'PW' }, { file: '/keys/id' }, { env: 'PP' }]);
  });

  it('reads them again for each attempt', async () => {
    const asked: SecretRef[] = [];
    const read = (ref: SecretRef) => {
      asked.push(ref);
      return 'pw';
    };
    const imp = sftpImport(await freePort(), { password: { env: 'PW' } });
    const e = await rejection(
      createConnect(read, { connectTimeoutMs: 5000, idleTimeoutMs: 5000 }, { attempts: 2, firstDelayMs: 1 })(imp),
    );
    expect([e.code, e.detail]).toEqual([5001, 'refused']);
    expect(asked).toEqual([{ env: 'PW' }, { env: 'PW' }]);
  });

  it('fails with 5017 naming the variable before connecting, and does not try again', async () => {
    let reads = 0;
    const fromEnv = secretReader({ OTHER: 'x' });
    const read = (ref: SecretRef) => {
      reads++;
      return fromEnv(ref);
    };
    const imp = sftpImport(await freePort(), { password: { env: 'FRAM_TEST_UNSET' } });
    const e = await rejection(
      createConnect(read, { connectTimeoutMs: 5000, idleTimeoutMs: 5000 }, { attempts: 3, firstDelayMs: 1 })(imp),
    );
    expect(e.code).toBe(5017);
    expect(e.message).toBe(
      'Secret environment variable FRAM_TEST_UNSET (or FRAM_TEST_UNSET_FILE) is missing or unreadable: it is unset or empty',
    );
    expect(reads).toBe(1);
  });

  it('asks nothing for a protocol without secrets', async () => {
    const read = () => {
      throw new Error('local has no secrets');
    };
    const t = await createConnect(read)(importConfig({ protocol: 'local', directory: work }));
    expect(await t.list()).toEqual([]);
    await t.close();
  });
});

describe('the registry', () => {
  it('lists each protocol once, in the order messages name them', () => {
    expect(PROTOCOLS).toEqual(['smb', 'ftps', 'sftp', 'local']);
  });

  it("gives the import file every transport's keys, and no protocol key that no transport declares", () => {
    const common = [
      'name',
      'active',
      'mapping',
      'protocol',
      'directory',
      'filePrefix',
      'schedule',
      'stableSeconds',
      'includeUpdatedRecords',
      'maxChangeRatio',
    ];
    const own = [...new Set(TRANSPORTS.flatMap((t) => Object.keys(t.branch.shape).filter((k) => k !== 'protocol')))];
    expect(own).toHaveLength(13);
    expect([...IMPORT_KEYS].sort()).toEqual([...common, ...own].sort());
    for (const t of TRANSPORTS)
      for (const key of t.secrets) expect(Object.keys(t.branch.shape), `${t.protocol}.${key}`).toContain(key);
  });
});
