// Approvals and dismissals of files a run held, rejected or could not read (SPEC 7.4). A file is
// named by its sha256 (or, never downloaded, its listing key); people type a prefix of it.

import { createHash } from 'node:crypto';
import type { Db } from './db.js';

/** The identity of a file that was never downloaded: its name, size and modified time. */
export function listingKey(f: { name: string; size: number; mtime: Date | string }): string {
  const mtime = typeof f.mtime === 'string' ? f.mtime : f.mtime.toISOString();
  return createHash('sha256').update(`${f.name}\u0000${f.size}\u0000${mtime}`).digest('hex');
}

/** A file a person may decide about: the last run that saw it held, rejected or failed it. */
export interface Undecided {
  key: string;
  name: string;
  state: string;
  runId: number;
  errorCode: number | null;
}

export type Match = { ok: true; file: Undecided } | { ok: false; reason: string; candidates: Undecided[] };

export const MIN_PREFIX = 6;

export function createFileDecisions(db: Db) {
  const decided = db.prepare(`SELECT 1 FROM file_decisions WHERE import = ? AND file_key = ? AND decision = ?
    AND used_by_run IS NULL LIMIT 1`);
  return {
    /**
     * Files of this import whose last ledger row says held, rejected (a 5xxx), or unreadable, that are not
     * already dismissed (and, for `approve`, held and not yet approved).
     */
    undecided(importName: string, forDecision: 'approved' | 'dismissed'): Undecided[] {
      const rows = db
        .prepare(
          `SELECT coalesce(l.sha256, l.listing_key) AS key, l.name, l.state, l.run_id AS runId,
          l.error_code AS errorCode
        FROM file_ledger l
        WHERE l.import = ? AND coalesce(l.sha256, l.listing_key) IS NOT NULL
          AND l.id = (SELECT max(m.id) FROM file_ledger m WHERE m.import = l.import
            AND coalesce(m.sha256, m.listing_key) = coalesce(l.sha256, l.listing_key))
        ORDER BY l.id DESC`,
        )
        .all(importName) as Undecided[];
      return rows.filter(
        (r) =>
          (forDecision === 'approved' ? r.state === 'held' : ['held', 'rejected'].includes(r.state)) &&
          !this.has(importName, r.key, 'dismissed') &&
          (forDecision === 'dismissed' || !this.has(importName, r.key, 'approved')),
      );
    },

    /** The one undecided file whose key starts with `prefix` (at least 6 hex digits, any case). */
    match(importName: string, prefix: string, forDecision: 'approved' | 'dismissed'): Match {
      const p = prefix.trim().toLowerCase();
      const all = this.undecided(importName, forDecision);
      if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_PREFIX) {
        return { ok: false, reason: `give at least ${MIN_PREFIX} hex digits of the file's SHA-256`, candidates: all };
      }
      const hits = all.filter((f) => f.key.startsWith(p));
      if (hits.length === 1) return { ok: true, file: hits[0] };
      const what = forDecision === 'approved' ? 'held file' : 'held, rejected or unreadable file';
      return hits.length === 0
        ? { ok: false, reason: `no ${what} of this import has a SHA-256 starting with ${p}`, candidates: all }
        : { ok: false, reason: `${hits.length} files match ${p}: give more digits`, candidates: hits };
    },

    record(importName: string, file: Undecided, decision: 'approved' | 'dismissed', by: string | null, at: string): void {
      db.prepare(
        `INSERT INTO file_decisions (import, decision, file_key, file_name, decided_by, decided_at)
        VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(importName, decision, file.key, file.name, by, at);
    },

    has(importName: string, key: string, decision: 'approved' | 'dismissed'): boolean {
      return decided.get(importName, key, decision) !== undefined;
    },

    /** An approval is used by the run that imported the file with it. */
    useApproval(importName: string, key: string, runId: number): void {
      db.prepare(
        `UPDATE file_decisions SET used_by_run = ? WHERE import = ? AND file_key = ? AND decision = 'approved'
        AND used_by_run IS NULL`,
      ).run(runId, importName, key);
    },
  };
}

export type FileDecisions = ReturnType<typeof createFileDecisions>;
