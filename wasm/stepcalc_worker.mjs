// The worker's module: the heavy APIs that run off the page's thread, in a second
// WebAssembly module built from the same core (stepcalc_worker.wasm, worker_bindings.cpp),
// so the page's first load carries none of their code.
//
//   const worker = await (await import('./stepcalc_worker.mjs')).default();
//   await worker.trace(source, options, { onProgress, signal }) -> { columns, summary, fit(λ), release() }
//   await worker.fit(source, options)  -> the report of `stepcalc fit`
//   worker.simulate(request)  -> the serving simulation, the same as `stepcalc simulate` prints
//   worker.grid(request)      -> one batch on many GPUs and TPs, the same as `stepcalc grid` prints
//
// The page's Trace and Serving views import this module in their worker (web/src/worker.mjs);
// calc.trace and calc.fit of the calculator's facade (stepcalc.mjs) load it on first use.
// A new worker-only API goes beside trace: its binding in worker_bindings.cpp, its
// function here, its declaration in stepcalc_worker.d.mts.

import createStepCalcWorkerGlue from './stepcalc_worker_glue.mjs';
import { StepCalcError, UnsupportedEngineError } from './errors.mjs';
import { loadGlue, heapFunctions } from './load_glue.mjs';
import { requestText } from './request_json.mjs';
import { parsedOutcome } from './json_path.mjs';
import { traceChunks } from './trace_chunks.mjs';

export { StepCalcError, UnsupportedEngineError };

const WASM_URL = new URL('./stepcalc_worker.wasm', import.meta.url);

/** @param {import('./load_glue.mjs').LoadOptions} [options] */
export default async function createStepCalcWorker(options = {}) {
  const glue = await loadGlue(createStepCalcWorkerGlue, WASM_URL, options);
  const { malloc, free } = heapFunctions(glue);

  const encoder = new TextEncoder();

  // A trace run in the core, fed chunk by chunk; the result keeps it (for fit) until
  // release().
  /** @param {unknown} source @param {import('./stepcalc_worker.mjs').TraceOptions} options
   * @param {import('./stepcalc_worker.mjs').TraceHooks} hooks */
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
    const columns = /** @type {import('./stepcalc_worker.mjs').TraceColumns} */ (/** @type {unknown} */ (session.columns()));
    const stepIdCells = /** @type {import('./stepcalc_worker.mjs').StepIdCells} */ (/** @type {unknown} */ (session.stepIdCells()));
    const summary = JSON.parse(session.summaryJson());
    let released = false;
    return {
      columns, stepIdCells, summary,
      /** @param {number} [lambda] */
      fit(lambda = 0) {
        if (released) throw new Error('stepcalc: this trace result was released');
        return parsedOutcome(session.fit(lambda));
      },
      release() {
        if (!released) session.delete();
        released = true;
      },
    };
  }

  // Checked by `npm run typecheck` against the declared interface (stepcalc_worker.d.mts).
  /** @type {import('./stepcalc_worker.mjs').StepCalcWorker} */
  const worker = {
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

    simulate(request) {
      return parsedOutcome(glue.simulateJson(requestText(request)));
    },

    grid(request) {
      return parsedOutcome(glue.gridJson(requestText(request)));
    },

    // For leak checks: bytes malloc has handed out, and the size of WebAssembly memory.
    heapBytesInUse() {
      return glue.heapBytesInUse();
    },
    memoryBytes() {
      return glue.HEAPU8.buffer.byteLength;
    },
  };
  return Object.freeze(worker);
}
