// Candidates and the stability gate (SPEC 6.3): a file is taken only when its size and modified
// time did not change between two listings `stableSeconds` apart.

import type { ImportConfig } from '../config.js';
import type { RemoteFile, Transport } from '../transports/transport.js';

export function candidates(files: RemoteFile[], prefix: string): RemoteFile[] {
  return files
    .filter((f) => f.name.startsWith(prefix) && !f.name.startsWith('P_'))
    .sort((a, b) => a.mtime.getTime() - b.mtime.getTime() || a.name.localeCompare(b.name));
}

export async function stableFiles(transport: Transport, imp: ImportConfig, sleep: (ms: number) => Promise<void>):
  Promise<{ ready: RemoteFile[]; waiting: RemoteFile[] }> {
  const first = candidates(await transport.list(), imp.filePrefix);
  if (imp.stableSeconds === 0 || first.length === 0) return { ready: first, waiting: [] };
  await sleep(imp.stableSeconds * 1000);
  const second = new Map(candidates(await transport.list(), imp.filePrefix).map((f) => [f.name, f]));
  const ready: RemoteFile[] = [];
  const waiting: RemoteFile[] = [];
  for (const f of first) {
    const again = second.get(f.name);
    if (!again) continue;
    if (again.size === f.size && again.mtime.getTime() === f.mtime.getTime()) ready.push(f);
    else waiting.push(again);
  }
  return { ready, waiting };
}
