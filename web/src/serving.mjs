// The Serving view as the page's first load has it: its heading and the button that opens
// it. Everything else (the inputs, the worker, the summary, charts and curve:
// serving-view.mjs and what it imports) is loaded with import() when the view is opened, by
// the button or by a link whose "serve" parameter asks for it.
import { limits, presets } from './calc.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {ReturnType<import('./serving-view.mjs').createServingView>} ServingView */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// dispatch, scenarioRequest and fieldNames: as createServingView takes them.
/**
 * @param {{ dispatch: import('./state.mjs').Dispatch, scenarioRequest: () => { request: import('./state.mjs').PageRequest, errors: import('./state.mjs').FieldError[] },
 *   fieldNames: (errors: import('./state.mjs').FieldError[]) => string }} deps
 */
export function createServing(deps) {
  const button = $('serving-open'), body = $('serving-body');
  /** @type {State | null} */
  let lastState = null;
  /** @type {ServingView | null} */
  let view = null;
  /** @type {Promise<ServingView | null> | null} */
  let loading = null;
  let opened = false;
  /** @type {import('./serving-form.mjs').ServingValues | null} typed before a reload, for the view once open */
  let typed = null;
  const restoreTyped = () => {
    if (!view || !opened || !typed) return;
    view.restore(typed);
    typed = null;
  };
  const loadView = () => {
    loading ??= import('./serving-view.mjs').then(({ createServingView }) => {
      view = createServingView({ ...deps, limits: limits(), presets: presets(), currentState: () => lastState });
      if (lastState) view.render(lastState);
      return view;
    }, (error) => {
      loading = null; // opening again tries again
      body.textContent = `The Serving view could not be loaded (${error?.message ?? error}). Open it again to retry.`;
      return null;
    });
    return loading;
  };
  /** @param {boolean} open @param {string | null} link */
  async function show(open, link) {
    opened = open;
    body.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? 'Hide the serving simulation' : 'Open the serving simulation';
    if (!open) view?.close();
    else {
      (await loadView())?.open(link);
      restoreTyped();
    }
  }
  button.addEventListener('click', () => show(!opened, null));

  return {
    /** @param {State} state */
    render(state) {
      lastState = state;
      // A link that asks for the view opens it, once; an embedded page shows it first.
      if (state.serve !== null && !opened) {
        if (state.embed) $('app').prepend(Object.assign($('serving'), { className: 'card' }));
        // A link that asks for the Serving view is read for it: it comes into view.
        show(true, state.serve).then(() => { if (!state.embed) $('serving').scrollIntoView({ block: 'start' }); });
      }
      view?.render(state);
    },
    // The view's invalid inputs, for the page's refusals (a link is made from valid inputs only).
    errors: () => view?.errors() ?? [],
    // The inputs' text while one is in error, kept over a reload (draft.mjs); null when valid.
    draft: () => (opened ? view?.draft() ?? null : null),
    // That text read back after a reload: shown once the view is open (the link that was
    // in the address bar opens it), over the last valid inputs it runs.
    /** @param {import('./serving-form.mjs').ServingValues} values */
    restore(values) {
      typed = values;
      restoreTyped();
    },
  };
}
