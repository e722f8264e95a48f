// The JavaScript face of the stepcalc core, for browsers and Node 20.
//
//   const calc = await (await import('./stepcalc.mjs')).default();
//   calc.compute(request)   -> the response object, the same as `stepcalc compute` prints
//   calc.sweep(request, variable, values) -> Float64Array columns
//   calc.scenario(header)   -> a Scenario for many batches of one model, GPU, TP and β:
//       scenario.compute(step), scenario.computePacked(prefill, decode),
//       scenario.sweep(step, variable, values), scenario.delete()
//   calc.presets(), calc.limits, calc.checkModel(config), calc.checkGpu(datasheet)
//
// Results are plain JS values. Bad input throws a StepCalcError whose message is the
// CLI's error line. Every call takes a quick way when it can (batches as numbers in the
// wasm heap, a generated builder for the response) and the core's full JSON path when it
// cannot be sure, and for every error, so answers and messages are always the CLI's.

import createStepCalcGlue from './stepcalc_glue.mjs';
import { FIELD_LIST, RECORD_SIZE, buildResponse } from './response_builder.mjs';

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

const SWEEP_COLUMNS = ['values', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv',
  't_weight', 't_tp', 'batch_size', 'step_time_us', 'headroom_bytes'];
const HEADER_FIELDS = ['model', 'gpu', 'tp', 'coefficients', 'gpu_memory_utilization'];
const REQUEST_FIELDS = new Set([...HEADER_FIELDS, 'step']);
const STEP_FIELDS = new Set(['prefill', 'decode']);
const SCENARIO_CACHE_SIZE = 8; // headers calc.compute keeps open; each holds ~170 KB of heap
const NO_ROWS = new Float64Array(0);

async function loadGlue(options) {
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
function requestText(request) {
  if (typeof request === 'string') return request;
  let text;
  try {
    text = JSON.stringify(request);
  } catch (error) {
    throw new StepCalcError('request', `cannot be written as JSON: ${error.message}`);
  }
  if (text === undefined) throw new StepCalcError('request', `expected a JSON object, got ${typeof request}`);
  return text;
}

// True when JSON.stringify would write exactly the own enumerable fields of `object`,
// each one of `allowed`: no toJSON, no inherited enumerable field. (for-in is far
// cheaper than Object.keys, and sees inherited fields, which hasOwn then rejects.)
function plainWithFields(object, allowed) {
  if (typeof object !== 'object' || object === null || object.toJSON !== undefined) return false;
  for (const key in object) if (!allowed.has(key) || !Object.hasOwn(object, key)) return false;
  return true;
}

// A row list as numbers, `stride` per row, or null when unsure (the full path then
// answers). Values are not checked here: the core checks them.
function packRows(rows, maxRows, packRow, stride) {
  if (rows === undefined) return NO_ROWS;
  if (!Array.isArray(rows) || rows.length > maxRows || rows.toJSON !== undefined) return null;
  const packed = new Float64Array(rows.length * stride);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || row.toJSON !== undefined) return null;
    if (!packRow(row, packed, i * stride)) return null;
  }
  return packed;
}

// Each row packer reads its fields once (a getter runs once, as under JSON.stringify) and
// counts own keys to catch unknown, undefined-valued or inherited ones.
function packPrefillRow(row, packed, at) {
  const tokens = row.tokens_this_step, prompt = row.prompt_tokens, count = row.count;
  if (typeof tokens !== 'number' || typeof prompt !== 'number') return false;
  let keys = 0;
  for (const key in row) {
    if (!Object.hasOwn(row, key)) return false;
    keys++;
  }
  if (count === undefined) {
    if (keys !== 2) return false;
    packed[at + 2] = 1;
  } else {
    if (typeof count !== 'number' || keys !== 3) return false;
    packed[at + 2] = count;
  }
  packed[at] = tokens;
  packed[at + 1] = prompt;
  return true;
}

