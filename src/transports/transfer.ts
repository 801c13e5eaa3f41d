// What every transport shares for one transfer: the local file it writes (0600, never more than the
// cap), the stop signal, and the errors both end with (5006 past the cap, 5014 when stopped).

import { open } from 'node:fs/promises';
import { pipeline, Transform, type Writable } from 'node:stream';
import { FramError, localFailure } from '../errors.js';

/** 5014: the process is stopping, so the operation was ended. */
export function interrupted(cause?: unknown): FramError {
  return new FramError(5014, {}, cause === undefined ? {} : { cause });
}

/** 5006 for a download that brought more than `maxBytes`; `listed` is the size the listing showed, when known. */
export function oversize(file: string, maxBytes: number, listed: number | undefined): FramError {
  return new FramError(5006, { file, got: `more than ${maxBytes}`, expected: listed ?? '(no size)' });
}

/** One signal that aborts when either does. */
export function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a || !b || a === b) return a ?? b;
  return AbortSignal.any([a, b]);
}

/** Calls `stop` once when `signal` aborts (at once when it already has); returns what stops listening. */
export function whenAborted(signal: AbortSignal | undefined, stop: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    stop();
    return () => {};
  }
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

/** A wait that ends early, with 5014, when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(interrupted());
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = whenAborted(signal, () => {
      clearTimeout(timer);
      reject(interrupted());
    });
  });
}

export interface CappedFile {
  /**
   * Write the download here. End it when the transfer is complete; destroy it with the error
   * that ended the transfer otherwise.
   */
  input: Writable;
  /**
   * The byte count, once the local file is closed. Rejects, also only once the file is closed,
   * with the first error: 5006 past the cap, a local failure (disk full 5019, anything else 5020),
   * or the error `input` was destroyed with.
   */
  done: Promise<number>;
}

/**
 * Creates (or truncates) `localPath`, mode 0600, for one download of at most `maxBytes` bytes. A
 * write that would pass the cap is not made: the file never holds more than `maxBytes` bytes.
 */
export async function openCappedFile(localPath: string, maxBytes: number, over: () => FramError): Promise<CappedFile> {
  let handle;
  try {
    handle = await open(localPath, 'w', 0o600);
  } catch (e) {
    throw localFailure(e, localPath, 'writing the download');
  }
  // Big writes: fewer system calls on a fast link.
  const out = handle.createWriteStream({ highWaterMark: 1 << 20 });
  let count = 0;
  const input = new Transform({
    // As deep as the file's own buffer: a fast source is not paused every 16 KiB.
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback) {
      if (count + chunk.length > maxBytes) return callback(over());
      count += chunk.length;
      callback(null, chunk);
    },
  });
  let fileError: unknown = null;
  out.once('error', (e) => {
    fileError = e;
  });
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  const done = new Promise<number>((resolve, reject) => {
    pipeline(input, out, (err) => {
      if (!err) return void closed.then(() => resolve(out.bytesWritten));
      // The file's own error is a local failure; any other is what `input` was destroyed with.
      const failure = err === fileError ? localFailure(err, localPath, 'writing the download') : err;
      void closed.then(() => reject(failure));
    });
  });
  // The caller may still be waiting for its child or its server when the file fails: it reads
  // `done` then, so an early rejection is not an unhandled one.
  done.catch(() => {});
  return { input, done };
}
