// smbclient's output parser and name checks (src/transports/smb-parse.ts): pure, on output that
// smbclient 4.17 printed here.

import { describe, expect, it } from 'vitest';
import {
  findStatus,
  isRegularFile,
  networkDetail,
  parseGetSize,
  parseLs,
  splitDirectory,
  statusKind,
  unsafeNameReason,
  unsafePathReason,
} from '../src/transports/smb-parse.js';

// (TZ=UTC, LC_ALL=C)
const LS_SAMPLE = [
  '  .                                   D        0  Sun Nov 22 20:50:34 2026',
  '  ..                                  D        0  Sun Nov 22 20:50:27 2026',
  '  a name with  spaces and a very long tail beyond thirty.txt      N        1  Sun Nov 22 20:50:34 2026',
  '  Ünïcödé.txt                     N        1  Sun Nov 22 20:50:34 2026',
  '  IC_Eligibility.csv                  N     1000  Wed Mar  4 05:06:07 2026',
  '  TZHRWN~X                            N        1  Sun Nov 22 20:50:34 2026',
  '  sub                                 D        0  Sun Nov 22 20:50:34 2026',
  '  IC_Eligibility_big.csv             AH 4294967296  Thu Jan  1 00:00:00 1970',
  '  report A                            N        7  Tue Feb 29 23:59:59 2028',
  '',
  '\t\t264212084 blocks of size 1024. 78334320 blocks available',
  '',
].join('\n');

