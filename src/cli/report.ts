import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { withServices, UsageError } from './context.js';
import type { Command } from './command.js';

export const report: Command = {
  name: 'report',
  usage: 'report <run-id> [--format text|html|json|csv]',
  summary: "Prints one run's Eligibility Import Report.",
  options: { format: { type: 'string', default: 'text' } },
  async run(args, values, flags, io) {
    const runId = Number(args[0]);
    if (args.length !== 1 || !Number.isInteger(runId)) throw new UsageError('expected one run id');
    const format = (flags.json ? 'json' : values.format) as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
    // Rendered while the store is open: the messages and updated records stream from it.
    await withServices(flags, io, { store: 'read' }, async (s) => renderReport(format, s.logs.report(runId), io.out));
    return 0;
  },
};
