// The `local` protocol: a drop folder on the daemon's own machine.

import { createReadStream } from 'node:fs';
import { lstat, readdir, rename, stat } from 'node:fs/promises';
import path, { join } from 'node:path';
import { z } from 'zod';
import { errorCode, FramError } from '../errors.js';
import { interrupted, openCappedFile, oversize, whenAborted } from './transfer.js';
import { TargetExistsError, type Endpoint, type RemoteFile, type TransportDef, type Transport } from './transport.js';

/** The drop folder's own failures: it is this protocol's "server". */
function folderError(e: unknown, directory: string): FramError {
  if (e instanceof FramError) return e;
  const code = errorCode(e);
  if (code === 'EACCES' || code === 'EPERM') return new FramError(5015, { reason: `cannot read '${directory}'` }, { cause: e });
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FramError(5003, { directory }, { cause: e });
  return new FramError(
    5010,
    { file: directory, reason: `the folder cannot be read (${code ?? (e as Error).message})` },
    { cause: e },
  );
}

function readError(e: unknown, name: string, directory: string): FramError {
  const code = errorCode(e);
  if (code === 'ENOENT') return new FramError(5010, { file: name, reason: `it is no longer in '${directory}'` }, { cause: e });
  if (code === 'EACCES' || code === 'EPERM')
    return new FramError(5015, { reason: `cannot read '${name}' in '${directory}'` }, { cause: e });
  return new FramError(5010, { file: name, reason: `${code ?? (e as Error).message}` }, { cause: e });
}

export async function connectLocal(directory: string, signal?: AbortSignal): Promise<Transport> {
  if (signal?.aborted) throw interrupted();
  try {
    if (!(await stat(directory)).isDirectory()) throw new FramError(5003, { directory });
  } catch (e) {
    throw folderError(e, directory);
  }
  const listed = new Map<string, number>();
  const checkStop = () => {
    if (signal?.aborted) throw interrupted();
  };
  return {
    peer: null,
    async list(): Promise<RemoteFile[]> {
      checkStop();
      const out: RemoteFile[] = [];
      const entries = await readdir(directory, { withFileTypes: true }).catch((e: unknown) => {
        throw folderError(e, directory);
      });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const s = await stat(join(directory, entry.name)).catch(() => null);
        if (s) out.push({ name: entry.name, size: s.size, mtime: s.mtime });
      }
      listed.clear();
      for (const f of out) listed.set(f.name, f.size);
      return out;
    },
    async download(name, localPath, { maxBytes, signal: stop }) {
      const stops = [signal, stop];
      if (stops.some((s) => s?.aborted)) throw interrupted();
      // Streamed rather than copyFile: a file that grows while it is copied must stop at the cap.
      const file = await openCappedFile(localPath, maxBytes, () => oversize(name, maxBytes, listed.get(name)));
      const source = createReadStream(join(directory, name), { highWaterMark: 1 << 20 });
      const end = (e: Error) => {
        source.destroy();
        file.input.destroy(e);
      };
      source.once('error', (e) => end(readError(e, name, directory)));
      file.input.once('error', () => source.destroy());
      const offs = stops.map((s) => whenAborted(s, () => end(interrupted())));
      source.pipe(file.input);
      try {
        return await file.done;
      } finally {
        for (const off of offs) off();
      }
    },
    async rename(from, to) {
      checkStop();
      // rename() replaces an existing target, so look first. The run lock makes this run the only
      // one renaming in this folder; rename() itself is atomic, so no crash can leave two names.
      const target = join(directory, to);
      const taken = await lstat(target).then(
        () => true,
        (e: unknown) => {
          if (errorCode(e) === 'ENOENT') return false;
          throw renameError(e, from, to, directory);
        },
      );
      if (taken) throw new TargetExistsError(to);
      await rename(join(directory, from), target).catch((e: unknown) => {
        throw renameError(e, from, to, directory);
      });
    },
    async close() {},
  };
}

function renameError(e: unknown, from: string, to: string, directory: string): FramError {
  const code = errorCode(e);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new FramError(5015, { reason: `cannot rename '${from}' to '${to}' in '${directory}' (${code})` }, { cause: e });
  }
  const reason = code === 'ENOENT' ? `it is no longer in '${directory}'` : `${code ?? (e as Error).message}`;
  return new FramError(5007, { file: from, target: to, reason }, { cause: e });
}

/** No keys of its own: the folder is the import's `directory`, absolute or relative to the config dir. */
const localBranch = z.object({ protocol: z.literal('local') });

export const localTransport: TransportDef<Endpoint, typeof localBranch> = {
  protocol: 'local',
  branch: localBranch,
  secrets: [],
  check(values, c) {
    const dir = values.directory as string | undefined;
    if ((dir === undefined || dir === '') && !c.failed('directory')) {
      c.add(['directory'], 'required: the folder to watch, absolute or relative to the config dir');
    }
  },
  settle: (values, configDir) => ({ directory: path.resolve(configDir, values.directory as string) }),
  open: (config, _secrets, opts) => connectLocal(config.directory, opts.signal),
};
