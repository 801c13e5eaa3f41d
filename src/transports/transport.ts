// What the import pipeline needs from a file server. One file per protocol implements it.

import type { ImportConfig } from '../config.js';

export interface RemoteFile {
  name: string;
  size: number;
  /** Modified time as the server reports it (as precise as the protocol allows). */
  mtime: Date;
  /**
   * Set by the name check every listing passes (names.ts) when the name cannot be used safely: the
   * reason. Such a file is refused on its own (5016) and never downloaded, renamed or used as a path.
   */
  unsafe?: string;
}

export interface DownloadOptions {
  /** Stop and fail with 5006 once more than this many bytes arrived (the listed size plus a margin). */
  maxBytes: number;
  /** Aborted when the process stops: the transfer ends at once and the promise rejects. */
  signal?: AbortSignal;
}

/** What the server showed of itself: an SFTP host key or an FTPS certificate. */
export interface PeerIdentity {
  kind: 'host key' | 'certificate';
  /** As the config pins it: `SHA256:<base64>` for a host key, lower-case hex for a certificate. */
  fingerprint: string;
  /** For a certificate: its subject and issuer, for people to read. */
  detail?: string;
}

export interface Transport {
  /** Regular files in the import's directory. */
  list(): Promise<RemoteFile[]>;
  /**
   * Streams one file to a local path (never whole in memory); resolves with the byte count written.
   * Writes nothing beyond `maxBytes` (rejects with 5006) and stops when `signal` aborts.
   */
  download(name: string, localPath: string, opts: DownloadOptions): Promise<number>;
  /** Renames within the directory. Never overwrites: rejects with a `TargetExistsError` when `to` is taken. */
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
  /** The peer's identity, where the protocol has one (null for `local` and `smb`). */
  readonly peer: PeerIdentity | null;
}

/** The name of a private folder a client makes under `ConnectOptions.workDir` (swept when its owner is gone). */
export const CLIENT_DIR_PREFIX = 'fram-smbclient-';

export interface ConnectOptions {
  /** Where `{ env }` secrets are read from. */
  env: NodeJS.ProcessEnv;
  /** Connect, handshake and login together, in ms. */
  connectTimeoutMs: number;
  /** A transfer or command that makes no progress for this long fails, in ms. */
  idleTimeoutMs: number;
  /** A private folder for files a client needs (smbclient's authentication file); swept at start. */
  workDir?: string;
  /** Aborted when the process stops: connecting, retrying and transfers end at once. */
  signal?: AbortSignal;
}

export const DEFAULT_CONNECT_OPTIONS: Omit<ConnectOptions, 'env'> = { connectTimeoutMs: 20_000, idleTimeoutMs: 60_000 };

/**
 * Opens a connection for one import. Failures are `FramError`s: 5001 (could not connect; `detail`
 * is 'dns', 'refused', 'timeout' or 'lost' where known), 5002 (authentication), 5003 (missing
 * directory), 5004 (host key not trusted, `params.fingerprint`), 5005 (certificate not trusted,
 * `params.fingerprint`), 5015 (permission denied), 5017 (a secret is missing or unreadable), 5014
 * (the stop signal aborted). The same codes apply to errors of the operations, with 5006 (past the
 * download cap), 5007 (a refused rename), 5010 (the server would not send a file), 5016 (a name the
 * client cannot pass), 5019/5020 (writing the local file failed: disk full, permission...).
 */
export type Opener = (imp: ImportConfig, opts: ConnectOptions) => Promise<Transport>;

export class TargetExistsError extends Error {
  constructor(readonly target: string) {
    super(`'${target}' already exists`);
    this.name = 'TargetExistsError';
  }
}
