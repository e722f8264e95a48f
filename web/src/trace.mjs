// The Trace view: a file read by calc.trace in a worker (trace-worker.mjs), with progress
// and Cancel; then the summary, three charts, "Fit β", "Use these β" and "Download CSV".
// It reads the calculator's state for its options and changes it only by dispatching.
// Columns stay typed arrays: nothing here makes one object per step.
import uPlot from 'uplot';
import { css, plotOptions, compactNumber, widthOf, followSchemeAndSize } from './plot.mjs';
import { summaryLines, skippedLines, fitLines, progressText, plainDecimal, readWithText, usesCalculator, traceErrorText, STACK_LABELS } from './trace-text.mjs';
import { readBounded } from './fields.mjs';
import { customItem } from './state.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').TraceColumns} TraceColumns */
/** @typedef {import('./wasm/stepcalc.mjs').StepIdCells} StepIdCells */
/** @typedef {import('./wasm/stepcalc.mjs').TraceSummary} TraceSummary */
/** @typedef {import('./wasm/stepcalc.mjs').TraceOptions} TraceOptions */
/** @typedef {import('./wasm/stepcalc.mjs').FitReport} FitReport */
/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The CLI's CSV columns (`stepcalc trace --format csv`), in order.
/** @type {(keyof TraceColumns)[]} */
const CSV_COLUMNS = ['step_id', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv', 't_weight', 't_tp', 'num_layers',
  'batch_size', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'step_time_us', 'duration_us', 'error_pct'];
const HISTOGRAM_BINS = 40;

const csvNumber = (/** @type {number} */ x) => (Number.isNaN(x) ? '' : String(x));

// The per-step table as CSV text pieces (one per 4,096 rows), for a Blob. An id that is
// not a plain integer (text, say) comes as the core wrote its cell.
/** @param {TraceColumns} columns @param {StepIdCells} stepIdCells */
function csvParts(columns, stepIdCells) {
  const cols = CSV_COLUMNS.map((name) => columns[name]);
  const idCells = new Map(Array.from(stepIdCells.rows, (row, k) => [row, stepIdCells.cells[k]]));
  const n = columns.step_time_us.length;
  const parts = [`${CSV_COLUMNS.join(',')}\n`];
  for (let start = 0; start < n; start += 4096) {
    let text = '';
    for (let i = start; i < Math.min(n, start + 4096); i++) {
      text += idCells.get(i) ?? csvNumber(cols[0][i]);
      for (let k = 1; k < cols.length; k++) text += `,${csvNumber(cols[k][i])}`;
      text += '\n';
    }
    parts.push(text);
  }
  return parts;
}

// x axes here are linear: step numbers or µs. The legends name the series only: values
// under the cursor would read "--" until one hovers, and a step's numbers are in the CSV.
/** @param {HTMLElement} el @param {string} xLabel @param {string} yLabel */
function linearOptions(el, xLabel, yLabel) {
  const options = plotOptions(el, xLabel, yLabel);
  const [x, ...rest] = options.axes ?? [];
  return { ...options, legend: { ...options.legend, live: false },
    axes: [{ ...x, values: (/** @type {uPlot} */ u, /** @type {number[]} */ splits) => splits.map(compactNumber) }, ...rest] };
}

// Step time over the run, stacked by term: each series is the running sum c1..ck, filled
// to the axis and drawn from the top down, so each band shows one term.
/** @param {HTMLElement} el @param {TraceColumns} columns */
function stackChart(el, columns) {
  const n = columns.step_time_us.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = i + 1;
  const sums = [];
  let running = new Float64Array(n);
  for (let k = 1; k <= 7; k++) {
    const next = new Float64Array(n), c = columns[/** @type {keyof TraceColumns} */ (`c${k}`)];
    for (let i = 0; i < n; i++) next[i] = running[i] + c[i];
    sums.push(next);
    running = next;
  }
  const colour = (/** @type {number} */ k) => css(`--c${k}`);
  const series = sums.map((_, k) => ({ label: STACK_LABELS[k], stroke: colour(k), fill: colour(k), width: 1, points: { show: false } })).reverse();
  return new uPlot({
    ...linearOptions(el, 'step, in file order', 'µs'),
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    series: [{ label: 'step' }, ...series],
  }, [x, ...sums.slice().reverse()], el);
}

