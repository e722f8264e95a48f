// The page's worker: the heavy work of the Trace and Serving views, off the page's thread,
// so the calculator stays responsive. Each view starts its own (a view's Cancel ends its
// worker, and with it only its own work). It loads the worker's module
// (stepcalc_worker.mjs and .wasm: trace, fit and simulate), never the page's calculator.
// Messages in: {type: 'run', id, file, options} (read a trace file), {type: 'fit', id,
// lambda} (fit β to the last file read), {type: 'simulate', id, request} (one serving
// simulation). Messages out carry the message's id: 'progress', 'done' (summary, columns
// and stepIdCells, the typed arrays' buffers transferred), 'fitted', 'simulated' (summary
// and, when asked for, the step records as typed columns, transferred), 'failed'.
/** @typedef {import('./wasm/stepcalc_worker.mjs').StepCalcWorker} StepCalcWorker */
/** @typedef {import('./wasm/stepcalc_worker.mjs').TraceResult} TraceResult */
/** @typedef {import('./wasm/stepcalc_worker.mjs').TraceOptions} TraceOptions */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationResponse} SimulationResponse */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationTerm} SimulationTerm */
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

// The step records as typed columns: numbers as Float64Array, each step's dominant term
// as its index in `terms` (a million steps would otherwise cross as a million strings).
/** @param {NonNullable<SimulationResponse['step_records']>} records */
function stepColumns({ dominant, ...numbers }) {
  /** @type {SimulationTerm[]} */
  const terms = [];
  const dominantIndex = Uint8Array.from(dominant, (term) => {
    const at = terms.indexOf(term);
    return at >= 0 ? at : terms.push(term) - 1;
  });
  const columns = Object.fromEntries(Object.entries(numbers).map(([name, column]) => [name, Float64Array.from(column)]));
  return { ...columns, dominant: dominantIndex, terms };
}

// The page needs the summary and the charts' columns; the per-request rows (a 10,000-request
// run's bulk) stay here.
/** @param {{ id: number, request: SimulationRequest }} message */
async function simulate({ id, request }) {
  try {
    const response = (await loadCalc()).simulate(request);
    const steps = response.step_records ? stepColumns(response.step_records) : null;
    const buffers = steps ? Object.values(steps).flatMap((column) => (ArrayBuffer.isView(column) ? [column.buffer] : [])) : [];
    postMessage({ type: 'simulated', id, summary: response.summary, steps }, { transfer: buffers });
  } catch (error) {
    postMessage(failure(id, error));
  }
}

addEventListener('message', ({ data }) => {
  if (data.type === 'run') run(data);
  else if (data.type === 'fit') fit(data);
  else if (data.type === 'simulate') simulate(data);
});
