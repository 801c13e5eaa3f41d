// Reading one YAML file that may be hostile or broken: the config dir's files and the API tokens
// file. Nothing here throws: a file that is too big, not UTF-8, not YAML or an alias bomb is a
// problem about that file, so one bad file never takes the others (or the daemon) down with it.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { Composer, Lexer, LineCounter, Parser, type CST, type Document } from 'yaml';

/** Far above any real config file (a few KB); yaml parses 1 MiB in seconds, with little memory. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** yaml's guard against "billion laughs" files: alias uses, each weighted by the aliases inside its target. */
export const MAX_ALIAS_COUNT = 100;

export type YamlRead = { ok: true; data: unknown } | { ok: false; problems: string[] };

const fail = (...problems: string[]): YamlRead => ({ ok: false, problems });

function errnoText(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/**
 * The file's bytes, checked by size before anything is read. O_NONBLOCK: a FIFO put where a file
 * should be must not hang the reader (stat already refuses it; this covers a swap in between).
 */
function readBytes(file: string): Buffer | string {
  try {
    const st = statSync(file);
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > MAX_YAML_BYTES)
      return `is ${st.size.toLocaleString('en-US')} bytes; a file may be at most 1 MiB (1,048,576 bytes)`;
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) return 'is not a regular file';
      const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
      let n = 0;
      for (let got = -1; got !== 0 && n < buf.length;) {
        got = readSync(fd, buf, n, buf.length - n, null);
        n += got;
      }
      if (n > MAX_YAML_BYTES) return 'grew past 1 MiB (1,048,576 bytes) while it was read';
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return `cannot read the file: ${errnoText(err)}`;
  }
}

/** Offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    let cp = c & (0x3f >> more);
    for (let k = 1; k <= more; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    const overlong = cp < [0, 0x80, 0x800, 0x10000][more];
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += more + 1;
  }
  return -1;
}

const SAVE_AS = 'save it as UTF-8';

/** The text of a UTF-8 file (a UTF-8 byte-order mark is dropped), or why it is not one. */
export function decodeUtf8(b: Buffer): { text: string } | { problem: string } {
  const starts = (...bytes: number[]) => bytes.every((x, i) => b[i] === x);
  if (starts(0xff, 0xfe, 0, 0) || starts(0, 0, 0xfe, 0xff))
    return { problem: `is UTF-32 (it starts with a UTF-32 byte-order mark), not UTF-8; ${SAVE_AS}` };
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) {
    const order = b[0] === 0xff ? 'little-endian' : 'big-endian';
    return { problem: `is UTF-16 (${order}, with a byte-order mark), not UTF-8; ${SAVE_AS}` };
  }
  const nul = b.indexOf(0);
  if (nul >= 0) {
    // ASCII text in UTF-16 has a NUL in every other byte: after each character (LE) or before it (BE).
    let even = 0;
    let odd = 0;
    for (let i = 0; i < b.length; i++) if (b[i] === 0) i % 2 === 0 ? even++ : odd++;
    const half = Math.floor(b.length / 2);
    if (Math.max(even, odd) >= half * 0.4 && Math.min(even, odd) <= half * 0.05) {
      return {
        problem: `looks like UTF-16 (${odd > even ? 'little' : 'big'}-endian, without a byte-order mark), not UTF-8; ${SAVE_AS}`,
      };
    }
    return { problem: `contains a NUL byte (line ${lineAt(b, nul)}): not a text file; ${SAVE_AS}` };
  }
  const bad = firstInvalidUtf8(b);
  if (bad >= 0)
    return { problem: `is not UTF-8: the byte at line ${lineAt(b, bad)} is not valid UTF-8 (is it Windows-1252?); ${SAVE_AS}` };
  return { text: b.toString('utf8', starts(0xef, 0xbb, 0xbf) ? 3 : 0) };
}

function lineAt(b: Buffer, offset: number): number {
  let line = 1;
  for (let i = b.indexOf(10); i >= 0 && i < offset; i = b.indexOf(10, i + 1)) line++;
  return line;
}

/**
 * How deep yaml's parser may nest (its stack counts collections and the node being read). A
 * real config file needs under 10; yaml's own recursion overflows past a few hundred, and
 * getting there through a 1 MiB file of `[[[[` costs seconds and hundreds of MB.
 */
export const MAX_NESTING = 64;

class TooDeep extends Error {
  constructor(readonly offset: number) {
    super('nested too deep');
  }
}

/** yaml's own lexer and parser, stopped as soon as the nesting passes MAX_NESTING. */
function* limitedTokens(parser: Parser, text: string): Generator<CST.Token> {
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    if (parser.stack.length > MAX_NESTING) throw new TooDeep(parser.offset);
  }
  yield* parser.end();
}

/** Parses YAML text: syntax errors (with line and column), deep nesting, alias bombs and parser failures are problems. */
export function parseYaml(text: string): YamlRead {
  const lines = new LineCounter();
  lines.addNewLine(0);
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const docs: Document.Parsed[] = [];
  try {
    // What YAML.parseDocument does, with the nesting limit in between.
    for (const doc of new Composer({}).compose(limitedTokens(new Parser(lines.addNewLine), text), true, text.length)) {
      docs.push(doc);
      if (docs.length > 1)
        return fail(
          `holds more than one YAML document (a second one starts at ${at(doc.range[0])}); a config file is one document`,
        );
    }
  } catch (err) {
    if (err instanceof TooDeep) return fail(`nests lists or maps more than ${MAX_NESTING} levels deep (at ${at(err.offset)})`);
    return fail(`could not be parsed as YAML: ${firstLine(err)}`);
  }
  const doc = docs[0];
  if (doc.errors.length) {
    return fail(...doc.errors.map((e) => `YAML syntax error at ${at(e.pos[0])}: ${firstLine(e)}`));
  }
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
  } catch (err) {
    if (err instanceof ReferenceError && /excessive alias/i.test(err.message)) {
      return fail(
        `uses YAML aliases (*name) more than ${MAX_ALIAS_COUNT} times, counting aliases inside aliases: ` +
          'refused as a possible alias bomb; write the values out instead',
      );
    }
    return fail(`could not be parsed as YAML: ${firstLine(err)}`);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Reads and parses one YAML file within the limits above. Empty files give `data: null`. */
export function readYamlFile(file: string): YamlRead {
  const bytes = readBytes(file);
  if (typeof bytes === 'string') return fail(bytes);
  const decoded = decodeUtf8(bytes);
  if ('problem' in decoded) return fail(decoded.problem);
  return parseYaml(decoded.text);
}
