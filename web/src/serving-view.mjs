// The Serving view once opened (serving.mjs loads this module then): the workload's inputs,
// the simulation run in the page's worker (worker.mjs) with Cancel, then the summary, the
// charts over time and the latency–throughput curve. It reads the calculator's model, GPU,
// TP, coefficients and memory utilization, and changes the page's state only by
// dispatching (its inputs' link text, while they read valid).
//
// A Simulate runs, one after the other in the worker: the workload as given (with its step
// records, for the charts over time); the same workload with every request at t = 0 (the
// engine's capacity for it, serving-curve.mjs); the curve's rates. The page sends each run
// when the one before has come back, so Cancel (ending the worker) stops the rest.
import { SERVING_FIELDS, SERVING_DEFAULTS, readServing, readServingLink, linkText, fieldAt } from './serving-form.mjs';
import { summaryLines, latencyRows, progressLine, capacityLine, kneeLine, curveRow, CURVE_COLUMNS } from './serving-text.mjs';
import { capacityRate, curveRates, kneeIndex } from './serving-curve.mjs';
import { queueChart, stepTimeChart, curveChart, runSpanUs } from './serving-charts.mjs';
import { widthOf, followSchemeAndSize } from './plot.mjs';
import { createFieldErrors, errorText, notice, pageWords, fieldNames as namesOf } from './messages.mjs';
import { human, count } from './format.mjs';
import { scenarioNames } from './caption.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {import('./serving-form.mjs').ServingValues} ServingValues */
/** @typedef {import('./serving-form.mjs').ServingKey} ServingKey */
/** @typedef {import('./serving-curve.mjs').CurvePoint} CurvePoint */
/** @typedef {import('./serving-charts.mjs').StepColumns} StepColumns */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationResponse['summary']} SimulationSummary */
/** @typedef {{ summary: SimulationSummary, steps: StepColumns | null }} Simulated */
/** @typedef {{ input: boolean, where: string | null, message: string }} Failed the worker's 'failed' message */
/** @typedef {import('uplot')} uPlot */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const CANCELLED = Symbol('cancelled');

const fieldHtml = SERVING_FIELDS.map(({ key, label, where, kind }) => `<div class="field"><label for="serving-${key}">${label}</label>` +
  `<input id="serving-${key}" type="text" inputmode="${kind === 'count' ? 'numeric' : 'decimal'}" autocomplete="off" data-number="${kind}" data-where="${where}" aria-describedby="serving-${key}-error">` +
  `<p id="serving-${key}-error" class="error" hidden></p></div>`).join('');
const figure = (/** @type {string} */ id, /** @type {string} */ caption) =>
  `<figure id="${id}-fig"><figcaption id="${id}-cap">${caption}</figcaption><div id="${id}" class="chart" role="img" aria-labelledby="${id}-cap"></div></figure>`;
const VIEW_HTML = `<p id="serving-scenario" class="info"></p>
<form id="serving-form" novalidate><div class="grid2">${fieldHtml}</div>
<p class="hint">Requests arrive at random (Poisson) at the rate given, or all at once with a rate of 0; the seed makes the workload repeatable. Equal min and max: every request has that many tokens; else each draws a whole number from min to max. Each step decodes every running request (at most max sequences) and fills the rest of its budget (max batched tokens) with prefill chunks, first come first served, as vLLM V1 does with chunked prefill.</p>
<div class="row-buttons"><button id="serving-run" type="submit">Simulate</button></div></form>
<div id="serving-running" class="inline" hidden><progress id="serving-progress" value="0" aria-label="Simulations done"></progress><span id="serving-progress-text" class="info" role="status"></span><button id="serving-cancel" type="button">Cancel</button></div>
<p id="serving-error" class="error" role="alert" hidden></p>
<div id="serving-out" hidden>
<p id="serving-stale" class="notice" hidden></p><p id="serving-read-with" class="info"></p>
<div id="serving-summary" data-requests="" data-ttft-p50-us="" data-tpot-p50-us="" data-throughput-tok-s=""></div>
<div class="scroll" tabindex="0" role="region" aria-label="Latency percentiles"><table id="serving-latency"><caption>Latency of the requests (nearest-rank percentiles)</caption><thead><tr><th scope="col">Latency</th><th scope="col">p50</th><th scope="col">p90</th><th scope="col">p99</th><th scope="col">mean</th></tr></thead><tbody></tbody></table></div>
${figure('serving-queue', 'Requests running and waiting in each step, over the run')}
${figure('serving-steps', 'Each step\'s time over the run, coloured by its largest term (β·X)')}
<p id="serving-no-records" class="info" hidden></p>
<h3>Latency against load</h3><div id="serving-curve-text"></div>
${figure('serving-curve', 'TTFT p50 and p90 against the arrival rate; the knee ringed')}
<div id="serving-curve-runs" class="scroll" tabindex="0" role="region" aria-label="The curve's runs" hidden><table id="serving-curve-table"><caption>The curve's runs</caption><thead><tr>${CURVE_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead><tbody></tbody></table></div>
</div>`;

