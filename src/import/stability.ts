// Candidates and the stability gate (SPEC 6.3): a file is taken only when its size and modified
// time did not change between two listings `stableSeconds` apart.

import type { ImportConfig } from '../config.js';
import type { RemoteFile, Transport } from '../transports/transport.js';

/**
 * Files whose names start with the prefix, ignoring case (SMB names are case-insensitive, and a POS
 * on Windows may write `ic_eligibility.csv`); processed `P_` files never match.
 */
export function candidates(files: RemoteFile[], prefix: string): RemoteFile[] {
  const p = prefix.toLowerCase();
  return files
    .filter((f) => f.name.toLowerCase().startsWith(p) && !/^p_/i.test(f.name))
    .sort((a, b) => a.mtime.getTime() - b.mtime.getTime() || a.name.localeCompare(b.name));
}

export async function stableFiles(
  transport: Transport,
  imp: ImportConfig,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ready: RemoteFile[]; waiting: RemoteFile[] }> {
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
