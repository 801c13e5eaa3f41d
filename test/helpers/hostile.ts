// What the hostile-server tests look at: every file under a folder (to prove nothing outside
// staging changed), the store read through a fresh connection (the live one would not notice its
// file being replaced), the ledger, the text report, and what each download left in staging.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../../src/store/db.js';
import { readReport } from '../../src/store/report-source.js';
import { renderReport } from '../../src/report/index.js';
import type { Transport } from '../../src/transports/transport.js';

/** Every path under `root` (relative, folders too), with what would show a write or a replacement. */
export function tree(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (skip(rel)) continue;
      const s = lstatSync(full);
      out.set(rel, s.isDirectory() ? 'dir' : `ino ${s.ino} size ${s.size} mtime ${s.mtimeMs}`);
      if (s.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

export const inode = (path: string): number => statSync(path).ino;

export interface StoreCheck {
  integrity: string;
  counts: Record<string, number>;
}

/** The store file at `path` as a new reader sees it: integrity and row counts. Throws when it is not a store. */
export function checkStore(path: string, tables: readonly string[]): StoreCheck {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const counts = Object.fromEntries(
      tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
    return { integrity, counts };
  } finally {
    db.close();
  }
}

export interface LedgerRow {
  name: string;
  state: string;
  error_code: number | null;
  error_text: string | null;
  renamed_to: string | null;
}

export function ledger(db: Db, runId: number): LedgerRow[] {
  return db
    .prepare('SELECT name, state, error_code, error_text, renamed_to FROM file_ledger WHERE run_id = ? ORDER BY id')
    .all(runId) as LedgerRow[];
}

export function textReport(db: Db, runId: number): string {
  let out = '';
  renderReport('text', readReport(db, runId)!, (chunk) => {
    out += chunk;
  });
  return out;
}

export interface Download {
  name: string;
  localPath: string;
  /** Bytes in the local file when the transport's download settled (null: no file). */
  bytesOnDisk: number | null;
  failed: boolean;
}

/**
 * The transport, with each download watched: where it wrote and how many bytes were on disk when it
 * settled (before the caller removes a failed `.part`). Nothing else changes.
 */
export function watchDownloads(downloads: Download[]): (t: Transport) => Transport {
  return (t) => ({
    get peer() {
      return t.peer;
    },
    list: () => t.list(),
    rename: (from, to) => t.rename(from, to),
    close: () => t.close(),
    async download(name, localPath, opts) {
      let failed = false;
      try {
        return await t.download(name, localPath, opts);
      } catch (e) {
        failed = true;
        throw e;
      } finally {
        let bytesOnDisk: number | null = null;
        try {
          bytesOnDisk = statSync(localPath).size;
        } catch {
          /* none */
        }
        downloads.push({ name, localPath, bytesOnDisk, failed });
      }
    },
  });
}
