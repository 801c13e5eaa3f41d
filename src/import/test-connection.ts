// IC's Test Connection (SPEC 3): connect, list, count the waiting files, show the peer's fingerprint,
// or name the exact failure. Shared by the CLI and the page.

import { FramError, unexpected } from '../errors.js';
import { candidates } from './stability.js';
import type { ImportConfig } from '../config.js';
import type { Connect } from '../transports/index.js';
import type { PeerIdentity, RemoteFile } from '../transports/transport.js';

export type FailureKind =
  | 'DNS'
  | 'refused'
  | 'timeout'
  | 'connection'
  | 'authentication'
  | 'host key'
  | 'certificate'
  | 'missing directory'
  | 'no permission'
  | 'other';

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
  error: { code: number; kind: FailureKind; text: string; hint: string } | null;
}

const KIND_OF_DETAIL: Record<string, FailureKind> = { dns: 'DNS', refused: 'refused', timeout: 'timeout', lost: 'connection' };

function kindOf(e: FramError): FailureKind {
  switch (e.kind) {
    case 'connection':
      return KIND_OF_DETAIL[e.detail ?? ''] ?? 'connection';
    case 'authentication':
      return 'authentication';
    case 'directory':
      return 'missing directory';
    case 'hostKey':
      return 'host key';
    case 'certificate':
      return 'certificate';
    case 'permission':
      return 'no permission';
    default:
      return 'other';
  }
}

/** What to put in the import's YAML to trust the peer that was refused, else the catalog's hint. */
function hintFor(e: FramError): string {
  const fp = String(e.params.fingerprint ?? '');
  if (e.code === 5004 && fp.startsWith('SHA256:'))
    return `if this is the right server, pin its key in the import: hostKeySha256: "${fp}"`;
  if (e.code === 5005 && /^[0-9a-f:]{64,}$/i.test(fp)) {
    return `if this is the right server, pin its certificate in the import (certSha256: "${fp}") or give its CA as caFile`;
  }
  return e.hint;
}

export async function testConnection(imp: ImportConfig, connect: Connect): Promise<ConnectionReport> {
  // A paused import (host starting with **) is still tested against the real host.
  const host = imp.host?.replace(/^\*\*/, '') ?? null;
  const report: ConnectionReport = {
    ok: false,
    import: imp.name,
    protocol: imp.protocol,
    host,
    port: imp.port ?? null,
    user: imp.username ?? null,
    directory: imp.directory,
    paused: imp.paused,
    peer: null,
    waiting: [],
    fileCount: 0,
    error: null,
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
    const err = unexpected(e, 'testing the connection');
    report.error = { code: err.code, kind: kindOf(err), text: err.message, hint: hintFor(err) };
  }
  return report;
}
