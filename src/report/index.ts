// The Eligibility Import Report (SPEC 9): one entry point over the four renderers.
import type { ReportSource, Write } from '../domain/run-report.js';
import { renderText } from './text.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderCsv } from './csv.js';

export type ReportFormat = 'text' | 'html' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'html', 'json', 'csv'];

export type * from '../domain/run-report.js';
export { renderText, renderHtml, renderJson, renderCsv };

export function renderReport(format: ReportFormat, src: ReportSource, write: Write): void {
  switch (format) {
    case 'text':
      return renderText(src, write);
    case 'html':
      return renderHtml(src, write);
    case 'json':
      return renderJson(src, write);
    case 'csv':
      return renderCsv(src, write);
    default: {
      const never: never = format;
      throw new Error(`unknown report format: ${String(never)}`);
    }
  }
}
