// A person's decision about a file a run held, rejected or could not read (SPEC 7.4): approve a
// held file (the next run imports it alone, once) or dismiss one (later runs skip it). Named by the
// first digits of its SHA-256 (or, never downloaded, its listing key); recorded with who decided.

import { createFileDecisions, type Undecided } from '../store/file-decisions.js';
import type { Kit } from './deps.js';
import { findImport } from './imports.js';
import { Refusal } from './refusal.js';

export type Decision = 'approved' | 'dismissed';

export interface Decided {
  import: string;
  decision: Decision;
  file: Undecided;
  by: string | null;
}

/** One file a person may decide about, as a refusal lists the candidates. */
function candidate(f: Undecided): string {
  return `${f.key.slice(0, 12)}  ${f.state}${f.errorCode ? ` ${f.errorCode}` : ''}  ${JSON.stringify(f.name)}  (run ${f.runId})`;
}

export function createFiles(kit: Kit) {
  return {
    async decide(importName: string, prefix: string, decision: Decision, by: string | null): Promise<Decided> {
      const imp = findImport(kit.deps.config(), kit.deps.settings.configDir, importName);
      const decisions = createFileDecisions(kit.db());
      const match = decisions.match(imp.name, prefix, decision);
      if (!match.ok) throw new Refusal(match.reason, { details: match.candidates.map(candidate) });
      await kit.write('file:decide', () => decisions.record(imp.name, match.file, decision, by, kit.now().toISOString()));
      return { import: imp.name, decision, file: match.file, by };
    },
  };
}
