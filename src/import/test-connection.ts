// IC's Test Connection (SPEC 3): connect, list, count the waiting files, show the peer's fingerprint,
// or name the exact failure. Shared by the CLI and the page.

import { FramError } from '../errors.js';
import { candidates } from './stability.js';
import type { ImportConfig } from '../config.js';
import type { Connect } from '../transports/index.js';
import type { PeerIdentity, RemoteFile } from '../transports/transport.js';

export type FailureKind =
  | 'DNS' | 'refused' | 'timeout' | 'connection' | 'authentication' | 'host key' | 'certificate'
  | 'missing directory' | 'no permission' | 'other';

export interface ConnectionReport {
  ok: boolean;
  import: string;
  protocol: ImportConfig['protocol'];
  host: string | null;
  port: number | null;
  user: string | null;
  directory: string;
  paused: boolean;
  peer: PeerIdentity | null;
  /** The files whose names start with the prefix, oldest first. */
  waiting: RemoteFile[];
  /** Every regular file in the directory. */
  fileCount: number;
  error: { code: number; kind: FailureKind; text: string; hint: string | null } | null;
}

function kindOf(e: FramError): FailureKind {
  switch (e.code) {
    case 5001:
      if (/DNS|name resolution|ENOTFOUND|EAI_AGAIN/i.test(e.message)) return 'DNS';
      if (/refused/i.test(e.message)) return 'refused';
      if (/timed out|timeout/i.test(e.message)) return 'timeout';
      return 'connection';
    case 5002: return 'authentication';
    case 5003: return 'missing directory';
    case 5004: return 'host key';
    case 5005: return 'certificate';
    case 5015: return 'no permission';
    default: return 'other';
  }
}

/** What to put in the import's YAML to trust the peer that was refused. */
function hintFor(e: FramError): string | null {
  if (e.code === 5004) {
    const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec(e.message)?.[0];
    return fp ? `if this is the right server, pin its key in the import: hostKeySha256: "${fp}"` : null;
  }
  if (e.code === 5005) {
    const fp = /(?:[0-9A-F]{2}:){31}[0-9A-F]{2}|[0-9a-f]{64}/.exec(e.message)?.[0];
    return fp ? `if this is the right server, pin its certificate in the import (certSha256: "${fp}") or give its CA as caFile` : null;
  }
  return null;
}

export async function testConnection(imp: ImportConfig, connect: Connect): Promise<ConnectionReport> {
  // A paused import (host starting with **) is still tested against the real host.
  const host = imp.host?.replace(/^\*\*/, '') ?? null;
  const report: ConnectionReport = {
    ok: false, import: imp.name, protocol: imp.protocol, host, port: imp.port ?? null, user: imp.username ?? null,
    directory: imp.directory, paused: imp.paused, peer: null, waiting: [], fileCount: 0, error: null,
  };
  try {
    const transport = await connect(host === null ? imp : { ...imp, host });
    try {
      report.peer = transport.peer;
      const files = await transport.list();
      report.fileCount = files.length;
      report.waiting = candidates(files, imp.filePrefix);
      report.ok = true;
    } finally {
      await transport.close().catch(() => {});
    }
  } catch (e) {
    const err = e instanceof FramError ? e : new FramError(5001, { host: host ?? imp.directory, reason: (e as Error).message });
    report.error = { code: err.code, kind: kindOf(err), text: err.message, hint: hintFor(err) };
  }
  return report;
}