/** @param {HTMLElement} el @param {Float64Array} times */
function histogramChart(el, times) {
  let min = Infinity, max = -Infinity;
  for (const t of times) { if (t < min) min = t; if (t > max) max = t; }
  const width = max > min ? (max - min) / HISTOGRAM_BINS : 1;
  const edges = new Float64Array(HISTOGRAM_BINS), counts = new Float64Array(HISTOGRAM_BINS);
  for (let b = 0; b < HISTOGRAM_BINS; b++) edges[b] = min + b * width;
  for (const t of times) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((t - min) / width))]++;
  return new uPlot({
    ...linearOptions(el, 'predicted step time, µs (bin start)', 'steps'),
    scales: { x: { time: false, range: () => [min, min + HISTOGRAM_BINS * width] }, y: { range: (u, lo, hi) => [0, hi * 1.05 || 1] } },
    series: [{ label: 'µs' }, { label: 'steps', stroke: css('--c1'), fill: css('--c1'), paths: uPlot.paths.bars?.({ align: 1, size: [1, Infinity] }), points: { show: false } }],
  }, [edges, counts], el);
}

// Predicted against measured, the timed steps sorted by measured time; the line y = x.
/** @param {HTMLElement} el @param {TraceColumns} columns */
function scatterChart(el, columns) {
  const measured = columns.duration_us, predicted = columns.step_time_us;
  const timed = [];
  for (let i = 0; i < measured.length; i++) if (measured[i] > 0) timed.push(i);
  const order = Uint32Array.from(timed).sort((a, b) => measured[a] - measured[b]);
  const x = new Float64Array(order.length), y = new Float64Array(order.length);
  order.forEach((i, j) => { x[j] = measured[i]; y[j] = predicted[i]; });
  return new uPlot({
    ...linearOptions(el, 'measured, µs', 'predicted, µs'),
    scales: { x: { time: false } },
    series: [{ label: 'measured' },
      { label: 'predicted', stroke: css('--c0'), paths: () => null, points: { show: true, size: 3, fill: css('--c0') } },
      { label: 'predicted = measured', stroke: css('--fg'), width: 1, points: { show: false } }],
  }, [x, y, x], el);
}

// dispatch: the page's one way to change the state. scenarioRequest(): the calculator's
// request and field errors ({ request, errors }), for the model, GPU, TP and coefficients.
/**
 * fieldNames(errors): the fields in error as the page names them elsewhere.
 * @param {{ dispatch: import('./state.mjs').Dispatch, scenarioRequest: () => { request: PageRequest, errors: FieldError[] },
 *   fieldNames: (errors: FieldError[]) => string }} deps
 */
