// Download to staging (`<path>.part`, then renamed), check the byte count, take the SHA-256 (SPEC 6.4).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { FramError } from '../errors.js';
import type { RemoteFile, Transport } from '../transports/transport.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The most a download may bring: the listed size plus 1 MiB or 1 %, whichever is larger. */
export function downloadCap(listedSize: number): number {
  return listedSize + Math.max(1 << 20, Math.ceil(listedSize / 100));
}

/** Returns the staged file's SHA-256. The `.part` file never outlives a failure. */
export async function fetchFile(
  transport: Transport,
  file: RemoteFile,
  stagedPath: string,
  signal?: AbortSignal,
): Promise<string> {
  const part = `${stagedPath}.part`;
  try {
    const bytes = await transport.download(file.name, part, { maxBytes: downloadCap(file.size), signal });
    if (bytes !== file.size) throw new FramError(5006, { file: file.name, got: bytes, expected: file.size });
    await rename(part, stagedPath);
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
  return sha256File(stagedPath);
}
