import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, readSecret } from '../src/config.js';
import { tempDir, configDir } from './helpers/config-dir.js';

describe('loadSettings', () => {
  it('applies defaults', () => {
    expect(loadSettings({}, {})).toEqual({
      dataDir: '/data',
      configDir: '/config',
      port: 8080,
      tz: 'UTC',
      logLevel: 'info',
      retentionDays: 1100,
    });
  });

  it('takes env over defaults and flags over env', () => {
    const env = {
      FRAM_DATA_DIR: '/srv/data',
      FRAM_CONFIG_DIR: '/srv/config',
      FRAM_PORT: '9090',
      FRAM_TZ: 'America/Chicago',
      TZ: 'Europe/Berlin',
      FRAM_LOG_LEVEL: 'debug',
      FRAM_RETENTION_DAYS: '400',
      FRAM_API_TOKENS_FILE: '/run/secrets/tokens',
    };
    expect(loadSettings(env, {})).toEqual({
      dataDir: '/srv/data',
      configDir: '/srv/config',
      port: 9090,
      tz: 'America/Chicago',
      logLevel: 'debug',
      retentionDays: 400,
      apiTokensFile: '/run/secrets/tokens',
    });
    expect(loadSettings(env, { dataDir: '/x', configDir: '/y', port: 1234 })).toMatchObject({
      dataDir: '/x',
      configDir: '/y',
      port: 1234,
    });
    expect(loadSettings({ TZ: 'Europe/Berlin' }, {}).tz).toBe('Europe/Berlin');
  });

  it('throws on a zone that is not a real IANA zone', () => {
    expect(() => loadSettings({ FRAM_TZ: 'Mars/Olympus_Mons' }, {})).toThrow(
      /FRAM_TZ: 'Mars\/Olympus_Mons' is not a known IANA time zone/,
    );
    expect(() => loadSettings({ TZ: 'Nowhere/Land' }, {})).toThrow(/TZ: 'Nowhere\/Land'/);
  });

  it('throws on a bad port or retention', () => {
    expect(() => loadSettings({ FRAM_PORT: '80a' }, {})).toThrow(/FRAM_PORT/);
    expect(() => loadSettings({}, { port: 70000 })).toThrow(/port/);
    expect(() => loadSettings({ FRAM_RETENTION_DAYS: '0' }, {})).toThrow(/FRAM_RETENTION_DAYS/);
  });
});

describe('readSecret', () => {
  const SECRET = 's3cr3t-value-xyz';

  it('reads from env, and from NAME_FILE when NAME is unset', () => {
    expect(readSecret({ env: 'POS_PW' }, { POS_PW: SECRET })).toBe(SECRET);
    const file = path.join(tempDir(), 'pw');
    writeFileSync(file, `${SECRET}\n`);
    expect(readSecret({ env: 'POS_PW' }, { POS_PW_FILE: file })).toBe(SECRET);
  });

  it('reads a file, trimming one trailing newline only', () => {
    const file = path.join(tempDir(), 'pw');
    writeFileSync(file, `${SECRET} \r\n`);
    expect(readSecret({ file }, {})).toBe(`${SECRET} `);
  });

  it('names the variable or file in its errors, never the secret', () => {
    let message = '';
    try {
      readSecret({ env: 'POS_PW' }, { OTHER: SECRET });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('POS_PW');
    expect(message).not.toContain(SECRET);

    const missing = path.join(tempDir(), 'no-such-file');
    expect(() => readSecret({ file: missing }, { X: SECRET })).toThrow(missing);
    try {
      readSecret({ env: 'POS_PW' }, { POS_PW_FILE: missing, POS_PW: '' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('POS_PW_FILE');
    expect(message).toContain(missing);
    expect(message).not.toContain(SECRET);
  });
});
