// Download to staging (`<path>.part`, then renamed), check the byte count, take the SHA-256 (SPEC 6.4).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { FramError } from '../errors.js';
import type { RemoteFile, Transport } from '../transports/transport.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Returns the staged file's SHA-256. */
export async function fetchFile(transport: Transport, file: RemoteFile, stagedPath: string): Promise<string> {
  const part = `${stagedPath}.part`;
  const bytes = await transport.download(file.name, part);
  if (bytes !== file.size) throw new FramError(5006, { file: file.name, got: bytes, expected: file.size });
  await rename(part, stagedPath);
  return sha256File(stagedPath);
}
