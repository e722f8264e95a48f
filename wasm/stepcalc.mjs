// The JavaScript face of the stepcalc core, for browsers and Node 20.
//
//   const calc = await (await import('./stepcalc.mjs')).default();
//   calc.compute(request)   -> the response object, the same as `stepcalc compute` prints
//   calc.sweep(request, variable, values) -> Float64Array columns
//   calc.scenario(header)   -> a Scenario for many batches of one model, GPU, TP and β:
//       scenario.compute(step), scenario.computePacked(prefill, decode),
//       scenario.sweep(step, variable, values), scenario.delete()
//   calc.presets(), calc.limits, calc.checkModel(config), calc.checkGpu(datasheet)
//   await calc.trace(source, options, { onProgress, signal }) -> { columns, summary, fit(λ), release() }
//   await calc.fit(source, options)  -> the report of `stepcalc fit`
//   calc.simulate(request)  -> the serving simulation, the same as `stepcalc simulate` prints
//
// Results are plain JS values. Bad input throws a StepCalcError whose message is the
// CLI's error line. Every call takes a quick way when it can (batches as numbers in the
// wasm heap, a generated builder for the response) and the core's full JSON path when it
// cannot be sure, and for every error, so answers and messages are always the CLI's.

import createStepCalcGlue from './stepcalc_glue.mjs';
import { FIELD_LIST, RECORD_SIZE, buildResponse } from './response_builder.mjs';

/** @typedef {import('./stepcalc_glue.mjs').Glue} Glue */
/** @typedef {import('./stepcalc_glue.mjs').CoreScenario} CoreScenario */
/** @typedef {import('./stepcalc_glue.mjs').SweepOutcome} SweepOutcome */
/** @typedef {import('./response_builder.mjs').StepResponse} StepResponse */
/** @typedef {import('./response_builder.mjs').Note} Note */
/** @typedef {import('./stepcalc.mjs').SweepSeries} SweepSeries */
/** @typedef {{ [field: string]: unknown }} JsonObject */
/** A batch in heap memory malloc'd for one call: 3 doubles per prefill row, then 2 per decode row.
 * @typedef {{ address: number, bytes: number }} HeapBlock
 * @typedef {{ block: HeapBlock, address: number, prefillRows: number, decodeRows: number }} HeapRows */

const WASM_URL = new URL('./stepcalc.wasm', import.meta.url);
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

export class StepCalcError extends Error {
  /** @param {string} where @param {string} what */
  constructor(where, what) {
    super(`error: ${where}: ${what}`); // the CLI's line
    this.name = 'StepCalcError';
    this.where = where;
    this.what = what;
  }
}

// Thrown by createStepCalc when the engine cannot run the module: reloading does not help,
// another browser (or a newer one) does.
export class UnsupportedEngineError extends Error {
  constructor() {
    super('this WebAssembly engine has no 128-bit SIMD, which the module needs ' +
      '(Chrome and Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)');
    this.name = 'UnsupportedEngineError';
  }
}

// The smallest module with a SIMD instruction (a function returning i8x16.splat of 0):
// valid exactly where the core's SIMD batch loop can run.
const SIMD_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b]); // i32.const 0, i8x16.splat, end

const SWEEP_COLUMNS = ['values', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv',
  't_weight', 't_tp', 'batch_size', 'step_time_us', 'headroom_bytes'];
const PREFILL_FIELDS = ['tokens_this_step', 'prompt_tokens', 'count'];
const DECODE_FIELDS = ['context_length', 'count'];
const HEADER_FIELDS = ['model', 'gpu', 'tp', 'coefficients', 'gpu_memory_utilization'];
const REQUEST_FIELDS = new Set([...HEADER_FIELDS, 'step']);
const STEP_FIELDS = new Set(['prefill', 'decode']);
const SCENARIO_CACHE_SIZE = 8; // headers calc.compute and calc.sweep keep open
const NO_ROWS = new Float64Array(0);

/** @param {{ wasmBinary?: ArrayBuffer | Uint8Array, wasmUrl?: string | URL }} options
 * @returns {Promise<Glue>} */
