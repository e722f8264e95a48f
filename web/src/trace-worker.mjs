// The Trace view's worker: reads a trace file with calc.trace off the page's thread, so
// the calculator stays responsive, and keeps the last result (for "Fit β") until the next
// file. Messages in: {type: 'run', id, file, options}, {type: 'fit', id, lambda}; the page
// cancels a run by ending the worker. Messages out carry the run's id: 'progress', 'done' (summary, columns
// and stepIdCells, the typed arrays' buffers transferred), 'fitted', 'failed'.
// It loads the worker's module (stepcalc_worker.mjs and .wasm: trace and fit), never the
// page's calculator.
/** @typedef {import('./wasm/stepcalc_worker.mjs').StepCalcWorker} StepCalcWorker */
/** @typedef {import('./wasm/stepcalc_worker.mjs').TraceResult} TraceResult */
/** @typedef {import('./wasm/stepcalc_worker.mjs').TraceOptions} TraceOptions */
/** @type {Promise<StepCalcWorker> | null} */
let calcPromise = null;
/** @type {typeof import('./wasm/stepcalc_worker.mjs').StepCalcError | null} */
let InputError = null;
/** @type {TraceResult | null} */
let result = null; // the last run's result, kept in the module for fit()

function loadCalc() {
  calcPromise ??= import('./wasm/stepcalc_worker.mjs').then(async (mod) => {
    InputError = mod.StepCalcError;
    return mod.default();
  });
  return calcPromise;
}

// Progress at most every 50 ms: a message per 64 KB chunk would flood the page.
const PROGRESS_MS = 50;

/** @param {number} id @param {any} error */
function failure(id, error) {
  const input = InputError !== null && error instanceof InputError;
  return { type: 'failed', id, input, where: input ? error.where : null, message: input ? error.message : String(error?.stack ?? error?.message ?? error) };
}

/** @param {{ id: number, file: File, options: TraceOptions }} message */
async function run({ id, file, options }) {
  result?.release(); // the previous file's memory goes before the next one is read
  result = null;
  try {
    const calc = await loadCalc();
    let last = 0;
    /** @param {{ bytes: number, steps: number, skipped: number }} progress */
    const onProgress = ({ bytes, steps, skipped }) => {
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      postMessage({ type: 'progress', id, bytes, total: file.size, steps, skipped });
    };
    const run = await calc.trace(file.stream(), options, { onProgress });
    result = run;
    // The page gets copies of the columns; the worker keeps the run for fit().
    const columns = Object.fromEntries(Object.entries(run.columns).map(([name, column]) => [name, column.slice()]));
    const stepIdCells = { rows: run.stepIdCells.rows.slice(), cells: run.stepIdCells.cells };
    postMessage({ type: 'done', id, summary: run.summary, columns, stepIdCells, bytes: file.size },
      { transfer: [...Object.values(columns), stepIdCells.rows].map((column) => column.buffer) });
  } catch (error) {
    postMessage(failure(id, error));
  }
}

/** @param {{ id: number, lambda: number }} message */
function fit({ id, lambda }) {
  try {
    if (!result) throw new Error('no trace has been read');
    postMessage({ type: 'fitted', id, report: result.fit(lambda) });
  } catch (error) {
    postMessage(failure(id, error));
  }
}

addEventListener('message', ({ data }) => {
  if (data.type === 'run') run(data);
  else if (data.type === 'fit') fit(data);
});
