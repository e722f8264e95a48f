// The Trace view's working part (trace.mjs loads it as the view nears the screen, or with
// the first file): the file read in a worker (trace-worker.mjs starts and ends it, worker.mjs
// runs in it), with progress and Cancel; then the summary, the charts (trace-charts.mjs),
// "Fit β", "Use these β" and "Download CSV" (trace-csv.mjs). It reads the calculator's
// state for its options and changes it only by dispatching. Columns stay typed arrays:
// nothing here makes one object per step.
import { summaryLines, skippedLines, fitLines, progressText, plainDecimal, readWithText, usesCalculator, traceErrorText } from './trace-text.mjs';
import { stackChart, histogramChart, scatterChart } from './trace-charts.mjs';
import { downloadCsv } from './trace-csv.mjs';
import { widthOf, followSchemeAndSize } from './plot.mjs';
import { readBounded } from './fields.mjs';
import { readSettingsNames } from './trace.mjs';
import { bytes } from './format.mjs';
import { createTraceWorker } from './trace-worker.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').TraceColumns} TraceColumns */
/** @typedef {import('./wasm/stepcalc.mjs').StepIdCells} StepIdCells */
/** @typedef {import('./wasm/stepcalc.mjs').TraceSummary} TraceSummary */
/** @typedef {import('./wasm/stepcalc.mjs').TraceOptions} TraceOptions */
/** @typedef {import('./wasm/stepcalc.mjs').FitReport} FitReport */
/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {import('uplot')} uPlot */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The view's charts of a read's columns. uPlot bakes colours in, so a change of colour
// scheme draws them again. One chart per task, each after the last one's frame: the stacked
// chart of 20,000 steps alone takes 0.2 s to draw here, and an edit made meanwhile is
// answered between charts. clear() (a new file) ends a drawing in progress.
function createChartSet() {
  /** @type {uPlot[]} */
  let charts = [];
  /** @type {TraceColumns | null} */
  let shown = null;
  let drawing = 0; // which drawing is current
  const destroy = () => {
    drawing++;
    for (const chart of charts) chart.destroy();
    charts = [];
  };
  function draw() {
    destroy();
    const cols = shown, generation = drawing;
    if (!cols || cols.step_time_us.length === 0) return;
    const makers = [() => stackChart($('trace-stack'), cols), () => histogramChart($('trace-hist'), cols.step_time_us)];
    if (!$('trace-measured-fig').hidden) makers.push(() => scatterChart($('trace-scatter'), cols));
    const next = () => {
      const make = makers.shift();
      if (generation !== drawing || !make) return;
      charts.push(make());
      requestAnimationFrame(() => setTimeout(next));
    };
    next();
  }
  followSchemeAndSize($('trace-out'), draw, () => {
    for (const chart of charts) {
      const width = widthOf(/** @type {HTMLElement} */ (chart.root.parentElement));
      if (width !== chart.width) chart.setSize({ width, height: chart.height });
    }
  });
  return {
    /** @param {TraceColumns} columns */
    show(columns) {
      shown = columns;
      draw();
    },
    clear() {
      shown = null;
      destroy();
    },
  };
}

// dispatch: the page's one way to change the state. scenarioRequest(): the calculator's
// request and field errors ({ request, errors }), for the model, GPU, TP and coefficients.
/**
 * fieldNames(errors): the fields in error as the page names them elsewhere. presets:
 * calc.presets(), for the model's, GPU's and coefficients' names. currentState(): the
 * calculator's state at its last render (null before the first).
 * @param {{ dispatch: import('./state.mjs').Dispatch, scenarioRequest: () => { request: PageRequest, errors: FieldError[] },
 *   fieldNames: (errors: FieldError[]) => string, presets: import('./wasm/stepcalc.mjs').PresetListing, currentState: () => State | null }} deps
 * @returns {{ start(file: File): void, prepare(): void, checkStale(): void }}
 */
