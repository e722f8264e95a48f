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
  constructor(line) {
    super(line);
    this.name = 'StepCalcError';
    // "error: <where>: <what>"
    const detail = line.replace(/^error: /, '');
    const split = detail.indexOf(': ');
    this.where = split < 0 ? '' : detail.slice(0, split);
    this.what = split < 0 ? detail : detail.slice(split + 2);
  }
}

const SWEEP_COLUMNS = ['values', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv',
  't_weight', 't_tp', 'batch_size', 'step_time_us'];
const BOTTLENECKS = ['none', 'compute', 'memory'];
const REQUEST_FIELDS = new Set(['model', 'gpu', 'tp', 'coefficients', 'step']);
const STEP_FIELDS = new Set(['prefill', 'decode']);

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

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(object, allowed) {
  for (const key in object) if (!allowed.has(key)) return false;
  return true;
}

// Writes rows as numbers into `buffer` at `stride` per row; false when a row is
// not a plain object of finite numbers with exactly the known fields (the JSON
// path then reports the exact error).
function writeRows(rows, fields, buffer) {
  if (rows === undefined) return 0;
  if (!Array.isArray(rows) || rows.length * fields.length > buffer.length) return -1;
  const stride = fields.length;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!isPlainObject(row)) return -1;
    let known = 0;
    for (let f = 0; f < stride; f++) {
      const name = fields[f];
      let value = row[name];
      if (value === undefined) {
        if (name !== 'count') return -1;
        value = 1;
      } else {
        known++;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) return -1;
      buffer[i * stride + f] = value;
    }
    for (const key in row) if (row[key] !== undefined) known--;
    if (known !== 0) return -1; // an unknown field
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
  const maxRows = glue.maxRows;
  const buildResponse = responseBuilder(glue.resultFields());
  let presetText;
  let header = { text: null, parts: null };
  let views = null;

  // Views into the heap are rebuilt after memory growth detaches the old buffer.
  function heapViews() {
    const buffer = glue.HEAPF64.buffer;
    if (views === null || views.buffer !== buffer) {
      views = {
        buffer,
        prefill: new Float64Array(buffer, glue.prefillRowsAddress(), 3 * maxRows),
        decode: new Float64Array(buffer, glue.decodeRowsAddress(), 2 * maxRows),
        result: new Float64Array(buffer, glue.resultAddress(), glue.resultFields().split(',').length),
      };
    }
    return views;
  }

  function computeFromJson(request) {
    const text = typeof request === 'string' ? request : JSON.stringify(request);
    const outcome = glue.compute(text);
    if (!outcome.ok) throw new StepCalcError(outcome.text);
    return JSON.parse(outcome.text);
  }

  // Plain request objects skip JSON: the header is parsed once per change and
  // the rows go to the core as numbers.
  function computeFast(request) {
    if (!isPlainObject(request) || !onlyKeys(request, REQUEST_FIELDS)) return null;
    const step = request.step;
    if (!isPlainObject(step) || !onlyKeys(step, STEP_FIELDS)) return null;
    const { prefill: prefillBuffer, decode: decodeBuffer } = heapViews();
    const prefillRows = writeRows(step.prefill, ['tokens_this_step', 'prompt_tokens', 'count'], prefillBuffer);
    const decodeRows = writeRows(step.decode, ['context_length', 'count'], decodeBuffer);
    if (prefillRows < 0 || decodeRows < 0) return null;

    const headerText = JSON.stringify({
      model: request.model, gpu: request.gpu, tp: request.tp, coefficients: request.coefficients,
    });
    if (headerText !== header.text) {
      header = { text: null, parts: null };
      const outcome = glue.prepare(headerText);
      if (!outcome.ok) throw new StepCalcError(outcome.text);
      header = { text: headerText, parts: JSON.parse(outcome.text) };
    }
    if (!glue.computeRows(prefillRows, decodeRows)) throw new StepCalcError(glue.lastError());

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
      return computeFast(request) ?? computeFromJson(request);
    },

    presets() {
      presetText ??= glue.presets();
      return JSON.parse(presetText); // a fresh copy each call: callers may mutate it
    },

    sweep(request, variable, values) {
      const text = typeof request === 'string' ? request : JSON.stringify(request);
      const outcome = glue.sweep(text, String(variable), Array.from(values));
      if (!outcome.ok) throw new StepCalcError(outcome.error);
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
