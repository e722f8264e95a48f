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

// Requests may be objects or JSON text; objects are serialised once here.
function requestText(request) {
  return typeof request === 'string' ? request : JSON.stringify(request);
}

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

export default async function createStepCalc(options = {}) {
  const glue = await loadGlue(options);
  let presetCache;

  return Object.freeze({
    compute(request) {
      const outcome = glue.compute(requestText(request));
      if (!outcome.ok) throw new StepCalcError(outcome.text);
      return JSON.parse(outcome.text);
    },

    presets() {
      presetCache ??= glue.presets();
      return JSON.parse(presetCache); // a fresh copy each call: callers may mutate it
    },

    sweep(request, variable, values) {
      const outcome = glue.sweep(requestText(request), String(variable), Array.from(values));
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
