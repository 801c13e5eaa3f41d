// The web/printable form of the Eligibility Import Report (SPEC 9): one standalone document,
// inline CSS only, no scripts and no external resources. Every value passes through esc().
import type { ReportFile, ReportSource, Write } from '../domain/run-report.js';
import {
  REPORT_TITLE,
  SUMMARY_LABELS,
  TEST_BANNER,
  UPDATED_COLUMNS,
  chunkedWriter,
  fileStatusLabel,
  modeLabel,
  problemLabel,
  schoolYearLabel,
  sizeLabel,
  summaryValues,
  triggerLabel,
  usDateTime,
} from './format.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: string | number): string => String(v).replace(/[&<>"']/g, (c) => ENTITIES[c]);

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;font-size:14px;color:#111;margin:24px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #999}
h3{font-size:14px;margin:14px 0 6px}
.test-banner{border:4px solid #b00;background:#fee;color:#900;font-size:20px;font-weight:bold;
 text-align:center;padding:14px;margin:0 0 18px}
table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}
thead th{background:#eee}table.kv th{background:#f6f6f6;font-weight:600}
td.hash{font-family:ui-monospace,Consolas,monospace;font-size:12px;word-break:break-all}
tr.error td{color:#900}tr.warning td{color:#7a5200}.run-error{color:#900;font-weight:bold}
.notices li{color:#7a5200}
@media print{
 body{margin:0;font-size:10pt}
 .test-banner{border:3pt solid #000;background:none;color:#000}
 thead{display:table-header-group}tr{page-break-inside:avoid;break-inside:avoid}
 h2,h3{page-break-after:avoid;break-after:avoid}
 tr.error td,tr.warning td,.run-error{color:#000}
}`;

const cells = (tag: 'td' | 'th', values: readonly string[]): string => values.map((v) => `<${tag}>${esc(v)}</${tag}>`).join('');

function fileRow(f: ReportFile): string {
  const error = f.error != null ? problemLabel('error', f.error.code, f.error.text) : '';
  return (
    `<tr>${cells('td', [f.name, sizeLabel(f.size)])}<td class="hash">${esc(f.sha256 ?? '-')}</td>` +
    `${cells('td', [fileStatusLabel(f.status), String(f.lines), f.renamedTo ?? '', f.importedByRun != null ? String(f.importedByRun) : '', error])}</tr>\n`
  );
}

export function renderHtml(src: ReportSource, write: Write): void {
  const h = src.header;
  const out = chunkedWriter(write);
  out.push(
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
      `<title>${esc(`${REPORT_TITLE} - ${h.import} - run ${h.runId}`)}</title>\n<style>${CSS}\n</style>\n</head>\n<body>\n`,
  );
  if (h.mode === 'test') out.push(`<div class="test-banner" role="alert">${esc(TEST_BANNER)}</div>\n`);
  out.push(`<h1>${esc(REPORT_TITLE)}</h1>\n<table class="kv"><tbody>\n`);
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
  for (const [k, v] of fields) out.push(`<tr>${cells('th', [k])}${cells('td', [v])}</tr>\n`);
  if (h.runError !== null) {
    out.push(
      `<tr><th>Run Error</th><td class="run-error">${esc(problemLabel('error', h.runError.code, h.runError.text))}</td></tr>\n`,
    );
  }
  out.push('</tbody></table>\n');
  if (h.notices.length > 0) {
    out.push(`<h2>Notices</h2>\n<ul class="notices">${h.notices.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>\n`);
  }

  out.push('<h2>Files</h2>\n');
  if (h.files.length === 0) out.push('<p>(none)</p>\n');
  else {
    out.push(
      `<table><thead><tr>${cells('th', ['Name', 'Size', 'SHA-256', 'Status', 'Lines', 'Renamed To', 'Imported By Run', 'Error'])}</tr></thead><tbody>\n`,
    );
    for (const f of h.files) out.push(fileRow(f));
    out.push('</tbody></table>\n');
  }

  out.push(
    `<h2>Summary</h2>\n<table class="summary"><thead><tr>${cells('th', [...SUMMARY_LABELS])}</tr></thead>` +
      `<tbody><tr>${cells('td', summaryValues(h.summary))}</tr></tbody></table>\n`,
  );

  if (h.includeUpdatedRecords) {
    out.push(
      `<h2>Updated Records</h2>\n<table class="updated"><thead><tr>${cells(
        'th',
        UPDATED_COLUMNS.map((c) => c.label),
      )}</tr></thead><tbody>\n`,
    );
    let any = false;
    for (const u of src.updated()) {
      any = true;
      out.push(
        `<tr>${cells(
          'td',
          UPDATED_COLUMNS.map((c) => c.value(u)),
        )}</tr>\n`,
      );
    }
    if (!any) out.push(`<tr><td colspan="${UPDATED_COLUMNS.length}">(none)</td></tr>\n`);
    out.push('</tbody></table>\n');
  }

  out.push('<h2>Error/Warning</h2>\n');
  let file: string | null = null;
  for (const m of src.messages()) {
    if (m.file !== file) {
      if (file !== null) out.push('</tbody></table>\n');
      file = m.file;
      out.push(`<h3>${esc(file)}</h3>\n<table class="messages"><thead><tr><th>Line</th><th>Message</th></tr></thead><tbody>\n`);
    }
    out.push(
      `<tr class="${m.severity === 'error' ? 'error' : 'warning'}">${cells('td', [String(m.line), problemLabel(m.severity, m.code, m.text)])}</tr>\n`,
    );
  }
  out.push(file === null ? '<p>(none)</p>\n' : '</tbody></table>\n');

  out.push(
    `<h2>Existing Eligibility Records</h2>\n<p>Existing Eligibility Records: <strong>${esc(h.summary.existing)}</strong></p>\n`,
  );
  out.push('</body>\n</html>\n');
  out.flush();
}
