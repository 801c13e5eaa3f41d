// The CLI form of the Eligibility Import Report (SPEC 9): plain text, LF line ends.
import type { ReportFile, ReportSource, Write } from '../domain/run-report.js';
import {
  REPORT_TITLE,
  SUMMARY_LABELS,
  TEST_BANNER,
  UPDATED_COLUMNS,
  chunkedWriter,
  fileStatusLabel,
  messageLine,
  modeLabel,
  printable,
  problemLabel,
  schoolYearLabel,
  sizeLabel,
  summaryValues,
  triggerLabel,
  usDateTime,
} from './format.js';

const GAP = '  ';
const RULE = '-'.repeat(72);

/** Fixed-width cells: a value longer than its column is kept whole and pushes the rest of the row. */
function row(values: readonly string[], widths: readonly number[]): string {
  let out = '';
  let overflow = 0; // how far earlier cells ran past their columns, taken back from later padding
  values.map(printable).forEach((v, i) => {
    if (i === values.length - 1) {
      out += v;
      return;
    }
    const want = Math.max(0, widths[i] - overflow);
    overflow = Math.max(0, overflow + v.length - widths[i]);
    out += v.padEnd(want) + GAP;
  });
  return out.trimEnd() + '\n';
}

function fileLines(f: ReportFile): string {
  let s = `  ${printable(f.name)}\n`;
  s += `    Size: ${sizeLabel(f.size)}${GAP}Lines: ${f.lines}${GAP}Status: ${fileStatusLabel(f.status)}\n`;
  s +=
    f.sha256 === null && f.listingKey
      ? `    Not downloaded; its key (for dismiss): ${f.listingKey}\n`
      : `    SHA-256: ${f.sha256 ?? '-'}\n`;
  if (f.renamedTo !== null) s += `    Renamed to: ${printable(f.renamedTo)}\n`;
  if (f.importedByRun != null) s += `    Already imported by run ${f.importedByRun}\n`;
  if (f.error != null) s += `    ${printable(problemLabel('error', f.error.code, f.error.text))}\n`;
  return s;
}

export function renderText(src: ReportSource, write: Write): void {
  const h = src.header;
  const out = chunkedWriter(write);
  if (h.mode === 'test') out.push(`${TEST_BANNER}\n\n`);
  out.push(`${REPORT_TITLE}\n${'='.repeat(REPORT_TITLE.length)}\n`);
  const fields: [string, string][] = [
    ['Import', h.import],
    ['Mapping', h.mapping],
    ['School Year', schoolYearLabel(h.schoolYear)],
    ['Run', String(h.runId)],
    ['Mode', modeLabel(h.mode)],
    ['Trigger', triggerLabel(h.trigger)],
    ['Started', usDateTime(h.startedAt)],
    ['Finished', usDateTime(h.finishedAt)],
    ['Status', h.status],
  ];
  if (h.runError !== null) fields.push(['Run Error', problemLabel('error', h.runError.code, h.runError.text)]);
  for (const [k, v] of fields) out.push(`${(k + ':').padEnd(13)}${printable(v)}\n`);
  if (h.notices.length > 0) {
    out.push('\nNotices:\n');
    for (const n of h.notices) out.push(`  ! ${printable(n)}\n`);
  }

  out.push(`\nFiles:\n`);
  if (h.files.length === 0) out.push('  (none)\n');
  for (const f of h.files) out.push(fileLines(f));

  const labels = [...SUMMARY_LABELS];
  const widths = labels.map((l) => l.length);
  out.push(
    `\nSummary:\n  ${labels.join(' | ')}\n  ${summaryValues(h.summary)
      .map((v, i) => v.padEnd(widths[i]))
      .join(' | ')
      .trimEnd()}\n`,
  );

  if (h.includeUpdatedRecords) {
    const colWidths = UPDATED_COLUMNS.map((c) => c.width);
    out.push(`\nUpdated Records\n${RULE}\n`);
    out.push(
      row(
        UPDATED_COLUMNS.map((c) => c.label),
        colWidths,
      ),
    );
    let any = false;
    for (const u of src.updated()) {
      any = true;
      out.push(
        row(
          UPDATED_COLUMNS.map((c) => c.value(u)),
          colWidths,
        ),
      );
    }
    if (!any) out.push('(none)\n');
  }

  out.push(`\nError/Warning\n${RULE}\n`);
  let file: string | null = null;
  for (const m of src.messages()) {
    if (m.file !== file) {
      file = m.file;
      out.push(`File: ${printable(file)}\n`);
    }
    out.push(`${printable(messageLine(m))}\n`);
  }
  if (file === null) out.push('(none)\n');

  out.push(`\nExisting Eligibility Records: ${h.summary.existing}\n`);
  out.flush();
}
