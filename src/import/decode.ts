// Byte-level half of the row reader: encoding detection and chunked decoding of a file into text.
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import iconv from 'iconv-lite';

export type ResolvedEncoding = 'utf-8' | 'windows-1252';

/** Bytes per fs read, so roughly papaparse's chunk size. 64 KiB measured faster than 1 MiB (each chunk's rows
 *  die young in V8's nursery instead of being promoted). */
export const CHUNK_BYTES = 1 << 16;

/** Reads the file from offset 0 into `buf`. Each yielded view is overwritten by the next read. */
async function* byteChunks(fh: FileHandle, buf: Buffer): AsyncGenerator<Buffer> {
  for (let pos = 0; ;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** Length of a trailing, not yet complete, UTF-8 sequence (0 when the buffer ends on a boundary). */
function incompleteTail(b: Buffer): number {
  const n = b.length;
  for (let i = 1; i <= 3 && i <= n; i++) {
    const c = b[n - i];
    if (c < 0x80) return 0;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > i ? i : 0;
    }
  }
  return 0;
}

/** 'auto': a UTF-8 BOM, or a file that is valid UTF-8 throughout, is utf-8; anything else windows-1252. */
export async function detectEncoding(fh: FileHandle, buf: Buffer): Promise<ResolvedEncoding> {
  let carry: Buffer | null = null;
  let first = true;
  for await (const chunk of byteChunks(fh, buf)) {
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return 'utf-8';
    first = false;
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const tail = incompleteTail(data);
    if (!isUtf8(data.subarray(0, data.length - tail))) return 'windows-1252';
    carry = tail ? Buffer.from(data.subarray(data.length - tail)) : null;
  }
  return carry ? 'windows-1252' : 'utf-8';
}

const CR = /\r\n?/g;

/**
 * Decodes the file chunk by chunk (a UTF-8 BOM is dropped) and normalizes every line break
 * (CRLF, lone CR, LF, also a CRLF split across chunks) to '\n', so each physical break is one '\n'.
 */
export async function* decodedText(fh: FileHandle, buf: Buffer, encoding: ResolvedEncoding): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding === 'utf-8' ? 'utf8' : 'windows-1252');
  let pendingCr = false;
  const normalize = (s: string): string => {
    if (s.length === 0) return s;
    if (pendingCr && s.charCodeAt(0) === 10) s = s.slice(1);
    pendingCr = s.charCodeAt(s.length - 1) === 13;
    return s.indexOf('\r') === -1 ? s : s.replace(CR, '\n');
  };
  for await (const chunk of byteChunks(fh, buf)) {
    const s = normalize(decoder.write(chunk));
    if (s.length > 0) yield s;
  }
  const rest = normalize(decoder.end() ?? '');
  if (rest.length > 0) yield rest;
}
