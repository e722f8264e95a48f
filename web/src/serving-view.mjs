// The Serving view once opened (serving.mjs loads this module then): the workload's inputs
// (serving-inputs.mjs), the runs of a Simulate in the page's worker with Cancel
// (serving-runs.mjs), then the summary, the charts over time and the latency–throughput
// curve (serving-results.mjs). It reads the calculator's model, GPU, TP, coefficients and
// memory utilization, and changes the page's state only by dispatching (its inputs' link
// text while they read valid, serving-link.mjs). This module joins the parts: what a run
// would use now, whether the results shown are stale, and what the view says about a run.
import { FIELDS_HTML, createServingInputs } from './serving-inputs.mjs';
import { RESULTS_HTML, createServingResults } from './serving-results.mjs';
import { createServingRuns } from './serving-runs.mjs';
import { STATUS_HTML, createServingStatus } from './serving-status.mjs';
import { createServingLink } from './serving-link.mjs';
import { runShape, scenarioLine, simulatedWithLine } from './serving-text.mjs';
import { pageWords } from './messages.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {import('./serving-form.mjs').ServingValues} ServingValues */
/** @typedef {import('./serving-worker.mjs').Failed} Failed */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const VIEW_HTML = `<div id="serving-notices"></div>
<p id="serving-scenario" class="info"></p>
<form id="serving-form" novalidate><div class="grid2">${FIELDS_HTML}</div>
<p class="hint">Requests arrive at random (Poisson) at the rate given, or all at once with a rate of 0; the seed makes the workload repeatable. Equal min and max: every request has that many tokens; else each draws a whole number from min to max. Each step decodes every running request (at most max sequences) and fills the rest of its budget (max batched tokens) with prefill chunks, first come first served, as vLLM V1 does with chunked prefill.</p>
<div class="row-buttons"><button id="serving-run" type="submit">Simulate</button></div></form>
${STATUS_HTML}
${RESULTS_HTML}`;

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
  $('serving-body').innerHTML = VIEW_HTML;
  const inputs = createServingInputs(limits), status = createServingStatus(), results = createServingResults();
  const runs = createServingRuns(), link = createServingLink(dispatch, limits);
  let open = false;
  // The request of the results shown, as text, which the request now is compared with.
  let shownKey = '';

  // What a run would use now: the request, or the fields that stop it.
  function current() {
    const { request, errors: calculatorErrors } = scenarioRequest();
    // The batch is not simulated; everything else of the calculator's scenario is.
    const blocking = calculatorErrors.filter((e) => !e.where.startsWith('step.'));
    const { workload, scheduler, errors } = inputs.read();
    const { step: _batch, ...header } = request;
    return { request: { ...header, workload, scheduler }, errors, blocking };
  }
  const showFieldErrors = () => inputs.showErrors(current().errors);
  // A result run with other settings than those now says so above its figures.
  function checkStale() {
    if (!results.shown()) return;
    const { request, errors, blocking } = current();
    results.markStale(errors.length > 0 || blocking.length > 0 || JSON.stringify(request) !== shownKey);
  }

  // Why Simulate cannot run now (the calculator's fields, or the inputs'), or ''.
  /** @param {FieldError[]} errors @param {FieldError[]} blocking */
  function refusal(errors, blocking) {
    if (blocking.length) return `The calculator's ${fieldNames(blocking)} ${blocking.length === 1 ? 'is' : 'are'} not valid: fix ${blocking.length === 1 ? 'it' : 'them'} above to simulate.`;
    return errors.length ? `Fix ${inputs.names(errors)} above to simulate.` : '';
  }
  function run() {
    const { request, errors, blocking } = current();
    inputs.clearCoreErrors();
    inputs.showErrors(errors);
    const refused = refusal(errors, blocking);
    if (refused) {
      status.say(refused);
      return;
    }
    const state = currentState();
    status.started();
    results.clear();
    runs.start(request, hooksFor(request, state));
  }

  // What the view does as a Simulate's runs come back. state: the calculator's when it began.
  /** @param {SimulationRequest} request @param {State | null} state @returns {import('./serving-runs.mjs').RunHooks} */
  const hooksFor = (request, state) => ({
    progress: status.progress,
    noRecords: results.noRecords,
    main(main) {
      shownKey = JSON.stringify(request);
      results.showMain(main, runShape(request), state ? simulatedWithLine(state, presets) : '');
      checkStale();
      dispatchEvent(new CustomEvent('stepcalc:serving-summary'));
    },
    capacity: (...args) => results.showCapacity(request.workload.arrival_rate_per_s ?? 0, ...args),
    curve: (...args) => results.showCurve(request.workload.arrival_rate_per_s ?? 0, ...args),
    done: () => status.ended('done'),
    failed(why) {
      status.ended('failed');
      failed(why);
    },
  });

  // A run's failure, said beside the field the core names, or under the inputs.
  /** @param {Failed} why */
  function failed(why) {
    const text = why.message.replace(/^error: /, '');
    if (!why.input || why.where === null) {
      status.say(`The simulation stopped with an unexpected error (a bug in stepcalc): ${text}`);
      return;
    }
    const what = text.slice(why.where.length + 2); // the core's line is "where: what"
    const onField = inputs.coreError({ where: why.where, what });
    if (onField !== null) {
      showFieldErrors();
      status.say(`The simulation did not run: ${onField}`);
      return;
    }
    // A generated request is named by its id, as the CLI's per-request rows number them.
    const request = /^workload\.requests\[(\d+)\]$/.exec(why.where);
    status.say(`The simulation cannot run this workload: ${pageWords(request ? `request ${request[1]} ${what}` : `${why.where}: ${what}`)}`);
  }

  $('serving-cancel').addEventListener('click', () => {
    runs.cancel();
    status.ended('cancelled');
    results.dropCurveText(); // it described the curve being run
    status.say(results.shown()
      ? 'Cancelled: the summary and charts above are complete, the latency–throughput curve was not finished; press Simulate to run it again.'
      : 'Cancelled: nothing of this run is kept; press Simulate to run it again.');
  });
  $('serving-form').addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  $('serving-form').addEventListener('input', (e) => {
    if (!inputs.edited(e.target)) return;
    showFieldErrors();
    checkStale();
    link.follow(inputs.values());
  });

  return {
    // Opens the view with the link's inputs (serve: its "serve" parameter) or the inputs it
    // had, and runs them.
    /** @param {string | null} serve */
    open(serve) {
      if (serve !== null) inputs.set(link.read(serve));
      open = true;
      link.follow(inputs.values());
      if (!results.shown()) run();
    },
    close() {
      open = false;
      if (status.running()) $('serving-cancel').click();
      link.drop();
    },
    /** @param {State} state */
    render(state) {
      const line = scenarioLine(state, presets);
      if ($('serving-scenario').textContent !== line) $('serving-scenario').textContent = line;
      checkStale();
    },
    // The inputs' text while one of them is in error (what a reload must bring back), or null.
    draft() {
      return inputs.read().errors.length ? { ...inputs.values() } : null;
    },
    // Text typed before a reload, shown with its errors over the run of the link's inputs.
    /** @param {ServingValues} typed */
    restore(typed) {
      inputs.set(typed);
      showFieldErrors();
      checkStale();
      link.follow(inputs.values());
    },
    // The inputs' errors as the page's refusals list them (Copy link, Copy embed code).
    errors() {
      if (!open) return [];
      return inputs.refusals(current().errors);
    },
  };
}
