// The Trace view as the page's first load has it: the line saying which of the calculator's
// settings a file would be read with, and the file input and drop zone. Everything else
// (reading in a worker, progress, results, charts, fit, CSV: trace-view.mjs and what it
// imports) is loaded when the view nears the screen, or a pointer, the keyboard's focus or
// a dragged file comes to it, and then the view prepares its worker; so the first load
// carries none of it, and a file chosen is read by a worker that is ready.
import { scenarioNames } from './caption.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {ReturnType<import('./trace-view.mjs').createTraceView>} TraceView */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The calculator's model, GPU and coefficients as the Trace view's sentences name them: the
// caption's names, the coefficients' in quotes (a name such as "Fitted: inference-sim/training
// (H100 SXM, vLLM)" holds the colon and commas the sentences use).
/** @param {State} state @param {import('./wasm/stepcalc.mjs').PresetListing} presets */
export function readSettingsNames(state, presets) {
  const names = scenarioNames(state, state.custom, presets);
  return { ...names, coefficients: `“${names.coefficients}”` };
}

// dispatch, scenarioRequest, fieldNames and presets (calc.presets(), for the names the
// caption gives the model, GPU and coefficients): as createTraceView takes them (trace-view.mjs).
/**
 * @param {{ dispatch: import('./state.mjs').Dispatch, scenarioRequest: () => { request: PageRequest, errors: FieldError[] },
 *   fieldNames: (errors: FieldError[]) => string, presets: import('./wasm/stepcalc.mjs').PresetListing }} deps
 */
export function createTrace(deps) {
  const input = /** @type {HTMLInputElement} */ ($('trace-file')), drop = $('trace-drop');
  const tpSelect = /** @type {HTMLSelectElement} */ ($('trace-tp'));
  /** @type {State | null} */
  let lastState = null;
  /** @type {TraceView | null} */
  let view = null;
  /** @type {Promise<TraceView | null> | null} */
  let loading = null;
  function loadView() {
    loading ??= import('./trace-view.mjs').then(({ createTraceView }) => {
      view = createTraceView({ ...deps, currentState: () => lastState });
      return view;
    }, (error) => {
      loading = null; // the next file tries again
      const line = $('trace-error');
      line.textContent = `The Trace view could not be loaded (${error?.message ?? error}). Choosing a file tries again.`;
      line.hidden = false;
      return null;
    });
    return loading;
  }
  /** @param {File | undefined} file */
  async function start(file) {
    if (file) (await loadView())?.start(file);
  }

  // Once: the view's code and its worker, while the user finds the file.
  const section = $('trace');
  let prepared = false;
  function prepare() {
    if (prepared) return;
    prepared = true;
    nearing.disconnect();
    loadView().then((loaded) => loaded?.prepare());
  }
  const nearing = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) prepare();
  }, { rootMargin: '0px 0px 200px 0px' });
  nearing.observe(section);
  for (const event of ['pointerover', 'focusin', 'dragenter']) section.addEventListener(event, prepare, { once: true });

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    // Emptied, so that choosing the same file again (after ticking "Skip bad steps", say)
    // is a change too; the view names the file it read (trace-view.mjs).
    input.value = '';
    start(file);
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    start(e.dataTransfer?.files[0]);
  });

  return {
    // What the options will use, from the calculator's current state.
    /** @param {State} state */
    render(state) {
      lastState = state;
      view?.checkStale();
      const names = readSettingsNames(state, deps.presets);
      const line = `The calculator's settings, which steps in the training format are read with: model ${names.model}, GPU ${names.gpu}, coefficients ${names.coefficients}. Change them above.`;
      if ($('trace-scenario').textContent !== line) $('trace-scenario').textContent = line;
      const tpText = `the calculator's TP (${state.tp})`;
      if (tpSelect.options[1].textContent !== tpText) tpSelect.options[1].textContent = tpText;
    },
  };
}