export function createTraceView({ dispatch, scenarioRequest, fieldNames, presets, currentState }) {
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

  // A result read with other options than the calculator's now says so above its figures.
  function checkStale() {
    if (out.hidden || !shownSummary) return;
    const { options, blocking } = traceOptions();
    const calculatorUsed = usesCalculator(shownSummary);
    const changed = (calculatorUsed && blocking.length > 0) || optionsKey(options, calculatorUsed) !== readOptions;
    stale.hidden = !changed;
    if (!changed) return;
    // What they were read with is the line under it (#trace-read-with).
    const what = calculatorUsed ? 'The calculator or the options above have' : '“Skip bad steps” has';
    stale.replaceChildren(`${what} changed since “${fileName}” was read: these figures are out of date. `, readStale);
  }
  // The file shown, read again with the settings as they are now.
  const readStale = Object.assign(document.createElement('button'), { type: 'button', id: 'trace-read-stale', textContent: 'Read it again' });
  readStale.addEventListener('click', () => { if (lastFile) start(lastFile); });
  tpSelect.addEventListener('change', checkStale);
  // $('trace').dataset.worker says 'preparing', then 'warm' once the worker has read its
  // made-up trace ('loaded' when the calculator's settings could not read it).
  const reader = createTraceWorker({
    onMessage, onError: (text) => { running.hidden = true; showError(text); },
    prepareOptions: () => { const { options, blocking } = traceOptions(); return blocking.length ? null : options; },
    onPreparing: () => { $('trace').dataset.worker = 'preparing'; },
  });
  skipBad.addEventListener('change', checkStale);
  /** @type {TraceColumns | null} */
  let columns = null;
  /** @type {StepIdCells} */
  let stepIdCells = { rows: new Float64Array(0), cells: [] };
  /** @type {FitReport | null} */
  let fitted = null;

  // Beside an error at a step when "Skip bad steps" was off: the same file again, with it on.
  const readAgain = Object.assign(document.createElement('button'), { type: 'button', id: 'trace-read-again', textContent: 'Read again, skipping bad steps', hidden: true });
  errorLine.after(readAgain);
  const showError = (/** @type {string} */ text) => {
    errorLine.textContent = text;
    errorLine.hidden = !text;
    readAgain.hidden = true;
  };
  // The file last chosen, named under the drop zone (the emptied input names none, trace.mjs).
  /** @type {File | null} */
  let lastFile = null;
  const fileLine = Object.assign(document.createElement('p'), { id: 'trace-file-name', className: 'info', hidden: true });
  $('trace-drop').after(fileLine);
  readAgain.addEventListener('click', () => {
    skipBad.checked = true;
    if (lastFile) start(lastFile);
  });
  /** @param {string | null} where the core's place of an input error */
  const atStep = (where) => where !== null && /^(line \d|steps\[)/.test(where);
  const charts = createChartSet();

  let fileName = '';
  /** @param {File} file */
  function start(file) {
    fileName = file.name;
    lastFile = file;
    fileLine.textContent = `Last file chosen: “${file.name}” (${bytes(file.size)})`;
    fileLine.hidden = false;
    runId++;
    columns = null;
    fitted = null;
    charts.clear();
    out.hidden = true;
    Object.assign(summaryEl.dataset, { steps: '', skipped: '', totalUs: '' });
    fitEl.hidden = true;
    fitEl.dataset.beta = '';
    showError('');
    reader.stop(); // nothing of an earlier run stays
    if (file.size === 0) {
      showError(`“${file.name}” is empty (0 bytes): there is no trace to read.`);
      return;
    }
    const { options, blocking } = traceOptions();
    if (blocking.length) {
      showError(`The calculator's ${fieldNames(blocking)} ${blocking.length === 1 ? 'is' : 'are'} not valid: fix ${blocking.length === 1 ? 'it' : 'them'} above to read a trace.`);
      return;
    }
    const lastState = currentState();
    readWith = lastState === null ? null
      : { ...readSettingsNames(lastState, presets), tp: options.tp ?? null };
    progress.value = 0;
    progress.max = file.size;
    progressLine.textContent = progressText({ bytes: 0, total: file.size, steps: 0 });
    running.hidden = false;
    performance.mark('stepcalc:trace-start');
    readOptions = JSON.stringify(options);
    reader.read(runId, file, options);
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
    const [skippedHead = '', ...skippedErrors] = skippedLines(summary);
    $('trace-skipped-head').textContent = skippedHead;
    $('trace-skipped').replaceChildren(...skippedErrors.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
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
      if (columns === cols) charts.show(cols);
    });
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

  /** @param {any} data a message of the worker's (worker.mjs) */
  function onMessage(data) {
    if (data.type === 'prepared') $('trace').dataset.worker = data.warm ? 'warm' : 'loaded';
    if (data.id !== runId) return; // a replaced run, or 'prepared' (no id)
    if (data.type === 'progress') {
      progress.value = data.bytes;
      progressLine.textContent = progressText(data);
    } else if (data.type === 'done') {
      running.hidden = true;
      showResult(data);
    } else if (data.type === 'fitted') {
      showFit(data.report);
    } else if (data.type === 'failed') {
      running.hidden = true;
      showError(data.input ? traceErrorText(data.message, data.where, fileName)
          : `The trace stopped with an unexpected error (a bug in stepcalc): ${data.message}`);
      readAgain.hidden = !(data.input && atStep(data.where) && !skipBad.checked);
    }
  }
  $('trace-cancel').addEventListener('click', () => {
    runId++;
    reader.stop();
    running.hidden = true;
    showError('Cancelled: nothing of this file is kept; choose it again to read it.');
  });
  // λ: the module's bounds (0 to 1e30, as `stepcalc fit --lambda`), said in the page's words.
  const lambdaInput = /** @type {HTMLInputElement} */ ($('trace-lambda')), lambdaError = $('trace-lambda-error');
  // Checked as typed, as the calculator's fields are, and again by Fit β.
  const readLambda = () => {
    const lambda = readBounded(lambdaInput.value, 'scientific', 0, 1e30);
    lambdaError.hidden = lambda.value !== undefined;
    lambdaError.textContent = lambda.error ? `λ: ${lambda.error}` : '';
    if (lambda.error) lambdaInput.setAttribute('aria-invalid', 'true');
    else lambdaInput.removeAttribute('aria-invalid');
    return lambda.value;
  };
  lambdaInput.addEventListener('input', readLambda);
  $('trace-fit-button').addEventListener('click', () => {
    const lambda = readLambda();
    if (lambda !== undefined) reader.fit(runId, lambda);
  });
  $('trace-csv').addEventListener('click', () => {
    if (columns) downloadCsv(columns, stepIdCells);
  });

  return { start, prepare: reader.prepare, checkStale };
}
