// The JavaScript face of the stepcalc core, for browsers and Node 20.
//
//   const calc = await (await import('./stepcalc.mjs')).default();
//   calc.compute(request)  -> the response object (the same as `stepcalc compute`)
//   calc.presets()         -> the preset listing (the same as `stepcalc presets`)
//   calc.sweep(request, variable, values) -> Float64Array columns
//
// Results are plain JS values: nothing to delete(). Bad input throws a
// StepCalcError whose message is the CLI's error line.

import createStepCalcGlue from './stepcalc_glue.mjs';

const WASM_URL = new URL('./stepcalc.wasm', import.meta.url);
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

export class StepCalcError extends Error {
  constructor(where, what) {
    super(`error: ${where}: ${what}`); // the CLI's line
    this.name = 'StepCalcError';
    this.where = where;
    this.what = what;
  }
}

const SWEEP_COLUMNS = ['values', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv',
  't_weight', 't_tp', 'batch_size', 'step_time_us'];
const MAX_SWEEP_POINTS = 100_000;
const BOTTLENECKS = ['none', 'compute', 'memory'];
const REQUEST_FIELDS = new Set(['model', 'gpu', 'tp', 'coefficients', 'step']);
const STEP_FIELDS = new Set(['prefill', 'decode']);
const PREFILL_FIELDS = ['tokens_this_step', 'prompt_tokens', 'count'];
const DECODE_FIELDS = ['context_length', 'count'];

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

function fail(outcome) {
  throw new StepCalcError(outcome.where, outcome.what);
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

// A plain data object: what JSON.stringify would write field by field, with no
// inherited fields, toJSON or class behind it.
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function onlyKeys(object, allowed) {
  for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
  return true;
}

// Writes rows into `buffer` (one slot per field, `count` defaulting to 1).
// Returns the number of rows, or -1 when a row is not a plain object of finite
// numbers with known fields only: the JSON path then reports the exact error.
function writeRows(rows, fields, buffer) {
  if (rows === undefined) return 0;
  if (!Array.isArray(rows) || rows.length * fields.length > buffer.length) return -1;
  const stride = fields.length;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!isPlainObject(row)) return -1;
    let present = 0;
    for (let f = 0; f < stride; f++) {
      let value = row[fields[f]];
      if (value === undefined) {
        if (fields[f] !== 'count') return -1;
        value = 1;
      } else {
        present++;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) return -1;
      buffer[i * stride + f] = value;
    }
    if (Object.keys(row).length !== present) return -1; // an unknown (or undefined-valued) field
  }
  return rows.length;
}

// The response object from the result record: each slot's name is its path
// ("work.prefill.flops", "features.3"). The plan is made once; each call then
// only creates the containers and fills them.
function responseBuilder(fieldNames) {
  const containers = [{ parent: -1, key: '', isArray: false }];
  const containerOf = new Map([['', 0]]);
  const slots = fieldNames.split(',').map((name, index) => {
    const path = name.split('.');
    let parent = 0;
    for (let depth = 1; depth < path.length; depth++) {
      const prefix = path.slice(0, depth).join('.');
      if (!containerOf.has(prefix)) {
        containerOf.set(prefix, containers.length);
        containers.push({ parent, key: path[depth - 1], isArray: /^\d+$/.test(path[depth]) });
      }
      parent = containerOf.get(prefix);
    }
    return { index, container: parent, key: path[path.length - 1], isBottleneck: path[0] === 'bottleneck' };
  });
  return (record) => {
    const nodes = new Array(containers.length);
    nodes[0] = {};
    for (let c = 1; c < containers.length; c++) {
      const { parent, key, isArray } = containers[c];
      nodes[c] = isArray ? [] : {};
      nodes[parent][key] = nodes[c];
    }
    for (const { index, container, key, isBottleneck } of slots) {
      nodes[container][key] = isBottleneck ? BOTTLENECKS[record[index]] : record[index];
    }
    return nodes[0];
  };
}

function copyNotes(notes) {
  return notes.map((note) => ({ code: note.code, message: note.message, affects: [...note.affects] }));
}

