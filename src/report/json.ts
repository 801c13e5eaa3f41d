// The stable JSON report (SPEC 9), streamed: header fields, then the message and updated-record
// arrays element by element, so millions of rows never sit in memory as one string.
import type { ReportFile, ReportMessage, ReportSource, ReportUpdate, Write } from '../domain/run-report.js';
import { chunkedWriter, type ChunkWriter } from './format.js';

const j = (v: unknown): string => JSON.stringify(v);

function fileObject(f: ReportFile): Record<string, unknown> {
  const o: Record<string, unknown> = {
    name: f.name,
    size: f.size,
    sha256: f.sha256,
    renamedTo: f.renamedTo,
    status: f.status,
    lines: f.lines,
  };
  if (f.importedByRun != null) o.importedByRun = f.importedByRun;
  if (f.error != null) o.error = { code: f.error.code, text: f.error.text };
  if (f.sha256 === null && f.listingKey != null) o.listingKey = f.listingKey;
  return o;
}

// Explicit key lists: the schema stays stable whatever extra fields a store's rows carry.
const messageObject = (m: ReportMessage) => ({ file: m.file, line: m.line, severity: m.severity, code: m.code, text: m.text });
const updateObject = (u: ReportUpdate) => ({
  stateId: u.stateId,
  name: u.name,
  schoolYear: u.schoolYear,
  startDate: u.startDate,
  endDate: u.endDate,
  eligibility: u.eligibility,
  source: u.source,
  certifiedType: u.certifiedType,
  applicationName: u.applicationName,
  referenceNumber: u.referenceNumber,
  status: u.status,
});

function streamArray<T>(out: ChunkWriter, key: string, rows: Iterable<T>, toJson: (row: T) => unknown): void {
  out.push(`,\n${j(key)}:[`);
  let first = true;
  for (const row of rows) {
    out.push((first ? '\n' : ',\n') + j(toJson(row)));
    first = false;
  }
  out.push(']');
}

export function renderJson(src: ReportSource, write: Write): void {
  const h = src.header;
  const out = chunkedWriter(write);
  const s = h.summary;
  out.push(
    `{"runId":${j(h.runId)},"import":${j(h.import)},"mapping":${j(h.mapping)},"schoolYear":${j(h.schoolYear)},` +
      `"mode":${j(h.mode)},"status":${j(h.status)},"trigger":${j({ kind: h.trigger.kind, by: h.trigger.by })},` +
      `"startedAt":${j(h.startedAt)},"finishedAt":${j(h.finishedAt)},` +
      `"summary":${j({ new: s.new, ended: s.ended, removed: s.removed, existing: s.existing, errors: s.errors, warnings: s.warnings })},` +
      `\n"files":${j(h.files.map(fileObject))}`,
  );
  streamArray(out, 'messages', src.messages(), messageObject);
  streamArray(out, 'updated', h.includeUpdatedRecords ? src.updated() : [], updateObject);
  out.push(
    `,\n"runError":${j(h.runError === null ? null : { code: h.runError.code, text: h.runError.text })},"notices":${j(h.notices)}}\n`,
  );
  out.flush();
}
