// The page's worker: the heavy work of the Trace and Serving views, off the page's thread,
// so the calculator stays responsive. Each view starts its own (a view's Cancel ends its
// worker, and with it only its own work). It loads the worker's module
// (stepcalc_worker.mjs and .wasm: trace, fit and simulate), never the page's calculator.
// Messages in: {type: 'prepare', options} (load the module and warm it up before a file
// is chosen), {type: 'run', id, file, options} (read a trace file), {type: 'fit', id,
// lambda} (fit β to the last file read), {type: 'simulate', id, request} (one serving
// simulation). Messages out: 'prepared' (warm: the made-up trace was read), then, with the
// message's id, 'progress', 'done' (summary, columns and stepIdCells, the typed arrays'
// buffers transferred), 'fitted', 'simulated' (summary and, when asked for, the step
// records as typed columns, transferred), 'failed'.
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

// A made-up experiment of 2,000 steps (5.3 MB, the shape of the training pipeline's files)
// that the worker reads before the first file: the engine compiles the hot loops' optimized
// code while the user picks a file, instead of reading the file on its baseline code. In a
// fresh page, with the view in view a second before the file is chosen, a 70 MB file's
// first read took 0.31 s with 400 steps of warm-up and 0.25 s with these (the next read of
// it 0.19 s; 0.72-0.84 s for a file chosen before any of this). Its result is released at
// once.
const WARM_UP_STEPS = 2000;
function warmUpTrace() {
  let seed = 1;
  // A linear congruential generator's high 16 bits (its low bits repeat with short periods).
  const next = (/** @type {number} */ limit) => 1 + (((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % limit);
  const steps = [];
  for (let step = 0; step < WARM_UP_STEPS; step++) {
    const prefill = Array.from({ length: next(3) - 1 }, (_, i) => {
      const tokens = next(2048);
      return `{"request_id":"req-${step}-${i}","tokens_this_step":${tokens},"prompt_tokens":${tokens + next(8192)}}`;
    });
    const decode = Array.from({ length: next(96) }, (_, i) => `{"request_id":"req-${step}-d${i}","context_length":${next(16384)}}`);
    steps.push(`{"step_id":${step},"prefill_reqs":[${prefill}],"decode_reqs":[${decode}],"duration_us":${next(50000)}}`);
  }
  return `{"experiment":"warm-up","tensor_parallelism":1,"steps":[\n${steps.join(',\n')}\n]}`;
}

/** @type {Promise<void> | null} */
let preparing = null;
/** @param {{ options: TraceOptions | null }} message options: the calculator's, or null when they are not valid */
function prepare({ options }) {
  preparing ??= (async () => {
    let warm = false;
    try {
      const calc = await loadCalc();
      if (options) {
        const run = await calc.trace(new Blob([warmUpTrace()]), options);
        warm = run.summary.steps === WARM_UP_STEPS;
        run.release();
      }
    } catch {
      // A warm-up that fails changes nothing: the file's own read reports its errors.
    }
    postMessage({ type: 'prepared', warm });
  })();
}

// Progress at most every 50 ms: a message per chunk would flood the page.
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
    await preparing; // one trace at a time in the module
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
  if (data.type === 'prepare') prepare(data);
  else if (data.type === 'run') run(data);
  else if (data.type === 'fit') fit(data);
  else if (data.type === 'simulate') simulate(data);
});
