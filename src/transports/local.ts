// The `local` protocol: a drop folder on the daemon's own machine.

import { copyFile, link, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FramError } from '../errors.js';
import { TargetExistsError, type RemoteFile, type Transport } from './transport.js';

export async function connectLocal(directory: string): Promise<Transport> {
  try {
    if (!(await stat(directory)).isDirectory()) throw new FramError(5003, { directory });
  } catch (e) {
    if (e instanceof FramError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new FramError(5015, { reason: `cannot read '${directory}'` }, { cause: e });
    throw new FramError(5003, { directory }, { cause: e });
  }
  return {
    peer: null,
    async list(): Promise<RemoteFile[]> {
      const out: RemoteFile[] = [];
      for (const entry of await readdir(directory, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const s = await stat(join(directory, entry.name)).catch(() => null);
        if (s) out.push({ name: entry.name, size: s.size, mtime: s.mtime });
      }
      return out;
    },
    async download(name, localPath) {
      // The kernel copies (or clones) the file; the caller compares the size with the listing.
      await copyFile(join(directory, name), localPath);
      return (await stat(localPath)).size;
    },
    async rename(from, to) {
      // link() refuses an existing target, where rename() would silently replace it.
      try {
        await link(join(directory, from), join(directory, to));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new TargetExistsError(to);
        throw e;
      }
      await unlink(join(directory, from));
    },
    async close() {},
  };
}