export default async function createStepCalc(options = {}) {
  const glue = await loadGlue(options);
  const resultFields = glue.resultFields();
  const resultSize = resultFields.split(',').length;
  const buildResponse = responseBuilder(resultFields);
  let presetText;
  let header = { text: null, parts: null };
  let views = null;
  let fastPathBusy = false;

  // Views into the heap are rebuilt after memory growth detaches the old buffer.
  function heapViews() {
    const buffer = glue.HEAPF64.buffer;
    if (views === null || views.buffer !== buffer) {
      views = {
        buffer,
        prefill: new Float64Array(buffer, glue.prefillRowsAddress(), 3 * glue.maxRows),
        decode: new Float64Array(buffer, glue.decodeRowsAddress(), 2 * glue.maxRows),
        result: new Float64Array(buffer, glue.resultAddress(), resultSize),
      };
    }
    return views;
  }

  function computeFromJson(request) {
    const outcome = glue.compute(requestText(request));
    if (!outcome.ok) fail(outcome);
    return JSON.parse(outcome.text);
  }

  // Plain request objects skip JSON: the header is parsed once per change and
  // the rows go to the core as numbers. Returns null when the request needs the
  // JSON path (an unusual shape, whose exact error that path reports).
  function computeFast(request) {
    if (!isPlainObject(request) || !onlyKeys(request, REQUEST_FIELDS)) return null;
    const step = request.step;
    if (!isPlainObject(step) || !onlyKeys(step, STEP_FIELDS)) return null;
    const buffers = heapViews();
    const prefillRows = writeRows(step.prefill, PREFILL_FIELDS, buffers.prefill);
    const decodeRows = writeRows(step.decode, DECODE_FIELDS, buffers.decode);
    if (prefillRows < 0 || decodeRows < 0) return null;

    const headerText = requestText({
      model: request.model, gpu: request.gpu, tp: request.tp, coefficients: request.coefficients,
    });
    if (headerText !== header.text) {
      header = { text: null, parts: null };
      const outcome = glue.prepare(headerText);
      // Invalid JSON (a lone surrogate, say) is located in the caller's whole request.
      if (!outcome.ok && outcome.where === 'request') return null;
      if (!outcome.ok) fail(outcome);
      header = { text: headerText, parts: JSON.parse(outcome.text) };
    }
    const outcome = glue.computeRows(prefillRows, decodeRows);
    if (!outcome.ok) fail(outcome);

    const response = buildResponse(heapViews().result);
    const parts = header.parts;
    response.beta = [...parts.beta];
    response.arch = { ...parts.arch };
    response.hardware = { ...parts.hardware };
    response.scenario = { ...parts.scenario };
    response.notes = copyNotes(prefillRows + decodeRows === 0 ? parts.empty_step_notes : parts.notes);
    return response;
  }

  return Object.freeze({
    compute(request) {
      // A getter or toJSON inside the request may call compute() again: the
      // inner call then takes the JSON path and leaves the shared buffers alone.
      if (fastPathBusy) return computeFromJson(request);
      fastPathBusy = true;
      try {
        return computeFast(request) ?? computeFromJson(request);
      } finally {
        fastPathBusy = false;
      }
    },

    presets() {
      presetText ??= glue.presets();
      return JSON.parse(presetText); // a fresh copy each call: callers may mutate it
    },

    sweep(request, variable, values) {
      if (typeof variable !== 'string') throw new StepCalcError('sweep.variable', `expected a string, got ${typeof variable}`);
      const isList = Array.isArray(values) || ArrayBuffer.isView(values);
      if (!isList) throw new StepCalcError('sweep.values', 'expected an array of numbers');
      if (values.length > MAX_SWEEP_POINTS) {
        throw new StepCalcError('sweep.values', `has ${values.length} values; at most ${MAX_SWEEP_POINTS} are allowed`);
      }
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== 'number') throw new StepCalcError(`sweep.values[${i}]`, `expected a number, got ${typeof values[i]}`);
      }
      const outcome = glue.sweep(requestText(request), variable, Array.from(values));
      if (!outcome.ok) fail(outcome);
      const series = {};
      for (const column of SWEEP_COLUMNS) series[column] = outcome[column];
      return series;
    },

    // Bytes of WebAssembly memory: for leak checks.
    memoryBytes() {
      return glue.HEAPU8.buffer.byteLength;
    },
  });
}
