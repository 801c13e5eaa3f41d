// What the import pipeline needs from a file server. One file per protocol implements it, and
// declares its own keys of an import file (a `TransportDef`); index.ts lists the protocols.

import type { z } from 'zod';

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
  /** Connect, handshake and login together, in ms. */
  connectTimeoutMs: number;
  /** A transfer or command that makes no progress for this long fails, in ms. */
  idleTimeoutMs: number;
  /** A private folder for files a client needs (smbclient's authentication file); swept at start. */
  workDir?: string;
  /** Aborted when the process stops: connecting, retrying and transfers end at once. */
  signal?: AbortSignal;
  /** Where a client program (smbclient) is looked for: the process's PATH, as the caller read it. */
  searchPath?: string;
}

export const DEFAULT_CONNECT_OPTIONS: ConnectOptions = { connectTimeoutMs: 20_000, idleTimeoutMs: 60_000 };

/** How an import file names a secret, never its value: `{ env: NAME }` or `{ file: PATH }` (config/secrets.ts). */
export type SecretRef = { env: string } | { file: string };

/** The caller's reader of secrets (config/secrets.ts's readSecret): a missing one is 5017, naming where it looked. */
export type ReadSecret = (ref: SecretRef) => string;

/** A connection's secrets as values, by the key of the import that named them (`password`, `privateKey`...). */
export type Secrets = Readonly<Partial<Record<string, string>>>;

/** What every transport reads of an import, whatever its protocol; the rest is the protocol's branch. */
export interface Endpoint {
  name: string;
  /** Remote: relative to the login folder, as written. Local: an absolute path. */
  directory: string;
}

/**
 * Opens a connection for one import, with the secrets its protocol declares already read. Failures
 * are `FramError`s: 5001 (could not connect; `detail` is 'dns', 'refused', 'timeout' or 'lost' where
 * known), 5002 (authentication), 5003 (missing directory), 5004 (host key not trusted,
 * `params.fingerprint`), 5005 (certificate not trusted, `params.fingerprint`), 5015 (permission
 * denied), 5014 (the stop signal aborted). The same codes apply to errors of the operations, with
 * 5006 (past the download cap), 5007 (a refused rename), 5010 (the server would not send a file),
 * 5016 (a name the client cannot pass), 5019/5020 (writing the local file failed: disk full, permission...).
 */
export type Opener<C> = (config: C, secrets: Secrets, opts: ConnectOptions) => Promise<Transport>;

/** How a protocol's cross-key checks report (config/import.ts runs them, after every key was checked on its own). */
export interface ConfigCheck {
  /** Whether the file writes the key at all. */
  given(key: string): boolean;
  /** Whether the key's own check failed already (a cross-key check then stays quiet about it). */
  failed(key: string): boolean;
  /** A problem under a key; the message never holds the value. */
  add(path: (string | number)[], message: string): void;
}

/**
 * A protocol: its keys of an import file and how to open it. Adding a protocol is a file that
 * exports one of these, and one line in index.ts.
 */
export interface TransportDef<C = never, B extends z.ZodObject = z.ZodObject> {
  protocol: string;
  /** Its keys, as a zod branch discriminated by `protocol`; config/import.ts checks each key on its own. */
  branch: B;
  /** Keys of the branch that name a secret: checked as `{ env }` / `{ file }`, read by the caller, passed to `open`. */
  secrets: readonly string[];
  /** What no single key can say: which keys are required, what its directory may be. `values`: the keys that parsed. */
  check(values: Readonly<Record<string, unknown>>, c: ConfigCheck): void;
  /** The values as the import keeps them: defaults that depend on other keys (the port), paths resolved. */
  settle(values: Readonly<Record<string, unknown>>, configDir: string): Record<string, unknown>;
  open: Opener<C>;
}

export class TargetExistsError extends Error {
  constructor(readonly target: string) {
    super(`'${target}' already exists`);
    this.name = 'TargetExistsError';
  }
}
