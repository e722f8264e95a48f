// The JavaScript face of the stepcalc core, for browsers and Node 20.
//
//   const calc = await (await import('./stepcalc.mjs')).default();
//   calc.compute(request)   -> the response object, the same as `stepcalc compute` prints
//   calc.sweep(request, variable, values) -> Float64Array columns
//   calc.scenario(header)   -> a Scenario for many batches of one model, GPU, TP and β:
//       scenario.compute(step), scenario.computePacked(prefill, decode),
//       scenario.sweep(step, variable, values), scenario.delete()
//   await calc.gridScenario(header) -> one model on many GPUs and TPs for many batches:
//       grid.compute(step) (the figures of calc.grid's cells), grid.delete()
//   calc.presets(), calc.limits, calc.checkModel(config), calc.checkGpu(datasheet)
//   await calc.trace(source, options, { onProgress, signal }) -> { columns, summary, fit(λ), release() }
//   await calc.fit(source, options)  -> the report of `stepcalc fit`
//   await calc.simulate(request)  -> the serving simulation, the same as `stepcalc simulate` prints
//   await calc.grid(request)  -> one batch on many GPUs and TPs, the same as `stepcalc grid` prints
//
// Results are plain JS values. Bad input throws a StepCalcError whose message is the
// CLI's error line. Every call takes a quick way when it can (batches as numbers in the
// wasm heap, a generated builder for the response) and the core's full JSON path when it
// cannot be sure, and for every error, so answers and messages are always the CLI's.
//
// This file puts the parts together; each does one job:
//   load_glue.mjs     loading a module (either of the two) after checking the engine
//   heap_pool.mjs     heap memory for each call's rows
//   row_packing.mjs   a step's rows packed as numbers into it
//   request_json.mjs  requests as JSON text, and when a value may take the quick way
//   json_path.mjs     the core's full JSON path
//   sessions.mjs      open headers in the core, and calc.compute's quick way
//   scenario.mjs      calc.scenario
//   grid_scenario.mjs calc.gridScenario (loaded on its first call)
//   stepcalc_worker.mjs  trace, fit, simulate and grid: a second module, loaded on their first call
//                        (the page runs them in a worker and never loads them here)

import createStepCalcGlue from './stepcalc_glue.mjs';
import { FIELD_LIST, RECORD_SIZE } from './response_builder.mjs';
import { StepCalcError, UnsupportedEngineError } from './errors.mjs';
import { loadGlue, heapFunctions } from './load_glue.mjs';
import { requestText, keysInText, keysInValue } from './request_json.mjs';
import { createJsonPath, checkSweepArguments, parsedOutcome } from './json_path.mjs';
import { createHeapPool } from './heap_pool.mjs';
import { createRowPacker } from './row_packing.mjs';
import { createSessions } from './sessions.mjs';
import { createScenarioClass } from './scenario.mjs';

export { StepCalcError, UnsupportedEngineError };

const WASM_URL = new URL('./stepcalc.wasm', import.meta.url);

/** @param {import('./load_glue.mjs').LoadOptions} [options] */
export default async function createStepCalc(options = {}) {
  const glue = await loadGlue(createStepCalcGlue, WASM_URL, options);
  if (glue.responseFields() !== FIELD_LIST || glue.stepRecordSize() !== RECORD_SIZE) {
    throw new Error('stepcalc: response_builder.mjs and stepcalc.wasm come from different builds; rebuild the module');
  }
  const limits = Object.freeze(JSON.parse(glue.limits()));
  const maxRows = limits.max_rows;

  // The hot compute as the wasm function itself (see heapFunctions): a Scenario never
  // opened answers it with -1 and changes nothing.
  const probe = new glue.Scenario();
  glue._stepcalc_scenario_compute(probe.address(), 0, 0, 0, 0);
  probe.delete();
  const computeScenario = glue._stepcalc_scenario_compute;

  const heapCalls = heapFunctions(glue);
  const pool = createHeapPool(glue, heapCalls);
  const packer = createRowPacker(pool, maxRows);
  const jsonPath = createJsonPath(glue);
  const { computeJson, sweepJson } = jsonPath;
  const { Session, withQuickRequest, computeRows } = createSessions(glue, computeScenario, pool, packer);
  const Scenario = createScenarioClass(Session, packer, jsonPath, maxRows);
  // calc.gridScenario's class, loaded on its first call (the page's first load does without).
  /** @type {Promise<ReturnType<typeof import('./grid_scenario.mjs').createGridScenarioClass>> | null} */
  let GridScenario = null;

  // The worker's module, for calc.trace and calc.fit: loaded on their first call.
  /** @type {Promise<import('./stepcalc_worker.mjs').StepCalcWorker> | null} */
  let workerModule = null;
  /** @type {import('./stepcalc_worker.mjs').StepCalcWorker | null} */
  let loadedWorkerModule = null;
  const worker = () => (workerModule ??= import('./stepcalc_worker.mjs')
    .then((mod) => mod.default())
    .then((loaded) => (loadedWorkerModule = loaded)));

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

    presets() {
      return JSON.parse(glue.presets()); // a fresh copy each call: callers may mutate it
    },

    limits,

    async trace(source, options, hooks) {
      return (await worker()).trace(source, options, hooks);
    },

    async fit(source, options) {
      return (await worker()).fit(source, options);
    },

    async simulate(request) {
      return (await worker()).simulate(request);
    },

    async grid(request) {
      return (await worker()).grid(request);
    },

    async gridScenario(header) {
      GridScenario ??= import('./grid_scenario.mjs')
        .then(({ createGridScenarioClass }) => createGridScenarioClass(glue, Session, packer, pool, heapCalls));
      return new (await GridScenario)(header);
    },

    checkModel(config) {
      return parsedOutcome(glue.checkModel(requestText(config)));
    },

    checkGpu(datasheet) {
      return parsedOutcome(glue.checkGpu(requestText(datasheet)));
    },

    // For leak checks: bytes malloc has handed out (in both modules, once the worker's is
    // loaded), and the size of WebAssembly memory.
    heapBytesInUse() {
      return glue.heapBytesInUse() + (loadedWorkerModule?.heapBytesInUse() ?? 0);
    },
    memoryBytes() {
      return glue.HEAPU8.buffer.byteLength + (loadedWorkerModule?.memoryBytes() ?? 0);
    },
  };
  return Object.freeze(calc);
}
