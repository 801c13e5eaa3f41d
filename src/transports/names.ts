// The one choke point for names that come from a file server (SPEC 6.7): every listing of every
// transport passes through `checkNames`, so a hostile or broken server cannot make the daemon use
// a path, a control character or an over-long name. An unusable name is marked, not dropped, so
// the run reports that file on its own and imports the others.

import { FramError } from '../errors.js';
import type { RemoteFile, Transport } from './transport.js';

/** Longest name a file system takes for one path component. */
export const MAX_NAME_BYTES = 255;

/** Why a remote name cannot be used as a single file name, or null when it can. */
export function unsafeNameReason(name: string): string | null {
  if (name === '') return 'the name is empty';
  if (name === '.' || name === '..') return `'${name}' is not a file name`;
  if (/[/\\]/.test(name)) return 'it holds a path separator';
  if (name.includes('\u0000')) return 'it holds a NUL character';
  // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
  if (/[\u0001-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return 'it holds a control character';
  // The client could not decode the server's bytes: renaming "it" would name another file.
  if (name.includes('\ufffd') || /[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    return 'it is not valid UTF-8';
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) return `it is ${bytes} bytes long (at most ${MAX_NAME_BYTES})`;
  return null;
}

export function markUnsafe(files: RemoteFile[]): RemoteFile[] {
  return files.map((f) => {
    const unsafe = unsafeNameReason(f.name);
    return unsafe ? { ...f, unsafe } : f;
  });
}

/** The transport with its listing checked; every other operation refuses a name that is not safe. */
export function checkNames(t: Transport): Transport {
  const guard = (name: string) => {
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new FramError(5016, { file: JSON.stringify(name), reason: unsafe });
  };
  return {
    get peer() {
      return t.peer;
    },
    list: async () => markUnsafe(await t.list()),
    download: (name, localPath, opts) => {
      guard(name);
      return t.download(name, localPath, opts);
    },
    rename: (from, to) => {
      guard(from);
      guard(to);
      return t.rename(from, to);
    },
    close: () => t.close(),
  };
}