function packDecodeRow(row, packed, at) {
  const context = row.context_length, count = row.count;
  if (typeof context !== 'number') return false;
  let keys = 0;
  for (const key in row) {
    if (!Object.hasOwn(row, key)) return false;
    keys++;
  }
  if (count === undefined) {
    if (keys !== 1) return false;
    packed[at + 1] = 1;
  } else {
    if (typeof count !== 'number' || keys !== 2) return false;
    packed[at + 1] = count;
  }
  packed[at] = context;
  return true;
}

// {prefill, decode} as numbers, or null when the step needs the full path.
function packStep(step, maxRows) {
  if (!plainWithFields(step, STEP_FIELDS)) return null;
  const prefill = packRows(step.prefill, maxRows, packPrefillRow, 3);
  if (prefill === null) return null;
  const decode = packRows(step.decode, maxRows, packDecodeRow, 2);
  if (decode === null) return null;
  return { prefill, decode };
}

function copyNotes(notes) {
  return notes.map((note) => ({ code: note.code, message: note.message, affects: note.affects.slice() }));
}

function checkSweepArguments(variable, values) {
  if (typeof variable !== 'string') throw new StepCalcError('sweep.variable', `expected a string, got ${typeof variable}`);
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new StepCalcError('sweep.values', 'expected an array of numbers');
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') throw new StepCalcError(`sweep.values[${i}]`, `expected a number, got ${typeof values[i]}`);
  }
}

function sweepColumns(outcome) {
  const series = {};
  for (const column of SWEEP_COLUMNS) series[column] = outcome[column];
  return series;
}