export function createTrace({ dispatch, scenarioRequest, fieldNames }) {
  // Cancel ends the worker and starts another: a worker reading a file that streams in
  // quickly may not turn to a 'cancel' message for seconds, and by then may have read it
  // all. The next file pays the module's load again (its compiled code is cached).
  /** @type {Worker} */
  let worker;
  let busy = false; // a file is being read
  function startWorker() {
    worker = new Worker(new URL('./trace-worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (e) => {
      busy = false;
      running.hidden = true;
      showError(`The trace worker could not run (${e.message ?? 'no message'}).`);
    });
  }
  function stopReading() {
    if (!busy) return;
    worker.terminate();
    busy = false;
    startWorker();
  }
  const input = /** @type {HTMLInputElement} */ ($('trace-file')), drop = $('trace-drop');
  const tpSelect = /** @type {HTMLSelectElement} */ ($('trace-tp')), skipBad = /** @type {HTMLInputElement} */ ($('trace-skip-bad'));
  const running = $('trace-running'), progress = /** @type {HTMLProgressElement} */ ($('trace-progress')), progressLine = $('trace-progress-text');
  const errorLine = $('trace-error'), out = $('trace-out'), summaryEl = $('trace-summary'), fitEl = $('trace-fit');
  let runId = 0;
  // What the shown result was read with (the calculator's settings, for its sentences), and
  // its options as text, which the calculator's current options are compared with.
  // Before the calculator's first render (never, in practice) nothing is known of them.
  /** @type {import('./trace-text.mjs').ReadSettings} */
  const UNKNOWN = { model: 'unknown', gpu: 'unknown', coefficients: 'unknown', tp: null };
  /** @type {import('./trace-text.mjs').ReadSettings | null} */
  let readWith = null;
  let readOptions = '';
  /** @type {TraceSummary | null} */
  let shownSummary = null;
  /** @type {State | null} */
  let lastState = null;
  const stale = Object.assign(document.createElement('p'), { id: 'trace-stale', className: 'notice', hidden: true });
  const readWithLine = Object.assign(document.createElement('p'), { id: 'trace-read-with' });
  out.prepend(stale, readWithLine);

  // The options a file would be read with now, from the calculator's state, and the
  // calculator's field errors that stop a read (the batch's do not).
  function traceOptions() {
    const { request, errors } = scenarioRequest();
    const useCalculatorTp = tpSelect.value === 'calculator';
    // The batch and the memory utilization are not read; TP only when the calculator's is.
    const blocking = errors.filter((e) => (e.where !== 'tp' || useCalculatorTp) && !e.where.startsWith('step.') && e.where !== 'gpu_memory_utilization');
    /** @type {TraceOptions} */
    const options = { model: request.model, gpu: request.gpu, coefficients: request.coefficients, skipBad: skipBad.checked };
    if (useCalculatorTp) options.tp = request.tp;
    return { options, blocking, useCalculatorTp };
  }
  // A file of whole requests only is read with none of the calculator's settings: only
  // "Skip bad steps" changes its figures.
  const optionsKey = (/** @type {TraceOptions} */ options, calculatorUsed = true) =>
    JSON.stringify(calculatorUsed ? options : { skipBad: options.skipBad });
  const coefficientsName = (/** @type {State} */ state) => (state.coef === 'custom' ? 'custom β' : state.coef);
  // A custom model or GPU by the name the user gave it, as the Compare table names it.
  const modelName = (/** @type {State} */ state) => customItem(state.custom.models, state.model)?.name ?? state.model;
  const gpuName = (/** @type {State} */ state) => customItem(state.custom.gpus, state.gpu)?.name ?? state.gpu;

  // A result read with other options than the calculator's now says so above its figures.
  function checkStale() {
    if (out.hidden || !shownSummary) return;
    const { options, blocking } = traceOptions();
    const calculatorUsed = usesCalculator(shownSummary);
    const changed = (calculatorUsed && blocking.length > 0) || optionsKey(options, calculatorUsed) !== readOptions;
    stale.hidden = !changed;
    if (!changed) return;
    const what = readWithText(shownSummary, readWith ?? UNKNOWN).replace(/\.$/, '');
    stale.textContent = `${what}. ${calculatorUsed ? 'The calculator or the options above have' : '“Skip bad steps” has'} changed since: choose the file again to read it with the new ${calculatorUsed ? 'ones' : 'setting'}.`;
  }
  tpSelect.addEventListener('change', checkStale);
  skipBad.addEventListener('change', checkStale);
  /** @type {TraceColumns | null} */
  let columns = null;
  /** @type {StepIdCells} */
  let stepIdCells = { rows: new Float64Array(0), cells: [] };
  /** @type {uPlot[]} */
  let charts = [];
  /** @type {FitReport | null} */
  let fitted = null;

  const showError = (/** @type {string} */ text) => { errorLine.textContent = text; errorLine.hidden = !text; };
  const clearCharts = () => { for (const chart of charts) chart.destroy(); charts = []; };

  let fileName = '';
  /** @param {File | undefined} file */
  function start(file) {
    if (!file) return;
    fileName = file.name;
    runId++;
    columns = null;
    fitted = null;
    clearCharts();
    out.hidden = true;
    Object.assign(summaryEl.dataset, { steps: '', skipped: '', totalUs: '' });
    fitEl.hidden = true;
    fitEl.dataset.beta = '';
    showError('');
    stopReading(); // nothing of an earlier run stays
    if (file.size === 0) {
      showError(`“${file.name}” is empty (0 bytes): there is no trace to read.`);
      return;
    }
    const { options, blocking } = traceOptions();
    if (blocking.length) {
      showError(`The calculator's ${fieldNames(blocking)} ${blocking.length === 1 ? 'is' : 'are'} not valid: fix ${blocking.length === 1 ? 'it' : 'them'} above to read a trace.`);
      return;
    }
    readWith = lastState === null ? null
      : { model: modelName(lastState), gpu: gpuName(lastState), coefficients: coefficientsName(lastState), tp: options.tp ?? null };
    progress.value = 0;
    progress.max = file.size;
    progressLine.textContent = progressText({ bytes: 0, total: file.size, steps: 0 });
    running.hidden = false;
    performance.mark('stepcalc:trace-start');
    readOptions = JSON.stringify(options);
    busy = true;
    worker.postMessage({ type: 'run', id: runId, file, options });
  }

  /** @param {{ summary: TraceSummary, columns: TraceColumns, stepIdCells: StepIdCells }} result */
  function showResult({ summary, columns: cols, stepIdCells: cells }) {
    columns = cols;
    stepIdCells = cells;
    shownSummary = summary;
    if (!usesCalculator(summary)) readOptions = optionsKey(JSON.parse(readOptions), false);
    out.hidden = false;
    checkStale();
    Object.assign(summaryEl.dataset, { steps: String(summary.steps), skipped: String(summary.skipped), totalUs: String(summary.total_predicted_us) });
    readWithLine.textContent = readWith ? readWithText(summary, readWith) : '';
    summaryEl.replaceChildren(...summaryLines(summary, readWith ?? UNKNOWN).map((line) => Object.assign(document.createElement('p'), { textContent: line })));
    $('trace-skipped').replaceChildren(...skippedLines(summary).map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    const any = summary.steps > 0;
    for (const id of ['trace-stack', 'trace-hist']) /** @type {HTMLElement} */ ($(id).parentElement).hidden = !any;
    $('trace-measured-fig').hidden = !(summary.timed_steps > 0);
    $('trace-fit-button').hidden = !(summary.timed_steps > 0);
    $('trace-csv').hidden = !any;
    // The summary is on screen before the charts are drawn.
    performance.mark('stepcalc:trace-summary');
    dispatchEvent(new CustomEvent('stepcalc:trace-summary'));
    if (!any) return;
    requestAnimationFrame(() => {
      if (columns === cols) drawCharts();
    });
  }

  // uPlot bakes colours in, so a change of colour scheme draws the charts again.
  function drawCharts() {
    clearCharts();
    if (!columns || columns.step_time_us.length === 0) return;
    charts.push(stackChart($('trace-stack'), columns), histogramChart($('trace-hist'), columns.step_time_us));
    if (!$('trace-measured-fig').hidden) charts.push(scatterChart($('trace-scatter'), columns));
  }

  /** @param {FitReport} report */
  function showFit(report) {
    fitted = report;
    fitEl.dataset.beta = JSON.stringify(report.beta);
    const use = Object.assign(document.createElement('button'), { type: 'button', id: 'trace-use-beta', textContent: 'Use these β' });
    use.addEventListener('click', () => fitted && dispatch({ type: 'use-beta', beta: fitted.beta.map(plainDecimal) }));
    fitEl.replaceChildren(...fitLines(report, /** @type {TraceSummary} */ (shownSummary), readWith ?? UNKNOWN).map((line) => Object.assign(document.createElement('p'), { textContent: line })), use);
    fitEl.hidden = false;
  }

  /** @param {MessageEvent} event */
  function onMessage({ data }) {
    if (data.id !== runId) return; // a replaced run
    if (data.type === 'progress') {
      progress.value = data.bytes;
      progressLine.textContent = progressText(data);
    } else if (data.type === 'done') {
      busy = false;
      running.hidden = true;
      showResult(data);
    } else if (data.type === 'fitted') {
      showFit(data.report);
    } else if (data.type === 'failed') {
      busy = false;
      running.hidden = true;
      showError(data.input ? traceErrorText(data.message, data.where, fileName)
          : `The trace stopped with an unexpected error (a bug in stepcalc): ${data.message}`);
    }
  }
  startWorker();

  input.addEventListener('change', () => start(input.files?.[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    start(e.dataTransfer?.files[0]);
  });
  followSchemeAndSize($('trace-out'), drawCharts, () => {
    for (const chart of charts) {
      const width = widthOf(/** @type {HTMLElement} */ (chart.root.parentElement));
      if (width !== chart.width) chart.setSize({ width, height: chart.height });
    }
  });
  $('trace-cancel').addEventListener('click', () => {
    runId++;
    stopReading();
    running.hidden = true;
    showError('Cancelled: nothing of this file is kept; choose it again to read it.');
  });
  // λ: the module's bounds (0 to 1e30, as `stepcalc fit --lambda`), said in the page's words.
  const lambdaInput = /** @type {HTMLInputElement} */ ($('trace-lambda')), lambdaError = $('trace-lambda-error');
  $('trace-fit-button').addEventListener('click', () => {
    const lambda = readBounded(lambdaInput.value, 'scientific', 0, 1e30);
    lambdaError.hidden = lambda.value !== undefined;
    lambdaError.textContent = lambda.error ? `λ: ${lambda.error}` : '';
    if (lambda.error) lambdaInput.setAttribute('aria-invalid', 'true');
    else lambdaInput.removeAttribute('aria-invalid');
    if (lambda.value !== undefined) worker.postMessage({ type: 'fit', id: runId, lambda: lambda.value });
  });
  $('trace-csv').addEventListener('click', () => {
    if (!columns) return;
    const url = URL.createObjectURL(new Blob(csvParts(columns, stepIdCells), { type: 'text/csv' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: 'trace.csv' });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });

  return {
    // What the options will use, from the calculator's current state.
    /** @param {State} state */
    render(state) {
      lastState = state;
      checkStale();
      const line = `Model ${modelName(state)}, GPU ${gpuName(state)}, coefficients ${coefficientsName(state)}: the calculator's, for steps in the training format. Change them above.`;
      if ($('trace-scenario').textContent !== line) $('trace-scenario').textContent = line;
      const tpText = `the calculator's TP (${state.tp})`;
      if (tpSelect.options[1].textContent !== tpText) tpSelect.options[1].textContent = tpText;
    },
  };
}