/**
 * dispatch: the page's one way to change the state. scenarioRequest(): the calculator's
 * request and field errors. fieldNames(errors): the fields in error as the page names them.
 * currentState(): the calculator's state at its last render. limits: calc.limits; presets:
 * calc.presets(), for the names the caption gives the model, GPU and coefficients.
 * @param {{ dispatch: import('./state.mjs').Dispatch, scenarioRequest: () => { request: PageRequest, errors: FieldError[] },
 *   fieldNames: (errors: FieldError[]) => string, currentState: () => State | null,
 *   limits: Readonly<import('./wasm/stepcalc.mjs').Limits>, presets: import('./wasm/stepcalc.mjs').PresetListing }} deps
 */
export function createServingView({ dispatch, scenarioRequest, fieldNames, currentState, limits, presets }) {
  const root = $('serving');
  $('serving-body').innerHTML = VIEW_HTML;
  const form = $('serving-form'), running = $('serving-running'), out = $('serving-out'), errorLine = $('serving-error');
  const progress = /** @type {HTMLProgressElement} */ ($('serving-progress')), progressText = $('serving-progress-text');
  const summaryEl = $('serving-summary'), curveText = $('serving-curve-text'), curveTable = $('serving-curve-table');
  const inputs = /** @type {Record<ServingKey, HTMLInputElement>} */ (Object.fromEntries(SERVING_FIELDS.map((f) => [f.key, $(`serving-${f.key}`)])));
  /** @param {string} where */
  const inputAt = (where) => { const key = fieldAt(where); return key ? inputs[key] : null; };
  const fieldErrors = createFieldErrors(inputAt);
  // "model Llama 3.1 8B Instruct, GPU H100 SXM, TP 1, coefficients …": as the caption names them.
  const scenarioWords = (/** @type {State} */ state) => {
    const names = scenarioNames(state, state.custom, presets);
    return `model ${names.model}, GPU ${names.gpu}, TP ${state.tp}, coefficients ${names.coefficients}`;
  };
  /** @type {ServingValues} the inputs' text, as typed */
  let values = { ...SERVING_DEFAULTS };
  for (const field of SERVING_FIELDS) inputs[field.key].value = values[field.key];
  let open = false;
  // The link follows the inputs while they read valid, as the calculator's scenario does: text
  // in error stays out of it (the link keeps the last valid inputs, and Copy link, refused,
  // names the field).
  let validLink = linkText(values);
  const followLink = () => {
    if (readServing(values, limits).errors.length === 0) validLink = linkText(values);
    dispatch({ type: 'serve', value: validLink });
  };
  /** @type {FieldError[]} core errors on the inputs from the last run, until they are edited */
  let coreErrors = [];

  // The view's state for the tests and the benchmark: idle, running, done, failed, cancelled.
  const setPhase = (/** @type {string} */ phase) => { root.dataset.phase = phase; };
  const showError = (/** @type {string} */ text) => { errorLine.textContent = text; errorLine.hidden = !text; };

  // The worker: started with the first run, ended by Cancel (the next run starts another).
  /** @type {Worker | null} */
  let worker = null;
  /** @type {{ id: number, resolve: (m: Simulated) => void, reject: (why: Failed | typeof CANCELLED) => void } | null} */
  let pending = null;
  let messageId = 0;
  function startedWorker() {
    if (worker) return worker;
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', ({ data }) => {
      if (!pending || data.id !== pending.id) return;
      const { resolve, reject } = pending;
      pending = null;
      if (data.type === 'simulated') resolve(data);
      else reject(data);
    });
    worker.addEventListener('error', (e) => {
      pending?.reject({ input: false, where: null, message: `the worker could not run (${e.message ?? 'no message'})` });
      pending = null;
    });
    return worker;
  }
  /** @param {SimulationRequest} request @returns {Promise<Simulated>} */
  const simulate = (request) => new Promise((resolve, reject) => {
    pending = { id: ++messageId, resolve, reject };
    startedWorker().postMessage({ type: 'simulate', id: pending.id, request });
  });
  function stop() {
    worker?.terminate();
    worker = null;
    pending?.reject(CANCELLED);
    pending = null;
  }

  // What a run would use now: the request, or the fields that stop it.
  function current() {
    const { request, errors: calculatorErrors } = scenarioRequest();
    // The batch is not simulated; everything else of the calculator's scenario is.
    const blocking = calculatorErrors.filter((e) => !e.where.startsWith('step.'));
    const { workload, scheduler, errors } = readServing(values, limits);
    const { step: _batch, ...header } = request;
    return { request: { ...header, workload, scheduler }, errors, blocking };
  }
  /** @param {FieldError[]} errors */
  const showFieldErrors = (errors) => fieldErrors.show([...errors, ...coreErrors.filter((e) => !errors.some((o) => o.where === e.where))]);

  let shownKey = '';
  // A result run with other settings than those now says so above its figures.
  function checkStale() {
    if (out.hidden) return;
    const { request, errors, blocking } = current();
    const changed = errors.length > 0 || blocking.length > 0 || JSON.stringify(request) !== shownKey;
    const stale = $('serving-stale');
    stale.hidden = !changed;
    if (changed) stale.textContent = 'The calculator or the inputs above have changed since this run: press Simulate to run them.';
  }

  // Steps to draw over time: at least one, and a run that took some time.
  const hasTimeAxis = (/** @type {StepColumns} */ columns) => columns.start_us.length > 0 && runSpanUs(columns) > 0;
  /** @type {uPlot[]} */
  let charts = [];
  /** @type {StepColumns | null} */
  let steps = null;
  /** @type {{ points: CurvePoint[], knee: number } | null} */
  let curve = null;
  function drawCharts() {
    for (const chart of charts) chart.destroy();
    charts = [];
    if (out.hidden) return;
    if (steps && hasTimeAxis(steps)) charts.push(queueChart($('serving-queue'), steps), stepTimeChart($('serving-steps'), steps));
    if (curve && curve.points.length > 0) charts.push(curveChart($('serving-curve'), curve.points, curve.knee));
  }
  followSchemeAndSize(out, drawCharts, () => {
    for (const chart of charts) {
      const width = widthOf(/** @type {HTMLElement} */ (chart.root.parentElement));
      if (width !== chart.width) chart.setSize({ width, height: chart.height });
    }
  });

  /** @param {HTMLElement} el @param {string[]} lines */
  const paragraphs = (el, lines) => el.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  /** @param {HTMLTableSectionElement} body @param {string[][]} rows @param {number} [marked] */
  function tableRows(body, rows, marked = -1) {
    body.replaceChildren(...rows.map((cells, i) => {
      const tr = document.createElement('tr');
      tr.append(...cells.map((text, c) => Object.assign(document.createElement(c === 0 ? 'th' : 'td'), { textContent: i === marked && c === 0 ? `${text} (the knee)` : text })));
      /** @type {HTMLElement} */ (tr.firstElementChild).setAttribute('scope', 'row');
      return tr;
    }));
  }

  /** @param {Simulated} main @param {ServingValues} ran @param {State | null} state */
  function showMain({ summary, steps: columns }, ran, state) {
    const { workload, scheduler } = readServing(ran, limits);
    const output = workload.output_tokens;
    const { min: outputMin, max: outputMax } = typeof output === 'object' ? output : { min: output ?? 0, max: output ?? 0 };
    Object.assign(summaryEl.dataset, {
      requests: String(summary.requests), ttftP50Us: String(summary.ttft_us.p50), tpotP50Us: String(summary.tpot_us.p50),
      throughputTokS: String(summary.throughput_tokens_per_s),
    });
    paragraphs(summaryEl, summaryLines(summary, { outputMin, outputMax, maxSeqs: scheduler.max_num_seqs }));
    tableRows(/** @type {HTMLTableElement} */ ($('serving-latency')).tBodies[0], latencyRows(summary).map(([name, l]) => [name, ...[l.p50, l.p90, l.p99, l.mean].map(human)]));
    $('serving-read-with').textContent = state
      ? `Simulated with ${scenarioWords(state)}, GPU memory utilization ${state.util}.`
      : '';
    steps = columns;
    const overTime = columns !== null && hasTimeAxis(columns);
    for (const id of ['serving-queue-fig', 'serving-steps-fig']) $(id).hidden = !overTime;
    if (columns !== null && !overTime) {
      Object.assign($('serving-no-records'), { hidden: false, textContent: 'No charts over time: the run took no time (every step took 0 µs), so there is no time to draw its steps on.' });
    }
    out.hidden = false;
    checkStale();
    requestAnimationFrame(drawCharts);
  }
  // A run's failure, said beside the field the core names, or under the inputs.
  /** @param {Failed} why */
  function failed(why) {
    const text = why.message.replace(/^error: /, '');
    if (!why.input || why.where === null) {
      showError(`The simulation stopped with an unexpected error (a bug in stepcalc): ${text}`);
      return;
    }
    const what = text.slice(why.where.length + 2); // the core's line is "where: what"
    const key = fieldAt(why.where);
    if (key) {
      coreErrors = [{ where: why.where, what }];
      showFieldErrors(current().errors);
      showError(`The simulation did not run: ${errorText(coreErrors[0], inputs[key])}`);
      return;
    }
    // A generated request is named by its id, as the CLI's per-request rows number them.
    const request = /^workload\.requests\[(\d+)\]$/.exec(why.where);
    showError(`The simulation cannot run this workload: ${pageWords(request ? `request ${request[1]} ${what}` : `${why.where}: ${what}`)}`);
  }

  let runId = 0;
  async function run() {
    const { request, errors, blocking } = current();
    coreErrors = [];
    showFieldErrors(errors);
    if (blocking.length) {
      showError(`The calculator's ${fieldNames(blocking)} ${blocking.length === 1 ? 'is' : 'are'} not valid: fix ${blocking.length === 1 ? 'it' : 'them'} above to simulate.`);
      return;
    }
    if (errors.length) {
      showError(`Fix ${namesOf(errors, inputAt)} above to simulate.`);
      return;
    }
    if (pending) stop(); // an earlier run's worker is busy: end it (an idle one is kept, its module loaded)
    const id = ++runId;
    const ran = { ...values }, state = currentState();
    showError('');
    out.hidden = true;
    steps = null;
    curve = null;
    drawCharts();
    $('serving-curve-runs').hidden = true;
    $('serving-curve-fig').hidden = true;
    curveText.replaceChildren();
    progress.max = 2 + 8;
    progress.value = 0;
    running.hidden = false;
    setPhase('running');
    let totalKnown = false;
    const step = (/** @type {string} */ doing) => { progressText.textContent = progressLine(progress.value, progress.max, totalKnown, doing); };
    try {
      step(`Simulating ${count(/** @type {number} */ (request.workload.requests), 'request')}…`);
      const main = await simulateWithRecords(request);
      if (id !== runId) return;
      shownKey = JSON.stringify(request);
      showMain(main, ran, state);
      dispatchEvent(new CustomEvent('stepcalc:serving-summary'));
      progress.value++;
      step('Finding the engine\'s capacity: every request at t = 0…');
      const atOnce = (await simulate({ ...request, workload: { ...request.workload, arrival_rate_per_s: 0 } })).summary;
      if (id !== runId) return;
      progress.value++;
      const capacity = capacityRate(atOnce);
      const rates = capacity === null ? [] : curveRates(capacity);
      progress.max = 2 + rates.length;
      totalKnown = true;
      paragraphs(curveText, [capacityLine(atOnce, capacity, rates)]);
      /** @type {CurvePoint[]} */
      const points = [];
      for (const rate of rates) {
        step(`Curve: ${points.length + 1} of ${rates.length} rates, ${rate} requests per second…`);
        points.push({ rate, summary: (await simulate({ ...request, workload: { ...request.workload, arrival_rate_per_s: rate } })).summary });
        if (id !== runId) return;
        progress.value++;
      }
      showCurve(atOnce, capacity, rates, points);
      running.hidden = true;
      setPhase('done');
    } catch (why) {
      if (why === CANCELLED || id !== runId) return;
      running.hidden = true;
      setPhase('failed');
      failed(/** @type {Failed} */ (why));
    }
  }

  // The main run with its step records; a run of more steps than the core records runs again
  // without them, and the view says the charts over time are left out.
  /** @param {SimulationRequest} request */
  async function simulateWithRecords(request) {
    const note = $('serving-no-records');
    note.hidden = true;
    try {
      return await simulate({ ...request, step_records: true });
    } catch (why) {
      if (why === CANCELLED || /** @type {Failed} */ (why).where !== 'step_records') throw why;
      note.textContent = `No charts over time: ${pageWords(/** @type {Failed} */ (why).message.replace(/^error: step_records: /, ''))}.`;
      note.hidden = false;
      return simulate(request);
    }
  }

  /** @param {SimulationSummary} atOnce @param {number | null} capacity @param {number[]} rates @param {CurvePoint[]} points */
  function showCurve(atOnce, capacity, rates, points) {
    if (points.length === 0) return;
    const knee = kneeIndex(points);
    curve = { points, knee };
    paragraphs(curveText, [capacityLine(atOnce, capacity, rates), kneeLine(points, knee)]);
    tableRows(/** @type {HTMLTableElement} */ (curveTable).tBodies[0], points.map(curveRow), knee);
    $('serving-curve-runs').hidden = false;
    $('serving-curve-fig').hidden = false;
    requestAnimationFrame(drawCharts);
  }

  $('serving-cancel').addEventListener('click', () => {
    runId++;
    stop();
    running.hidden = true;
    curveText.replaceChildren(); // it described the curve being run
    setPhase('cancelled');
    showError(out.hidden
      ? 'Cancelled: nothing of this run is kept; press Simulate to run it again.'
      : 'Cancelled: the summary and charts above are complete, the latency–throughput curve was not finished; press Simulate to run it again.');
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  form.addEventListener('input', (e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const field = SERVING_FIELDS.find((f) => inputs[f.key] === input);
    if (!field) return;
    values = { ...values, [field.key]: input.value };
    coreErrors = coreErrors.filter((c) => c.where !== field.where);
    showFieldErrors(current().errors);
    checkStale();
    followLink();
  });

  return {
    // Opens the view with the link's inputs (link: its "serve" parameter, with one notice
    // naming every part that could not be used) or the inputs it had, and runs them.
    /** @param {string | null} link */
    open(link) {
      if (link !== null) {
        const read = readServingLink(link, limits);
        if (read.notice) notice(read.notice);
        values = read.values;
        for (const field of SERVING_FIELDS) inputs[field.key].value = values[field.key];
      }
      open = true;
      followLink();
      if (out.hidden) run();
    },
    close() {
      open = false;
      if (!running.hidden) $('serving-cancel').click();
      dispatch({ type: 'serve', value: null });
    },
    /** @param {State} state */
    render(state) {
      const line = `For the calculator's ${scenarioWords(state)} and GPU memory utilization ${state.util}; change them above.`;
      if ($('serving-scenario').textContent !== line) $('serving-scenario').textContent = line;
      checkStale();
    },
    // The inputs' text while one of them is in error (what a reload must bring back), or null.
    draft() {
      return readServing(values, limits).errors.length ? { ...values } : null;
    },
    // Text typed before a reload, shown with its errors over the run of the link's inputs.
    /** @param {ServingValues} typed */
    restore(typed) {
      values = { ...typed };
      for (const field of SERVING_FIELDS) inputs[field.key].value = values[field.key];
      showFieldErrors(current().errors);
      checkStale();
      followLink();
    },
    // The inputs' errors as the page's refusals list them (Copy link, Copy embed code).
    errors() {
      if (!open) return [];
      return current().errors.map((e) => ({ text: errorText(e, inputAt(e.where)) }));
    },
  };
}
