// What the import pipeline needs from a file server. One file per protocol implements it.

export interface RemoteFile {
  name: string;
  size: number;
  /** Modified time as the server reports it (as precise as the protocol allows). */
  mtime: Date;
}

export interface Transport {
  /** Regular files in the import's directory. */
  list(): Promise<RemoteFile[]>;
  /** Streams one file to a local path; resolves with the byte count written. */
  download(name: string, localPath: string): Promise<number>;
  /** Renames within the directory. Never overwrites: rejects with a `TargetExistsError` when `to` is taken. */
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

export class TargetExistsError extends Error {
  constructor(readonly target: string) {
    super(`'${target}' already exists`);
    this.name = 'TargetExistsError';
  }
}
