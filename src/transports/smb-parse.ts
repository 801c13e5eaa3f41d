// Pure helpers of the `smb` transport: the import's directory, the names and credentials that may
// be given to smbclient, its `ls` output and its NT_STATUS words. No process, file or network here.

/** `<share>/<folder>/...`, with `/` or `\` between folders (SPEC 4). */
export interface SmbLocation {
  share: string;
  /** The folders inside the share, joined with `\`; '' for the share's top. */
  folder: string;
}

export function splitDirectory(directory: string): SmbLocation {
  const parts = directory.split(/[/\\]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('the directory is empty: its first folder is the share name');
  const [share, ...folders] = parts;
  return { share, folder: folders.join('\\') };
}

/** Characters smbclient's `-c` cannot take inside a quoted argument, or that could split it. */
const UNSAFE = /["\u0000-\u001f\u007f;]/;

/**
 * Why `value` cannot be given to smbclient as a file name, or null when it can. smbclient
 * splits `-c` at every `;` (quotes or not), ends a quoted argument at `"` and has no escape,
 * so such a name could run a second command.
 */
export function unsafeNameReason(value: string): string | null {
  const bad = UNSAFE.exec(value);
  if (bad) return `it contains ${describeChar(bad[0])}, which cannot be passed to smbclient safely`;
  if (/[/\\]/.test(value)) return 'it contains a / or \\ (a file name, not a path, is expected)';
  if (value === '' || value === '.' || value === '..') return 'it is not a file name';
  return null;
}

/** Same for a folder path (`/` and `\` allowed between folders, no `..`). */
export function unsafePathReason(value: string): string | null {
  const bad = UNSAFE.exec(value);
  if (bad) return `it contains ${describeChar(bad[0])}, which cannot be passed to smbclient safely`;
  if (value.split(/[/\\]/).some((p) => p === '..')) return "it contains a '..' folder";
  return null;
}

function describeChar(c: string): string {
  if (c === '"') return 'a double quote (")';
  if (c === ';') return 'a semicolon (;)';
  return `the control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export interface LsEntry {
  name: string;
  /** smbclient's attribute letters: D directory, A archive, H hidden, S system, R read-only, N normal... */
  attributes: string;
  size: number;
  mtime: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// smbclient's display_finfo: "  %-30s%7.7s %8.0f  %s\n" (name, attributes, size, the time as
// asctime prints it in the TZ of the process). Read from the right: the name may hold spaces.
const ENTRY = /^ {2}(.+?) +([A-Za-z]{1,7}) +(\d+) {2}([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
const FOOTER = /^\t\t\d+ blocks of size \d+\. \d+ blocks available$/;

/**
 * Parses the output of smbclient's `ls`, run with TZ=UTC. Every line must be an entry, the
 * blank line or the `blocks available` footer: anything else throws, naming the line.
 * `.` and `..` are left out; directories stay in (attribute D) for the caller to skip.
 */
export function parseLs(output: string): LsEntry[] {
  const entries: LsEntry[] = [];
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let footer = false;
  for (const line of lines) {
    if (line === '') continue;
    if (FOOTER.test(line)) {
      if (footer) throw new Error(`smbclient ls printed two footers: '${line}'`);
      footer = true;
      continue;
    }
    if (footer) throw new Error(`smbclient ls printed a line after its footer: '${line}'`);
    const m = ENTRY.exec(line);
    if (!m) throw new Error(`smbclient ls printed a line that is not a directory entry: '${line}'`);
    const [, name, attributes, size, dow, mon, day, hh, mm, ss, year] = m;
    const month = MONTHS.indexOf(mon);
    const t = Date.UTC(+year, month, +day, +hh, +mm, +ss);
    const check = new Date(t);
    if (
      month < 0 ||
      Number.isNaN(t) ||
      check.getUTCDate() !== +day ||
      check.getUTCHours() !== +hh ||
      check.getUTCMinutes() !== +mm ||
      check.getUTCSeconds() !== +ss ||
      DAYS[check.getUTCDay()] !== dow
    ) {
      throw new Error(`smbclient ls printed a time that is not a valid UTC date: '${line}'`);
    }
    if (!Number.isSafeInteger(+size)) throw new Error(`smbclient ls printed a size out of range: '${line}'`);
    if (name === '.' || name === '..') continue;
    entries.push({ name, attributes, size: +size, mtime: check });
  }
  if (!footer) throw new Error('smbclient ls output ended without its "blocks available" footer');
  return entries;
}

/** A regular file: neither a directory (D) nor a volume label (V). */
export function isRegularFile(e: LsEntry): boolean {
  return !/[DV]/.test(e.attributes);
}

/**
 * The NT_STATUS word that smbclient reports, and the line it stands on. smbclient writes it
 * first (`NT_STATUS_X opening remote file ...`) or after `: `, `(Error ` or `returned `; those
 * places win over a status-like word inside a file name on the same line.
 */
export function findStatus(output: string): { status: string; line: string } | null {
  const placed = /^.*?(?:^|: |\(Error |returned )(NT_STATUS_[A-Z0-9_]+)\b.*$/m.exec(output);
  const m = placed ?? /^.*?\b(NT_STATUS_[A-Z0-9_]+)\b.*$/m.exec(output);
  return m ? { status: m[1], line: m[0].trim() } : null;
}

export type StatusKind = 'auth' | 'network' | 'share' | 'not-found' | 'denied' | 'collision' | 'other';

const AUTH = new Set([
  'NT_STATUS_LOGON_FAILURE',
  'NT_STATUS_WRONG_PASSWORD',
  'NT_STATUS_NO_SUCH_USER',
  'NT_STATUS_PASSWORD_EXPIRED',
  'NT_STATUS_PASSWORD_MUST_CHANGE',
  'NT_STATUS_INVALID_LOGON_HOURS',
  'NT_STATUS_INVALID_WORKSTATION',
  'NT_STATUS_LOGON_TYPE_NOT_GRANTED',
  'NT_STATUS_NO_LOGON_SERVERS',
  'NT_STATUS_TRUSTED_RELATIONSHIP_FAILURE',
]);
const NETWORK = new Set([
  'NT_STATUS_CONNECTION_REFUSED',
  'NT_STATUS_HOST_UNREACHABLE',
  'NT_STATUS_NETWORK_UNREACHABLE',
  'NT_STATUS_IO_TIMEOUT',
  'NT_STATUS_CONNECTION_RESET',
  'NT_STATUS_CONNECTION_DISCONNECTED',
  'NT_STATUS_CONNECTION_ABORTED',
  'NT_STATUS_PIPE_BROKEN',
  'NT_STATUS_PIPE_DISCONNECTED',
  'NT_STATUS_INVALID_NETWORK_RESPONSE',
  'NT_STATUS_NETWORK_NAME_DELETED',
  'NT_STATUS_PORT_UNREACHABLE',
  'NT_STATUS_ADDRESS_NOT_ASSOCIATED',
  'NT_STATUS_BAD_NETWORK_PATH',
  'NT_STATUS_NETWORK_BUSY',
  'NT_STATUS_REQUEST_NOT_ACCEPTED',
  'NT_STATUS_USER_SESSION_DELETED',
  'NT_STATUS_NETWORK_SESSION_EXPIRED',
]);
const NOT_FOUND = new Set([
  'NT_STATUS_OBJECT_NAME_NOT_FOUND',
  'NT_STATUS_OBJECT_PATH_NOT_FOUND',
  'NT_STATUS_NOT_A_DIRECTORY',
  'NT_STATUS_OBJECT_NAME_INVALID',
  'NT_STATUS_OBJECT_PATH_INVALID',
  'NT_STATUS_NO_SUCH_FILE',
  'NT_STATUS_DELETE_PENDING',
]);

export function statusKind(status: string): StatusKind {
  if (AUTH.has(status) || status.startsWith('NT_STATUS_ACCOUNT_')) return 'auth';
  if (NETWORK.has(status)) return 'network';
  if (status === 'NT_STATUS_BAD_NETWORK_NAME') return 'share';
  if (NOT_FOUND.has(status)) return 'not-found';
  if (status === 'NT_STATUS_ACCESS_DENIED' || status === 'NT_STATUS_NETWORK_ACCESS_DENIED') return 'denied';
  if (status === 'NT_STATUS_OBJECT_NAME_COLLISION') return 'collision';
  return 'other';
}

/** smbclient's own lines for the steps before a command: connect, negotiate, login, share, cd. */
export function isConnectLine(line: string): boolean {
  return /^(do_connect:|protocol negotiation failed:|session setup failed:|tree connect failed:|cd \\)/.test(line);
}

/** `getting file \dir\name of size N as /local/path (...)`: the size smbclient says it wrote. */
export function parseGetSize(output: string, localPath: string): number | null {
  const as = ` as ${localPath} (`;
  for (const line of output.split('\n')) {
    if (!line.startsWith('getting file ')) continue;
    const m = / of size (\d+)$/.exec(line.slice(0, line.lastIndexOf(as)));
    if (line.includes(as) && m) return Number(m[1]);
  }
  return null;
}

/** Why these credentials cannot go into smbclient's authentication file, or null. Never shows the password. */
export function checkCredentials(username: string, domain: string | undefined, password: string): string | null {
  if (!username || /[\u0000-\u001f\u007f%]/.test(username) || /^\s/.test(username))
    return 'the username is empty or holds a control character or %';
  if (domain !== undefined && (/[\u0000-\u001f\u007f]/.test(domain) || /^\s/.test(domain)))
    return 'the domain holds a control character';
  // smbclient's authentication file is read line by line and loses white space after `=`.
  if (/[\r\n\u0000]/.test(password)) return 'the password holds a line break or NUL, which smbclient cannot be given';
  if (/^[ \t]/.test(password)) return 'the password starts with white space, which smbclient cannot be given';
  return null;
}

/** 5001's reason for a network status. */
export function networkReason(status: string): string {
  switch (status) {
    case 'NT_STATUS_CONNECTION_REFUSED':
      return 'connection refused';
    case 'NT_STATUS_HOST_UNREACHABLE':
      return 'host unreachable';
    case 'NT_STATUS_NETWORK_UNREACHABLE':
      return 'network unreachable';
    case 'NT_STATUS_PORT_UNREACHABLE':
      return 'port unreachable';
    case 'NT_STATUS_IO_TIMEOUT':
      return 'timed out';
    default:
      return 'connection lost';
  }
}

/** 5001's detail for a network status. */
export function networkDetail(status: string): string | undefined {
  switch (status) {
    case 'NT_STATUS_CONNECTION_REFUSED':
      return 'refused';
    case 'NT_STATUS_IO_TIMEOUT':
      return 'timeout';
    case 'NT_STATUS_HOST_UNREACHABLE':
    case 'NT_STATUS_NETWORK_UNREACHABLE':
    case 'NT_STATUS_PORT_UNREACHABLE':
      return undefined;
    default:
      return 'lost';
  }
}
