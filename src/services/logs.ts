// The Scheduled Import Logs (one row per run), IC's Clear Log, and one run's report.

import { clearRuns, listRuns, type RunListing } from '../store/history.js';
import { readReport } from '../store/report-source.js';
import type { ReportSource } from '../domain/run-report.js';
import type { Kit } from './deps.js';
import { Refusal } from './refusal.js';

export interface LogFilter {
  import?: string;
  status?: string;
  limit: number;
}

export function createLogs(kit: Kit) {
  return {
    /** Newest first. */
    list: (filter: LogFilter): RunListing[] => listRuns(kit.db(), filter),

    /** One import's runs (those marked keep survive), or every run; the eligibility history stays. */
    clear: (scope: { import: string } | 'all'): Promise<number> => kit.write('logs:clear', () => clearRuns(kit.db(), scope)),

    /** The run's report, read from its rows as the renderers stream it. */
    report(runId: number): ReportSource {
      const source = readReport(kit.db(), runId);
      if (!source) throw new Refusal(`no run ${runId}`, { reason: 'notFound' });
      return source;
    },
  };
}
