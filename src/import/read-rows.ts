// The streaming row reader: file on disk -> decoded text -> records with their physical line numbers.
import { EventEmitter } from 'node:events';
import { open } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Encoding, FileType } from '../domain/types.js';
import { isBlank } from '../domain/text.js';
import { CHUNK_BYTES, decodedText, detectEncoding } from './decode.js';

export interface ReadRowsOptions {
  fileType: FileType;
  encoding: Encoding;
}

export interface ReadRowsResult {
  encoding: 'utf-8' | 'windows-1252';
  /** Records passed to onRow. */
  rows: number;
  /** Physical line on which the last record passed to onRow starts (0 when there was none). */
  lastLine: number;
  /** The file's physical lines, blank ones and the header included (a last line without a line break counts). */
  lines: number;
}

type OnRow = (fields: string[], line: number) => void;
type Counts = Omit<ReadRowsResult, 'encoding'>;

/**
 * Streams a file from disk and calls onRow once per non-blank record, in order. A record is blank when every field
 * holds only white space (src/domain/text.ts: Unicode White_Space and U+FEFF).
 * `fields` are the raw (untrimmed) fields; for fileType 'fixed' it is a one-element array holding the whole line
 * (without line terminator). Line breaks inside quoted fields are normalized to '\n'.
 * `line` is the 1-based PHYSICAL line on which the record starts (blank lines and the header count; a quoted field
 * containing newlines makes the next record start on a later physical line).
 * onRow is synchronous and may throw: the error rejects the promise and reading stops.
 * Also rejects with the fs error if the file cannot be opened, for a quote left open at EOF (naming the line it
 * opened on), and for a record longer than MAX_RECORD_CHARS.
 */
export async function readRows(path: string, options: ReadRowsOptions, onRow: OnRow): Promise<ReadRowsResult> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const encoding = options.encoding === 'auto' ? await detectEncoding(fh, buf) : options.encoding;
    const text = decodedText(fh, buf, encoding);
    const counts =
      options.fileType === 'fixed'
        ? await readFixed(text, onRow)
        : await readDelimited(text, options.fileType === 'tab' ? '\t' : ',', onRow);
    return { encoding, ...counts };
  } finally {
    await fh.close();
  }
}

/**
 * Longest record we accept, in characters. Beyond it the input is not a sane eligibility file (typically a quote
 * that never closes), and papaparse would re-scan the ever-growing unfinished record on every chunk: quadratic time.
 */
const MAX_RECORD_CHARS = 1 << 22;
const tooLong = (line: number): Error =>
  new UnreadableText(`The record starting on line ${line} is longer than ${MAX_RECORD_CHARS} characters`);

/** The file's text cannot be read as records: a file-level problem of that file (5010), not a fault. */
export class UnreadableText extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableText';
  }
}

async function readFixed(text: AsyncIterable<string>, onRow: OnRow): Promise<Counts> {
  let line = 0;
  let rows = 0;
  let lastLine = 0;
  const emit = (s: string): void => {
    line++;
    if (isBlank(s)) return;
    rows++;
    lastLine = line;
    onRow([s], line);
  };
  let carry = ''; // the unfinished last line; never contains '\n'
  for await (const chunk of text) {
    const s = carry.length > 0 ? carry + chunk : chunk;
    let start = 0;
    for (let nl = s.indexOf('\n', carry.length); nl !== -1; nl = s.indexOf('\n', start)) {
      emit(s.slice(start, nl));
      start = nl + 1;
    }
    carry = s.slice(start);
    if (carry.length > MAX_RECORD_CHARS) throw tooLong(line + 1);
  }
  if (carry.length > 0) emit(carry);
  return { rows, lastLine, lines: line };
}

function isBlankRow(fields: string[]): boolean {
  for (let i = 0; i < fields.length; i++) if (!isBlank(fields[i])) return false;
  return true;
}

/** Line breaks inside fields[0 .. end-1]; only quoted fields can hold them. */
function breaksIn(fields: string[], end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const f = fields[i];
    for (let j = f.indexOf('\n'); j !== -1; j = f.indexOf('\n', j + 1)) n++;
  }
  return n;
}

/**
 * What papaparse's Node-stream reader needs (`readable`, `read`, `on`). We push each decoded chunk with a
 * synchronous emit('data'): when emit returns, papaparse has parsed it and run our chunk callback. That gives
 * backpressure and a clean stop (no read-ahead, nothing queued) without a real Readable.
 */
class ChunkFeed extends EventEmitter {
  readonly readable = true;
  read(): null {
    return null;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

async function readDelimited(text: AsyncIterable<string>, delimiter: string, onRow: OnRow): Promise<Counts> {
  let nextLine = 1; // physical line on which papaparse's next record starts
  let rows = 0;
  let lastLine = 0;
  let fed = 0; // characters handed to papaparse
  let parsedTo = 0; // papaparse's meta.cursor: end of the last complete record
  let cutShort = false; // we stopped feeding because the unfinished record grew past MAX_RECORD_CHARS
  let failure: { error: unknown } | null = null;
  let done = false;

  const config: Papa.ParseLocalConfig<string[], NodeJS.ReadableStream> = {
    delimiter, // never guessed
    newline: '\n', // decodedText turned every line break into '\n'
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false, // blank lines must still advance the line count
    chunk(results, parser) {
      try {
        parsedTo = results.meta.cursor;
        const data = results.data;
        let end = cutShort ? 0 : data.length; // when cut short, only the oversized record is left: never hand it out
        let unterminated = false;
        for (const e of results.errors) {
          if (e.code !== 'MissingQuotes' || e.row === undefined || e.row > end) continue; // others: papaparse recovers
          end = e.row;
          unterminated = true;
        }
        for (let i = 0; i < end; i++) {
          const fields = data[i];
          const line = nextLine;
          nextLine = line + 1 + breaksIn(fields, fields.length);
          if (isBlankRow(fields)) continue;
          rows++;
          lastLine = line;
          onRow(fields, line);
        }
        if (end < data.length) {
          if (!unterminated) throw tooLong(nextLine);
          const fields = data[end]; // its last field is everything after the opening quote
          const opened = nextLine + breaksIn(fields, fields.length - 1);
          const how = cutShort ? `not closed within ${MAX_RECORD_CHARS} characters` : 'never closed';
          throw new UnreadableText(`Unterminated quoted field: the quote opened on line ${opened} is ${how}`);
        }
      } catch (error) {
        failure = { error };
        parser.abort();
      }
    },
    complete() {
      done = true;
    },
    error(error: Error) {
      failure ??= { error };
    },
  };

  const feed = new ChunkFeed();
  Papa.parse(feed as unknown as NodeJS.ReadableStream, config);
  for await (const chunk of text) {
    fed += chunk.length;
    feed.emit('data', chunk);
    if (failure) break;
    if (fed - parsedTo > MAX_RECORD_CHARS) {
      cutShort = true; // end here: papaparse then reports the open record, with MissingQuotes if a quote is open
      break;
    }
  }
  if (!failure) feed.emit('end');
  if (failure) throw (failure as { error: unknown }).error;
  if (cutShort) throw tooLong(nextLine); // not expected: the final chunk callback reports it
  if (!done) throw new UnreadableText('the CSV parser did not reach the end of the file');
  // nextLine has passed every line break papaparse read (it gives no empty record after a final one).
  return { rows, lastLine, lines: nextLine - 1 };
}