describe('smbclient output parsing', () => {
  it('reads ls lines into name, attributes, size and UTC mtime, without . and ..', () => {
    expect(parseLs(LS_SAMPLE)).toEqual([
      {
        name: 'a name with  spaces and a very long tail beyond thirty.txt',
        attributes: 'N',
        size: 1,
        mtime: new Date('2026-11-22T20:50:34Z'),
      },
      { name: 'Ünïcödé.txt', attributes: 'N', size: 1, mtime: new Date('2026-11-22T20:50:34Z') },
      { name: 'IC_Eligibility.csv', attributes: 'N', size: 1000, mtime: new Date('2026-03-04T05:06:07Z') },
      { name: 'TZHRWN~X', attributes: 'N', size: 1, mtime: new Date('2026-11-22T20:50:34Z') },
      { name: 'sub', attributes: 'D', size: 0, mtime: new Date('2026-11-22T20:50:34Z') },
      { name: 'IC_Eligibility_big.csv', attributes: 'AH', size: 4294967296, mtime: new Date('1970-01-01T00:00:00Z') },
      { name: 'report A', attributes: 'N', size: 7, mtime: new Date('2028-02-29T23:59:59Z') },
    ]);
    expect(
      parseLs(LS_SAMPLE)
        .filter(isRegularFile)
        .map((e) => e.name),
    ).not.toContain('sub');
  });

  it('reads an empty folder', () => {
    const empty =
      '  .                                   D        0  Sun Nov 22 20:50:27 2026\n' +
      '  ..                                  D        0  Sun Nov 22 20:50:27 2026\n\n' +
      '\t\t264212084 blocks of size 1024. 78333512 blocks available\n';
    expect(parseLs(empty)).toEqual([]);
  });

  it.each([
    ['an unknown line', 'Domain=[X] OS=[Y]\n\t\t1 blocks of size 1024. 1 blocks available\n', /not a directory entry/],
    [
      'a time in another format',
      '  a.csv    N   1  2026-03-04 05:06:07\n\t\t1 blocks of size 1024. 1 blocks available\n',
      /not a directory entry/,
    ],
    [
      'a weekday that does not fit the date (not UTC, or not this format)',
      '  a.csv                               N        1  Mon Mar  4 05:06:07 2026\n\t\t1 blocks of size 1024. 1 blocks available\n',
      /not a valid UTC date/,
    ],
    [
      'an impossible date',
      '  a.csv                               N        1  Sat Feb 30 05:06:07 2026\n\t\t1 blocks of size 1024. 1 blocks available\n',
      /not a valid UTC date/,
    ],
    [
      'no footer (cut-off output)',
      '  a.csv                               N        1  Wed Mar  4 05:06:07 2026\n',
      /without its "blocks available" footer/,
    ],
    [
      'a line after the footer',
      '\t\t1 blocks of size 1024. 1 blocks available\n  a.csv                               N        1  Wed Mar  4 05:06:07 2026\n',
      /after its footer/,
    ],
    ['an error instead of a listing', 'NT_STATUS_NO_SUCH_FILE listing \\Exports\\*\n', /not a directory entry/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseLs(text)).toThrow(message);
  });

  it('finds the NT_STATUS word where smbclient writes it, not in a file name', () => {
    expect(findStatus('session setup failed: NT_STATUS_LOGON_FAILURE\n')).toEqual({
      status: 'NT_STATUS_LOGON_FAILURE',
      line: 'session setup failed: NT_STATUS_LOGON_FAILURE',
    });
    expect(findStatus('do_connect: Connection to 127.0.0.1 failed (Error NT_STATUS_CONNECTION_REFUSED)')?.status).toBe(
      'NT_STATUS_CONNECTION_REFUSED',
    );
    expect(findStatus('cd \\Exports\\NT_STATUS_FAKE\\: NT_STATUS_OBJECT_NAME_NOT_FOUND')?.status).toBe(
      'NT_STATUS_OBJECT_NAME_NOT_FOUND',
    );
    expect(findStatus('NT_STATUS_OBJECT_NAME_COLLISION renaming files \\E\\a -> \\E\\NT_STATUS_OK')?.status).toBe(
      'NT_STATUS_OBJECT_NAME_COLLISION',
    );
    expect(findStatus('parallel_read returned NT_STATUS_CONNECTION_RESET')?.status).toBe('NT_STATUS_CONNECTION_RESET');
    expect(findStatus('Error opening local file /x/y')).toBeNull();
  });

  it.each([
    ['NT_STATUS_LOGON_FAILURE', 'auth'],
    ['NT_STATUS_ACCOUNT_DISABLED', 'auth'],
    ['NT_STATUS_ACCOUNT_LOCKED_OUT', 'auth'],
    ['NT_STATUS_BAD_NETWORK_NAME', 'share'],
    ['NT_STATUS_OBJECT_NAME_NOT_FOUND', 'not-found'],
    ['NT_STATUS_OBJECT_PATH_NOT_FOUND', 'not-found'],
    ['NT_STATUS_CONNECTION_REFUSED', 'network'],
    ['NT_STATUS_HOST_UNREACHABLE', 'network'],
    ['NT_STATUS_IO_TIMEOUT', 'network'],
    ['NT_STATUS_ACCESS_DENIED', 'denied'],
    ['NT_STATUS_OBJECT_NAME_COLLISION', 'collision'],
    ['NT_STATUS_SHARING_VIOLATION', 'other'],
  ])('classifies %s as %s', (status, kind) => {
    expect(statusKind(status)).toBe(kind);
  });

  it('reads the size that get reports, for this local path only', () => {
    // The remote file is named 'x of size 12 as y.csv' and has 3 bytes.
    const out =
      'getting file \\Exports\\x of size 12 as y.csv of size 3 as /tmp/a b.part (4.9 KiloBytes/sec) (average 4.9 KiloBytes/sec)\n';
    expect(parseGetSize(out, '/tmp/a b.part')).toBe(3);
    expect(parseGetSize(out, '/tmp/other')).toBeNull();
    // `get <name> -` (to standard output), as smbclient 4.17 printed it on standard error here.
    expect(
      parseGetSize(
        'getting file \\Exports\\small.csv of size 12 as - (120000.0 KiloBytes/sec) (average inf KiloBytes/sec)\n',
        '-',
      ),
    ).toBe(12);
  });

  it.each([
    ['NT_STATUS_CONNECTION_REFUSED', 'refused'],
    ['NT_STATUS_IO_TIMEOUT', 'timeout'],
    ['NT_STATUS_CONNECTION_RESET', 'lost'],
    ['NT_STATUS_CONNECTION_DISCONNECTED', 'lost'],
    ['NT_STATUS_PIPE_BROKEN', 'lost'],
    ['NT_STATUS_HOST_UNREACHABLE', undefined],
  ])("gives 5001 from %s the detail '%s'", (status, detail) => {
    expect(statusKind(status)).toBe('network');
    expect(networkDetail(status)).toBe(detail);
  });

  it('splits the directory into share and folder, with / or \\', () => {
    expect(splitDirectory('pos1/Exports')).toEqual({ share: 'pos1', folder: 'Exports' });
    expect(splitDirectory('pos1\\Exports/Daily\\')).toEqual({ share: 'pos1', folder: 'Exports\\Daily' });
    expect(splitDirectory('pos1')).toEqual({ share: 'pos1', folder: '' });
  });

  it('refuses names and folders that could break out of a smbclient command', () => {
    for (const bad of ['a;b.csv', 'a"b.csv', 'a\nb', 'a\u0000b', 'a\tb', 'a/b', 'a\\b', '..', ''])
      expect(unsafeNameReason(bad)).not.toBeNull();
    for (const ok of ['IC_Eligibility.csv', "O'Brien list.csv", 'Ünïcödé (1).txt', 'a%b&c|d$e`f.csv'])
      expect(unsafeNameReason(ok)).toBeNull();
    expect(unsafePathReason('pos/Ex;ports')).toMatch(/semicolon/);
    expect(unsafePathReason('pos/"Exports"')).toMatch(/double quote/);
    expect(unsafePathReason('pos/../etc')).toMatch(/\.\./);
    expect(unsafePathReason('pos/Exports')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// The transport against real servers.