async function loadGlue(options) {
  /** @type {import('./stepcalc_glue.mjs').GlueOptions} */
  const moduleArgs = {};
  if (options.wasmBinary) {
    moduleArgs.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    // The web-only glue would fetch() a file: URL, which Node refuses.
    const { readFile } = await import('node:fs/promises');
    moduleArgs.wasmBinary = await readFile(WASM_URL);
  } else {
    moduleArgs.locateFile = () => (options.wasmUrl ?? WASM_URL).toString();
  }
  return createStepCalcGlue(moduleArgs);
}

// JSON text of a request, with the errors JSON.stringify can raise made ours.
/** @param {unknown} request @returns {string} */
function requestText(request) {
  if (typeof request === 'string') return request;
  let text;
  try {
    text = JSON.stringify(request);
  } catch (error) {
    throw new StepCalcError('request', `cannot be written as JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (text === undefined) throw new StepCalcError('request', `expected a JSON object, got ${typeof request}`);
  return text;
}

// Object keys written in JSON text: string tokens followed by a colon, found by a scan
// that knows strings and their escapes. JSON.parse keeps only the last of duplicate keys,
// which the core refuses; comparing this count with the parsed value's tells them apart.
/** @param {string} text */
function keysInText(text) {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34) continue; // '"': a string to its closing quote
    for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13 || text.charCodeAt(j) === 9)) j++;
    if (text.charCodeAt(j) === 58) keys++; // ':'
  }
  return keys;
}

// Keys in a parsed value; NaN past `depth` levels (the core refuses such nesting anyway,
// and counting them would overflow the stack).
/** @param {unknown} value @param {number} depth @returns {number} */
function keysInValue(value, depth) {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth === 0) return NaN;
  let keys = 0;
  if (Array.isArray(value)) {
    for (const element of value) keys += keysInValue(element, depth - 1);
    return keys;
  }
  for (const key in value) keys += 1 + keysInValue(/** @type {JsonObject} */ (value)[key], depth - 1);
  return keys;
}

// In a for…in loop over the same object, V8 turns hasOwnProperty.call(object, key) into a
// check of the object's map against the loop's enum cache; Object.hasOwn stays a call
// (0.56 against 1.2 µs for the rows of a 128-decode batch).
const hasOwn = Object.prototype.hasOwnProperty;

// True when `object` is a plain object (not an array) that JSON.stringify would write as
// exactly its own enumerable fields, each one of `allowed`: no toJSON, no inherited
// enumerable field. (for-in is far cheaper than Object.keys, and sees inherited fields,
// which hasOwn then rejects.)
/** @param {unknown} object @param {Set<string>} allowed @returns {object is JsonObject} */
function plainWithFields(object, allowed) {
  if (typeof object !== 'object' || object === null || Array.isArray(object) ||
    /** @type {JsonObject} */ (object).toJSON !== undefined) return false;
  for (const key in object) if (!allowed.has(key) || !hasOwn.call(object, key)) return false;
  return true;
}

const TRACE_CHUNK_CHARS = 1 << 20;
const TRACE_CHUNK_BYTES = 1 << 20;

// A trace's chunks, whatever form it comes in: text, bytes, a Blob, a ReadableStream, or
// an (async) iterable of text or bytes. Long text is cut into 1 Mi-character pieces,
// never between the two halves of a surrogate pair, and long bytes into 1 MiB pieces, so
// the module's memory holds one piece at a time whatever the size of the whole.
/** @param {unknown} source @returns {AsyncGenerator<string | Uint8Array>} */
async function* traceChunks(source) {
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
  const stream = /** @type {{ getReader?: () => ReadableStreamDefaultReader<unknown> }} */ (source);
  if (typeof stream?.getReader === 'function') {
    const reader = stream.getReader();
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

/** @param {Note[]} notes @returns {Note[]} */
function copyNotes(notes) {
  return notes.map((note) => ({ code: note.code, message: note.message, affects: note.affects.slice() }));
}

/** @param {unknown} variable @param {unknown} values
 * @returns {asserts values is ArrayLike<number>} */
function checkSweepArguments(variable, values) {
  if (typeof variable !== 'string') throw new StepCalcError('sweep.variable', `expected a string, got ${typeof variable}`);
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new StepCalcError('sweep.values', 'expected an array of numbers');
  const list = /** @type {ArrayLike<unknown>} */ (values);
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'number') throw new StepCalcError(`sweep.values[${i}]`, `expected a number, got ${typeof list[i]}`);
  }
}

/** @param {SweepOutcome & { ok: true }} outcome @returns {SweepSeries} */
function sweepColumns(outcome) {
  /** @type {Record<string, Float64Array>} */
  const series = {};
  for (const column of SWEEP_COLUMNS) series[column] = outcome[column];
  return /** @type {SweepSeries} */ (/** @type {unknown} */ (series));
}

/** @param {{ wasmBinary?: ArrayBuffer | Uint8Array, wasmUrl?: string | URL }} [options] */
export default async function createStepCalc(options = {}) {
  if (!WebAssembly.validate(SIMD_PROBE)) throw new UnsupportedEngineError();
  const glue = await loadGlue(options);
  if (glue.responseFields() !== FIELD_LIST || glue.stepRecordSize() !== RECORD_SIZE) {
    throw new Error('stepcalc: response_builder.mjs and stepcalc.wasm come from different builds; rebuild the module');
  }
  const limits = Object.freeze(JSON.parse(glue.limits()));
  const maxRows = limits.max_rows;

  // The core's full JSON path: the result, or its error thrown.
  /** @param {string} text @returns {StepResponse} */
  function computeJson(text) {
    const outcome = glue.computeJson(text);
    if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
    return JSON.parse(outcome.text);
  }
  /** @param {string} text @param {string} variable @param {ArrayLike<number>} values */
  function sweepJson(text, variable, values) {
    const outcome = glue.sweepJson(text, variable, Array.from(values));
    if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
    return sweepColumns(outcome);
  }

  // The heap as doubles. Growing the memory detaches the old view (its length becomes 0),
  // so it is re-read then; reading glue.HEAPF64 on every access would cost more than the
  // computation (the glue object is a slow dictionary).
  let heapView = glue.HEAPF64;

  // The glue's exports start as wrappers that, on their first call, put the wasm function
  // in their place in the glue object; a wrapper kept in a variable stays a wrapper (an
  // apply per call). So each is called once, harmlessly, then read again: a Scenario
  // never opened answers compute with -1 and changes nothing.
  glue._free(glue._malloc(8));
  const probe = new glue.Scenario();
  glue._stepcalc_scenario_compute(probe.address(), 0, 0, 0, 0);
  probe.delete();
  const { _malloc: malloc, _free: free, _stepcalc_scenario_compute: computeScenario } = glue;
  /** @returns {Float64Array} */
  function heap() {
    if (heapView.length === 0) heapView = glue.HEAPF64;
    return heapView;
  }

  // Each call's rows go into a heap block of its own, taken from the blocks no call is
  // using (or malloc'd) and given back when the call is done: a call made by a getter
  // while rows are being packed takes another block, so no state is shared between them,
  // and a run of calls reuses one block instead of a malloc and a free each.
  /** @type {HeapBlock[]} */
  const spareBlocks = [];
  /** @param {number} bytes */
  function takeBlock(bytes) {
    const block = spareBlocks.pop();
    if (block !== undefined && block.bytes >= bytes) return block;
    if (block !== undefined) free(block.address);
    const size = Math.max(bytes, 2 * (block?.bytes ?? 0), 4096);
    return { address: malloc(size), bytes: size };
  }
  /** @param {HeapRows} rows */
  function release(rows) {
    spareBlocks.push(rows.block);
  }

  // Each row takes the heap view after its fields are read, as a getter's call may have
  // grown the memory. A row is taken when its own enumerable fields, which are all that
  // JSON.stringify writes, are known names, the required ones among them, and `count`
  // own when it is read (for-in is far cheaper than Object.keys, and sees inherited
  // fields, which hasOwn then rejects). One loop per list, with the key checks inline:
  // the hot loop of calc.compute (a row function passed in was 0.4 µs slower on 128 rows).
  /** @param {unknown[]} rows @param {number} index where the first number goes */
  function packPrefillRows(rows, index) {
    for (let i = 0; i < rows.length; i++, index += 3) {
      const row = /** @type {JsonObject} */ (rows[i]);
      if (typeof row !== 'object' || row === null || row.toJSON !== undefined) return false;
      const tokens = row.tokens_this_step, prompt = row.prompt_tokens, count = row.count;
      let keys = 0, required = 0;
      for (const key in row) {
        if (!hasOwn.call(row, key)) return false;
        if (key === 'tokens_this_step' || key === 'prompt_tokens') required++;
        else if (key !== 'count') return false;
        keys++;
      }
      if (required !== 2 || typeof tokens !== 'number' || typeof prompt !== 'number') return false;
      if (count !== undefined && typeof count !== 'number') return false;
      if (keys !== (count === undefined ? 2 : 3)) return false;
      const doubles = heap();
      doubles[index] = tokens;
      doubles[index + 1] = prompt;
      doubles[index + 2] = typeof count === 'number' ? count : 1;
    }
    return true;
  }
  /** @param {unknown[]} rows @param {number} index where the first number goes */
  function packDecodeRows(rows, index) {
    for (let i = 0; i < rows.length; i++, index += 2) {
      const row = /** @type {JsonObject} */ (rows[i]);
      if (typeof row !== 'object' || row === null || row.toJSON !== undefined) return false;
      const context = row.context_length, count = row.count;
      let keys = 0, required = 0;
      for (const key in row) {
        if (!hasOwn.call(row, key)) return false;
        if (key === 'context_length') required++;
        else if (key !== 'count') return false;
        keys++;
      }
      if (required !== 1 || typeof context !== 'number') return false;
      if (count !== undefined && typeof count !== 'number') return false;
      if (keys !== (count === undefined ? 1 : 2)) return false;
      const doubles = heap();
      doubles[index] = context;
      doubles[index + 1] = typeof count === 'number' ? count : 1;
    }
    return true;
  }

  // The step's rows in the heap, as {address, prefillRows, decodeRows} (free the address
  // after use), or null when the full path must answer.
  /** @param {unknown} step @returns {HeapRows | null} */
  function packStep(step) {
    if (!plainWithFields(step, STEP_FIELDS)) return null;
    const prefill = step.prefill === undefined ? [] : step.prefill;
    const decode = step.decode === undefined ? [] : step.decode;
    if (!isRowList(prefill) || !isRowList(decode)) return null;
    const block = takeBlock(8 * (3 * prefill.length + 2 * decode.length));
    const rows = { block, address: block.address, prefillRows: prefill.length, decodeRows: decode.length };
    const first = rows.address / 8;
    try {
      if (packPrefillRows(prefill, first) && packDecodeRows(decode, first + 3 * prefill.length)) return rows;
    } catch (error) {
      release(rows);
      throw error;
    }
    release(rows);
    return null;
  }

  /** @param {unknown} rows @returns {rows is unknown[]} */
  function isRowList(rows) {
    return Array.isArray(rows) && rows.length <= maxRows && /** @type {JsonObject} */ (/** @type {unknown} */ (rows)).toJSON === undefined;
  }

  // The numbers of a packed list as a typed array: plain arrays are checked to hold
  // numbers only (a typed array cannot hold anything else) and copied, so that each of
  // their elements is read once, here.
  /** @param {string} list @param {ArrayLike<number>} numbers @param {readonly string[]} fields
   * @returns {ArrayLike<number>} */
  function packedNumbers(list, numbers, fields) {
    if (ArrayBuffer.isView(numbers)) return numbers;
    const copy = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const value = numbers[i];
      if (typeof value !== 'number') {
        const row = Math.floor(i / fields.length), field = fields[i % fields.length];
        throw new StepCalcError(`${list}[${row}].${field}`, `expected a number, got ${typeof value}`);
      }
      copy[i] = value;
    }
    return copy;
  }

  // Packed rows (typed or plain arrays of numbers) copied into the heap.
  /** @param {ArrayLike<number>} prefill @param {ArrayLike<number>} decode @returns {HeapRows} */
  function copyPacked(prefill, decode) {
    prefill = packedNumbers('step.prefill', prefill, PREFILL_FIELDS);
    decode = packedNumbers('step.decode', decode, DECODE_FIELDS);
    const block = takeBlock(8 * (prefill.length + decode.length));
    const rows = { block, address: block.address, prefillRows: prefill.length / 3, decodeRows: decode.length / 2 };
    heap().set(prefill, rows.address / 8);
    heap().set(decode, rows.address / 8 + prefill.length);
    return rows;
  }

  // One open header in the core. Not exported: callers get the Scenario wrapper.
  class Session {
    /** @param {string} headerText */
    constructor(headerText) {
      /** @type {CoreScenario | null} */
      this.core = new glue.Scenario();
      /** @type {StepCalcError | null} */
      this.error = null;
      /** @type {JsonObject} */
      this.fields = {};
      /** @type {Note[]} */
      this.notes = [];
      this.recordAt = 0;
      this.address = 0; // of the core's object, for computeScenario
      const outcome = this.core.open(headerText);
      if (!outcome.ok) {
        this.core.delete();
        this.core = null;
        this.error = new StepCalcError(outcome.where, outcome.what);
        return;
      }
      this.fields = JSON.parse(outcome.text);
      this.recordAt = this.core.recordAddress() / 8;
      this.address = this.core.address();
    }

    // The response for rows in the heap (freed here), or null on an error (the full path
    // then reports it, or this.core.error() says which).
    /** @param {HeapRows} rows @returns {StepResponse | null} */
    compute(rows) {
      const core = /** @type {CoreScenario} */ (this.core);
      const status = computeScenario(this.address, rows.address, rows.prefillRows, rows.address + 24 * rows.prefillRows, rows.decodeRows);
      release(rows);
      if (status < 0) return null;
      if (status === 1) this.notes = JSON.parse(core.notesJson());
      return buildResponse(heap(), this.recordAt, this.fields, copyNotes(this.notes));
    }

    /** @param {HeapRows} rows @param {string} variable @param {ArrayLike<number>} values
     * @returns {SweepSeries | null} */
    sweep(rows, variable, values) {
      const outcome = /** @type {CoreScenario} */ (this.core).sweep(rows.address, rows.prefillRows, rows.address + 24 * rows.prefillRows, rows.decodeRows, variable, Array.from(values));
      release(rows);
      return outcome.ok ? sweepColumns(outcome) : null;
    }

    delete() {
      this.core?.delete();
      this.core = null;
    }
  }

  /** @param {Session} session @param {HeapRows} rows */
  const computeRows = (session, rows) => session.compute(rows);

  // calc.compute and calc.sweep keep the sessions of recent headers open.
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @param {string} headerText @returns {Session | null} */
  function sessionFor(headerText) {
    let session = sessions.get(headerText);
    if (session) {
      sessions.delete(headerText); // most recently used goes last
      sessions.set(headerText, session);
      return session;
    }
    session = new Session(headerText);
    if (session.error) return null;
    sessions.set(headerText, session);
    if (sessions.size > SCENARIO_CACHE_SIZE) {
      const [oldest, evicted] = /** @type {[string, Session]} */ (sessions.entries().next().value);
      sessions.delete(oldest);
      evicted.delete();
    }
    return session;
  }

  // The header fields of the last request whose fields were all strings, numbers or
  // absent (preset ids: the usual case), with its session: a run of calls with one header
  // finds its session by comparing five values, building nothing.
  /** @type {{ values: unknown[], session: Session } | null} */
  let lastPrimitive = null;
  /** @param {unknown} value */
  const isPrimitive = (value) => value === undefined || typeof value === 'string' || typeof value === 'number';

  // The session of the request's header, or null when the header cannot be written or
  // opened (the full path then says why). Each field is read once, as JSON.stringify would.
  /** @param {JsonObject} request @returns {Session | null} */
  function sessionForRequest(request) {
    const model = request.model, gpu = request.gpu, tp = request.tp;
    const coefficients = request.coefficients, utilization = request.gpu_memory_utilization;
    const last = lastPrimitive;
    if (last !== null && last.session.core !== null && last.values[0] === model && last.values[1] === gpu &&
      last.values[2] === tp && last.values[3] === coefficients && last.values[4] === utilization) {
      return last.session;
    }
    const values = [model, gpu, tp, coefficients, utilization]; // in HEADER_FIELDS order
    /** @type {JsonObject} */
    const header = {};
    HEADER_FIELDS.forEach((field, i) => { if (values[i] !== undefined) header[field] = values[i]; });
    let text;
    try {
      text = requestText(header);
    } catch {
      return null;
    }
    const session = sessionFor(text);
    if (session !== null && values.every(isPrimitive)) lastPrimitive = { values, session };
    return session;
  }

  // The request by the quick way, or null when the full path must answer. The rows are
  // packed before the header is written and a session chosen, so any code of the
  // caller's (a getter, a toJSON) has run before the core is called.
  /** @template T
   * @param {unknown} request @param {(session: Session, rows: HeapRows) => T | null} use
   * @returns {T | null} */
  function withQuickRequest(request, use) {
    if (!plainWithFields(request, REQUEST_FIELDS)) return null;
    const rows = packStep(request.step);
    if (rows === null) return null;
    let session;
    try {
      session = sessionForRequest(request); // may run the caller's getters, which may throw
    } catch (error) {
      release(rows);
      throw error;
    }
    if (session === null) {
      release(rows);
      return null;
    }
    return use(session, rows);
  }

  class Scenario {
    /** @type {Session} */
    #session;
    /** @type {unknown} */
    #header;
    /** @param {unknown} header */
    constructor(header) {
      this.#header = header;
      this.#session = new Session(requestText(header)); // the core ignores a "step" here
      if (this.#session.error) throw this.#session.error;
    }
    #open() {
      if (this.#session.core === null) throw new Error('stepcalc: this Scenario was deleted');
      return this.#session;
    }
    /** @param {unknown} step @returns {StepResponse} */
    compute(step) {
      const session = this.#open();
      const rows = packStep(step);
      return (rows && session.compute(rows)) ?? computeJson(requestText({ .../** @type {object} */ (this.#header), step }));
    }
    /** @param {ArrayLike<number>} [prefill] @param {ArrayLike<number>} [decode] @returns {StepResponse} */
    computePacked(prefill = NO_ROWS, decode = NO_ROWS) {
      const session = this.#open();
      if (prefill.length % 3 !== 0) throw new StepCalcError('step.prefill', 'packed rows need 3 numbers each (tokens_this_step, prompt_tokens, count)');
      if (decode.length % 2 !== 0) throw new StepCalcError('step.decode', 'packed rows need 2 numbers each (context_length, count)');
      if (prefill.length / 3 > maxRows) throw new StepCalcError('step.prefill', `has ${prefill.length / 3} rows; at most ${maxRows} are allowed (use count)`);
      if (decode.length / 2 > maxRows) throw new StepCalcError('step.decode', `has ${decode.length / 2} rows; at most ${maxRows} are allowed (use count)`);
      const response = session.compute(copyPacked(prefill, decode));
      if (response === null) {
        const { where, what } = /** @type {CoreScenario} */ (session.core).error();
        throw new StepCalcError(where, what);
      }
      return response;
    }
    /** @param {unknown} step @param {string} variable @param {ArrayLike<number>} values */
    sweep(step, variable, values) {
      checkSweepArguments(variable, values);
      const session = this.#open();
      const rows = packStep(step);
      return (rows && session.sweep(rows, variable, values)) ??
        sweepJson(requestText({ .../** @type {object} */ (this.#header), step }), variable, values);
    }
    delete() {
      this.#session.delete();
    }
  }

  const encoder = new TextEncoder();

  // A trace run in the core, fed chunk by chunk; the result keeps it (for fit) until
  // release().
  /** @param {unknown} source @param {import('./stepcalc.mjs').TraceOptions} options
   * @param {import('./stepcalc.mjs').TraceHooks} hooks */
  async function trace(source, options = {}, { onProgress, signal } = {}) {
    const session = new glue.TraceSession();
    const fail = () => {
      const { where, what } = session.error();
      session.delete();
      throw new StepCalcError(where, what);
    };
    const { skipBad, ...rest } = options;
    const started = session.start(requestText({ ...rest, skip_bad: skipBad ?? false }));
    if (!started.ok) {
      session.delete();
      throw new StepCalcError(started.where, started.what);
    }
    let bytes = 0;
    // One piece of heap memory for every chunk in turn, grown when a chunk needs more.
    let scratch = { address: 0, size: 0 };
    const reserve = (/** @type {number} */ size) => {
      if (size <= scratch.size) return scratch.address;
      free(scratch.address);
      scratch = { address: malloc(size), size };
      return scratch.address;
    };
    try {
      for await (const chunk of traceChunks(source)) {
        signal?.throwIfAborted();
        let length;
        if (typeof chunk === 'string') { // UTF-8 straight into the heap: at most 3 bytes a UTF-16 unit
          const address = reserve(3 * chunk.length + 1);
          length = encoder.encodeInto(chunk, glue.HEAPU8.subarray(address, address + 3 * chunk.length)).written;
        } else {
          length = chunk.length;
          const address = reserve(length + 1); // before HEAPU8 is read: malloc may grow memory
          glue.HEAPU8.set(chunk, address);
        }
        if (session.push(scratch.address, length) < 0) fail();
        bytes += length;
        onProgress?.({ bytes, steps: session.steps(), skipped: session.skipped() });
      }
      signal?.throwIfAborted();
      if (session.finish() < 0) fail();
    } catch (error) {
      if (!(error instanceof StepCalcError)) session.delete();
      throw error;
    } finally {
      free(scratch.address);
    }
    const columns = /** @type {import('./stepcalc.mjs').TraceColumns} */ (/** @type {unknown} */ (session.columns()));
    const stepIdCells = /** @type {import('./stepcalc.mjs').StepIdCells} */ (/** @type {unknown} */ (session.stepIdCells()));
    const summary = JSON.parse(session.summaryJson());
    let released = false;
    return {
      columns, stepIdCells, summary,
      /** @param {number} [lambda] */
      fit(lambda = 0) {
        if (released) throw new Error('stepcalc: this trace result was released');
        const outcome = session.fit(lambda);
        if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
        return JSON.parse(outcome.text);
      },
      release() {
        if (!released) session.delete();
        released = true;
      },
    };
  }

  // Checked by `npm run typecheck` against the declared interface (stepcalc.d.mts).
  /** @type {import('./stepcalc.mjs').StepCalc} */
  const calc = {
    compute(request) {
      if (typeof request === 'string') {
        let parsed;
        try {
          parsed = JSON.parse(request);
        } catch {
          return computeJson(request); // the core names the error
        }
        // Duplicate keys: the core names the first one.
        if (keysInText(request) !== keysInValue(parsed, limits.max_json_depth)) return computeJson(request);
        return withQuickRequest(parsed, computeRows) ?? computeJson(request);
      }
      return withQuickRequest(request, computeRows) ?? computeJson(requestText(request));
    },

    sweep(request, variable, values) {
      checkSweepArguments(variable, values);
      const series = typeof request === 'string' ? null :
        withQuickRequest(request, (session, rows) => session.sweep(rows, variable, values));
      return series ?? sweepJson(requestText(request), variable, values);
    },

    scenario(header) {
      return new Scenario(header);
    },

    simulate(request) {
      const outcome = glue.simulateJson(requestText(request));
      if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
      return JSON.parse(outcome.text);
    },

    presets() {
      return JSON.parse(glue.presets()); // a fresh copy each call: callers may mutate it
    },

    limits,

    trace,

    async fit(source, options = {}) {
      const { lambda = 0, ...traceOptions } = options;
      const result = await trace(source, traceOptions);
      try {
        return result.fit(lambda);
      } finally {
        result.release();
      }
    },

    checkModel(config) {
      const outcome = glue.checkModel(requestText(config));
      if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
      return JSON.parse(outcome.text);
    },

    checkGpu(datasheet) {
      const outcome = glue.checkGpu(requestText(datasheet));
      if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
      return JSON.parse(outcome.text);
    },

    // For leak checks: bytes malloc has handed out, and the size of WebAssembly memory.
    heapBytesInUse() {
      return glue.heapBytesInUse();
    },
    memoryBytes() {
      return glue.HEAPU8.buffer.byteLength;
    },
  };
  return Object.freeze(calc);
}