export default async function createStepCalc(options = {}) {
  const glue = await loadGlue(options);
  if (glue.responseFields() !== FIELD_LIST || glue.stepRecordSize() !== RECORD_SIZE) {
    throw new Error('stepcalc: response_builder.mjs and stepcalc.wasm come from different builds; rebuild the module');
  }
  const limits = Object.freeze(JSON.parse(glue.limits()));
  const maxRows = limits.max_rows;

  // The core's full JSON path: the result, or its error thrown.
  function computeJson(text) {
    const outcome = glue.computeJson(text);
    if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
    return JSON.parse(outcome.text);
  }
  function sweepJson(text, variable, values) {
    const outcome = glue.sweepJson(text, variable, Array.from(values));
    if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
    return sweepColumns(outcome);
  }

  // One open header in the core. Not exported: callers get the Scenario wrapper.
  class Session {
    constructor(headerText) {
      this.core = new glue.Scenario();
      const outcome = this.core.open(headerText);
      if (!outcome.ok) {
        this.core.delete();
        this.core = null;
        this.error = new StepCalcError(outcome.where, outcome.what);
        return;
      }
      this.fields = JSON.parse(outcome.text);
      this.notes = [];
      this.prefillAt = this.core.prefillAddress() / 8;
      this.decodeAt = this.core.decodeAddress() / 8;
      this.recordAt = this.core.recordAddress() / 8;
    }

    // Copies the rows in and runs the core; false on an error (this.core.error() says which).
    run(packed) {
      // Nothing the caller wrote runs between here and the builder: rows were packed first.
      glue.HEAPF64.set(packed.prefill, this.prefillAt);
      glue.HEAPF64.set(packed.decode, this.decodeAt);
      const status = this.core.compute(packed.prefill.length / 3, packed.decode.length / 2);
      if (status < 0) return false;
      if (status === 1) this.notes = JSON.parse(this.core.notesJson());
      return true;
    }

    response() {
      return buildResponse(glue.HEAPF64, this.recordAt, this.fields, copyNotes(this.notes));
    }

    sweep(packed, variable, values) {
      glue.HEAPF64.set(packed.prefill, this.prefillAt);
      glue.HEAPF64.set(packed.decode, this.decodeAt);
      const outcome = this.core.sweep(packed.prefill.length / 3, packed.decode.length / 2, variable, Array.from(values));
      return outcome.ok ? sweepColumns(outcome) : null;
    }

    delete() {
      this.core?.delete();
      this.core = null;
    }
  }

  // calc.compute and calc.sweep keep the sessions of recent headers open.
  const sessions = new Map();
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
      const [oldest, evicted] = sessions.entries().next().value;
      sessions.delete(oldest);
      evicted.delete();
    }
    return session;
  }

  // The open session for the request's header, or null (the full path then answers).
  function sessionOf(request) {
    const header = {};
    for (const field of HEADER_FIELDS) if (request[field] !== undefined) header[field] = request[field];
    let text;
    try {
      text = requestText(header);
    } catch {
      return null;
    }
    return sessionFor(text);
  }

  // The response by the quick way, or null when the full path must answer.
  function computeQuick(request) {
    if (!plainWithFields(request, REQUEST_FIELDS)) return null;
    // Rows first: any getter in them runs before a session is chosen.
    const packed = packStep(request.step, maxRows);
    if (packed === null) return null;
    const session = sessionOf(request);
    if (session === null || !session.run(packed)) return null;
    return session.response();
  }

  class Scenario {
    #session;
    #header;
    constructor(header) {
      this.#header = header;
      const session = new Session(requestText(header)); // the core ignores a "step" here
      if (session.error) throw session.error;
      this.#session = session;
    }
    #open() {
      if (this.#session.core === null) throw new Error('stepcalc: this Scenario was deleted');
      return this.#session;
    }
    compute(step) {
      const packed = packStep(step, maxRows);
      const session = this.#open();
      if (packed !== null && session.run(packed)) return session.response();
      return computeJson(requestText({ ...this.#header, step }));
    }
    computePacked(prefill, decode) {
      const session = this.#open();
      const packed = { prefill: Float64Array.from(prefill ?? NO_ROWS), decode: Float64Array.from(decode ?? NO_ROWS) };
      if (packed.prefill.length % 3 !== 0) throw new StepCalcError('step.prefill', 'packed rows need 3 numbers each (tokens_this_step, prompt_tokens, count)');
      if (packed.decode.length % 2 !== 0) throw new StepCalcError('step.decode', 'packed rows need 2 numbers each (context_length, count)');
      for (const [list, rows] of [['step.prefill', packed.prefill.length / 3], ['step.decode', packed.decode.length / 2]]) {
        if (rows > maxRows) throw new StepCalcError(list, `has ${rows} rows; at most ${maxRows} are allowed (use count)`);
      }
      if (!session.run(packed)) {
        const { where, what } = session.core.error();
        throw new StepCalcError(where, what);
      }
      return session.response();
    }
    sweep(step, variable, values) {
      checkSweepArguments(variable, values);
      const packed = packStep(step, maxRows);
      const session = this.#open();
      return (packed && session.sweep(packed, variable, values)) ??
        sweepJson(requestText({ ...this.#header, step }), variable, values);
    }
    delete() {
      this.#session.delete();
    }
  }

  return Object.freeze({
    compute(request) {
      if (typeof request === 'string') {
        let parsed;
        try {
          parsed = JSON.parse(request);
        } catch {
          return computeJson(request); // the core names the error
        }
        return computeQuick(parsed) ?? computeJson(request);
      }
      return computeQuick(request) ?? computeJson(requestText(request));
    },

    sweep(request, variable, values) {
      checkSweepArguments(variable, values);
      const object = typeof request === 'string' ? null : request;
      if (object !== null && plainWithFields(object, REQUEST_FIELDS)) {
        const packed = packStep(object.step, maxRows);
        const session = packed && sessionOf(object);
        const series = session && session.sweep(packed, variable, values);
        if (series) return series;
      }
      return sweepJson(requestText(request), variable, values);
    },

    scenario(header) {
      return new Scenario(header);
    },

    presets() {
      return JSON.parse(glue.presets()); // a fresh copy each call: callers may mutate it
    },

    limits,

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
  });
}
