// A trace's text, in pieces the module reads one at a time, whatever form the caller
// hands it in.

import { StepCalcError } from './errors.mjs';

const TRACE_CHUNK_CHARS = 1 << 20;
const TRACE_CHUNK_BYTES = 1 << 20;

// A trace's chunks, whatever form it comes in: text, bytes, a Blob, a ReadableStream, or
// an (async) iterable of text or bytes. Long text is cut into 1 Mi-character pieces,
// never between the two halves of a surrogate pair, and long bytes into 1 MiB pieces, so
// the module's memory holds one piece at a time whatever the size of the whole.
/** @param {unknown} source @returns {AsyncGenerator<string | Uint8Array>} */
export async function* traceChunks(source) {
  if (typeof source === 'string') {
    for (let at = 0; at < source.length;) {
      let end = Math.min(at + TRACE_CHUNK_CHARS, source.length);
      const last = source.charCodeAt(end - 1);
      if (end < source.length && last >= 0xd800 && last <= 0xdbff) end--;
      yield source.slice(at, end);
      at = end;
    }
    return;
  }
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    for (let at = 0; at < bytes.length; at += TRACE_CHUNK_BYTES) yield bytes.subarray(at, at + TRACE_CHUNK_BYTES);
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) source = source.stream();
  const stream = /** @type {{ getReader?: (options?: { mode: 'byob' }) => ReadableStreamReader<unknown> }} */ (source);
  if (typeof stream?.getReader === 'function') {
    const byteReader = bringYourOwnBuffer(stream);
    if (byteReader) {
      yield* byteChunks(byteReader);
      return;
    }
    const reader = /** @type {ReadableStreamDefaultReader<unknown>} */ (stream.getReader());
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield* traceChunks(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  const iterable = /** @type {AsyncIterable<unknown> | Iterable<unknown>} */ (source);
  if (iterable && (Symbol.asyncIterator in Object(iterable) || Symbol.iterator in Object(iterable))) {
    for await (const chunk of iterable) yield* traceChunks(chunk);
    return;
  }
  throw new StepCalcError('trace', 'expected text, bytes, a Blob, a stream or an iterable of chunks');
}

// A byte stream's reader that fills a buffer of ours (a Blob's stream is one), or null for
// any other stream. A File's default reader hands over a new buffer per chunk, which took
// the page's worker 270-400 ms to read 70 MB against 130-250 ms for this (web/bench/trace.mjs).
/** @param {{ getReader?: (options?: { mode: 'byob' }) => ReadableStreamReader<unknown> }} stream */
function bringYourOwnBuffer(stream) {
  try {
    return /** @type {ReadableStreamBYOBReader} */ (stream.getReader?.({ mode: 'byob' }));
  } catch {
    return null; // not a byte stream
  }
}

// 1 MiB chunks, each filled by as many reads as it takes, all in one buffer that each read
// moves (a BYOB read transfers it): so a chunk is valid only until the next one is asked
// for, which is all the module needs (it copies each into its memory at once).
/** @param {ReadableStreamBYOBReader} reader @returns {AsyncGenerator<Uint8Array>} */
async function* byteChunks(reader) {
  let buffer = new ArrayBuffer(TRACE_CHUNK_BYTES);
  try {
    for (let done = false; !done;) {
      let filled = 0;
      while (filled < buffer.byteLength) {
        const read = await reader.read(new Uint8Array(buffer, filled, buffer.byteLength - filled));
        if (read.value) buffer = read.value.buffer;
        filled += read.value?.byteLength ?? 0;
        if (read.done) {
          done = true;
          break;
        }
      }
      if (filled > 0) yield new Uint8Array(buffer, 0, filled);
    }
  } finally {
    reader.releaseLock();
  }
}
