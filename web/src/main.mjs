// Page bootstrap and the update loop: every control calls dispatch(action); reduce() makes
// the new state; render() computes what the state asks for (memoized by identity) and hands
// the state and the latest result to the views, at most once per frame. Nothing flows back:
// views never change the state except by dispatching, and no result is written into a control.
import './style.css';
// uPlot's own rules, after ours as before (plot.mjs draws with uPlot; the page's stylesheet
// holds them, so code loaded later (the Trace view's) brings no stylesheet of its own).
import 'uplot/dist/uPlot.min.css';
import { loadCalc, checkModel, checkGpu, presets as loadPresets, limits as loadLimits } from './calc.mjs';
import { defaultState, reduce, customItem, sameRows, scenarioOf } from './state.mjs';
import { createEvaluations } from './evaluate.mjs';
import { frameScheduler } from './frame.mjs';
import { readLink } from './url.mjs';
import { loadStore, saveStore } from './storage.mjs';
import { keptDraft, keepDraftWhenLeaving } from './draft.mjs';
import { notice, reportBug, createFieldErrors, errorText, showStale, fieldNames } from './messages.mjs';
import { stepCountsWithArrows } from './fields.mjs';
import { createScenario } from './scenario.mjs';
import { createCustomEditors } from './custom.mjs';
import { createBatchEditor } from './batch.mjs';
import { createResults } from './results.mjs';
import { createRoofline } from './roofline.mjs';
import { createSweep } from './sweep.mjs';
import { makeChartsBelowTheFold } from './plot.mjs';
import { createCompare } from './compare.mjs';
import { scenarioCaption, captionNames } from './caption.mjs';
import { createShare } from './share.mjs';
import { applyEmbedLayout } from './embed.mjs';
import { createTrace } from './trace.mjs';
import { createServing } from './serving.mjs';
import { createGrid } from './grid.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').Scenario} Scenario */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/**
 * @template T
 * @typedef {import('./calc.mjs').Outcome<T>} Outcome
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} text */
function showFatal(text) {
  const el = $('step-time');
  el.textContent = 'unavailable';
  el.dataset.us = '';
  notice(text);
}

// The module, or the page says why it cannot compute: true when loaded.
async function loadModule() {
  try {
    await loadCalc();
    return true;
  } catch (e) {
    const error = /** @type {Error | undefined} */ (e);
    showFatal(error?.name === 'UnsupportedEngineError'
      ? `This browser cannot run the calculator: ${error.message}.`
      : `The calculator's WebAssembly module could not be loaded (${error?.message ?? e}). Reload the page to retry.`);
    return false;
  }
}

// The first state: the defaults, the user's saved custom models and GPUs, then the link's
// fields; what could not be read of the store or the link is said in a notice.
// Also what the link is read against (the presets' ids, the limits, the custom items), for
// the typed text kept from before a reload (draft.mjs).
/** @param {import('./wasm/stepcalc.mjs').PresetListing} P @param {Readonly<import('./wasm/stepcalc.mjs').Limits>} limits
 * @returns {{ state: State, link: import('./url.mjs').LinkContext }} */
function initialState(P, limits) {
  const { custom, notices: storeNotices } = loadStore();
  const ids = {
    models: new Set(P.models.map((m) => m.id)),
    gpus: new Set(P.gpus.map((g) => g.id)),
    coefs: new Set(P.coefficients.map((c) => c.id)),
  };
  const link = { ids, limits, custom };
  const { fields, notices: linkNotices } = readLink(location.search, link);
  for (const text of [...storeNotices, ...linkNotices]) notice(text);
  return { state: { ...defaultState(custom), ...fields }, link };
}

// Ctrl+Z (⌘Z) undoes the last slider move, quick scenario or loaded pin, except in a text
// field, where it keeps undoing typing as usual.
/** @param {import('./state.mjs').Dispatch} dispatch */
function undoWithKeys(dispatch) {
  addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.key.toLowerCase() !== 'z') return;
    const t = /** @type {HTMLInputElement} */ (e.target);
    if (t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && t.type !== 'range' && t.type !== 'checkbox')) return;
    e.preventDefault();
    dispatch({ type: 'undo' });
  });
}

async function start() {
  if (!(await loadModule())) return;
  performance.mark('stepcalc:start'); // for the benchmark: from here to the first result is the page's own work
  const P = loadPresets();
  const limits = loadLimits();
  const ctx = { coefficients: Object.fromEntries(P.coefficients.map((c) => [c.id, c])), limits };
  let { state, link } = initialState(P, limits);
  const schedule = frameScheduler(() => render());
  if (state.embed) applyEmbedLayout({ grid: state.embedGrid });

  /** @type {import('./state.mjs').Dispatch} */
  function dispatch(action) {
    const prev = state;
    state = reduce(state, action, ctx);
    if (state === prev) return;
    if (state.custom !== prev.custom) {
      const problem = saveStore(state.custom, action.type === 'custom-saved' ? { list: action.list, key: action.key } : null);
      if (problem) notice(problem);
    }
    schedule();
  }

  const { evaluation, pinOutcomes, checked } = createEvaluations(limits);

  const scenario = createScenario({ presets: P, dispatch });
  const customEditors = createCustomEditors(dispatch);
  const batch = createBatchEditor(dispatch);
  /** @param {string} where */
  const inputFor = (where) => batch.find(where) ?? /** @type {HTMLElement | null} */ (document.querySelector(`[data-where="${CSS.escape(where)}"]`));
  const fieldErrors = createFieldErrors(inputFor);
  // Why the scenario on screen cannot be linked or pinned: each invalid field as the page
  // names it, or the internal error (already reported as a bug).
  /** @returns {import('./messages.mjs').ErrorLine[]} */
  function currentErrors() {
    const { errors, out } = evaluation(state);
    if (errors.length) return errors.map((e) => ({ text: errorText(e, inputFor(e.where)) }));
    const answer = /** @type {Outcome<StepResponse>} */ (out); // the core is asked whenever no field has an error
    if (answer.ok) return [];
    return [answer.input ? { text: errorText(answer, inputFor(answer.where)) } : { bug: true, text: answer.message }];
  }
  // What the step time on screen is for (caption.mjs), or '' while the state has no result.
  /** @param {State} s */
  function captionOf(s) {
    const { request, out } = evaluation(s);
    return out?.ok ? scenarioCaption(out.value, request.step, captionNames(out.value, s, s.custom, P)) : '';
  }
  // The Serving view's inputs are part of a link too, once it is open.
  const current = () => ({ state, errors: [...currentErrors(), ...serving.errors()], caption: captionOf(state) });
  const results = createResults();
  const roofline = createRoofline();
  const sweep = createSweep({ dispatch, limits, variable: state.sweep });
  const compare = createCompare({ current, dispatch });
  const share = createShare({ current, dispatch, embed: state.embed });
  const grid = createGrid({ dispatch, presets: P, hidden: state.embed && !state.embedGrid });
  const trace = state.embed ? null : createTrace({ dispatch, scenarioRequest: () => evaluation(state), fieldNames: (errors) => fieldNames(errors, inputFor), presets: P });
  const serving = createServing({ dispatch, scenarioRequest: () => evaluation(state), fieldNames: (errors) => fieldNames(errors, inputFor) });
  stepCountsWithArrows($('app'));
  undoWithKeys(dispatch);

  /** @type {StepResponse | null} */
  let lastGood = null;
  /** @type {Scenario | null} the scenario lastGood is for */
  let lastGoodState = null;
  // The fields in error: the page's own checks, or else the core's input error.
  /** @param {State} s */
  function staleErrors(s) {
    const { errors, out } = evaluation(s);
    return errors.length ? errors : out && !out.ok && out.input ? [out] : [];
  }
  // Each field error beside its field.
  /** @param {State} s */
  const showFieldErrors = (s) => fieldErrors.show(staleErrors(s));

  function render() {
    const start = performance.now();
    const s = state;
    scenario.render(s, {
      arch: checked(customItem(s.custom.models, s.model), 'config', checkModel)?.arch,
      hardware: checked(customItem(s.custom.gpus, s.gpu), 'datasheet', checkGpu)?.hardware,
    });
    customEditors.render(s);
    batch.render(s);
    sweep.render(s);
    share.render(s);
    trace?.render(s);
    serving.render(s);
    const { request, out } = evaluation(s);
    const ok = out?.ok === true;
    if (out && !ok && !out.input) reportBug(out.message);
    showFieldErrors(s);
    if (ok) {
      const r = out.value;
      lastGood = r;
      lastGoodState = s;
      results.update(r, request);
      batch.showTotals(r);
      roofline.update(r);
      sweep.update(request, s);
      grid.update(request, s);
      const caption = captionOf(s);
      if ($('scenario-caption').textContent !== caption) $('scenario-caption').textContent = caption;
      share.postToParent(r, s);
      share.followUrl(s);
    } else if (!lastGood) {
      $('step-time').textContent = '–';
    }
    if (!ok) {
      const errors = staleErrors(s);
      showStale($('stale'), errors, inputFor, lastGood !== null);
      // The last good result's totals are the batch's on screen while its rows read the same
      // (an edit and its undoing in one frame leave new rows with the old text).
      const sameBatch = lastGoodState !== null && sameRows(lastGoodState.prefill, s.prefill) && sameRows(lastGoodState.decode, s.decode);
      batch.showTotals(lastGood, sameBatch ? undefined : fieldNames(errors, inputFor) || 'the internal error');
    }
    $('stale').hidden = ok;
    if (lastGood) compare.render(s.pins, lastGood, pinOutcomes(s), { .../** @type {Scenario} */ (lastGoodState), custom: s.custom });
    document.documentElement.dataset.renders = String(Number(document.documentElement.dataset.renders ?? 0) + 1);
    // For the benchmark and tests: when the update began and whether it succeeded.
    dispatchEvent(new CustomEvent('stepcalc:rendered', { detail: { ok, start } }));
  }

  render();
  // Text typed here that was invalid when the page was last left comes back, with its errors,
  // over the link's scenario, which shows as the last good result.
  const kept = keptDraft(), linkState = state;
  if (kept) {
    import('./draft-check.mjs').then(({ readDraft }) => {
      const draft = readDraft(kept, link);
      if (draft.scenario && state === linkState) dispatch({ type: 'restore', scenario: draft.scenario }); // not over new typing
      if (draft.serving) serving.restore(draft.serving);
    });
  }
  keepDraftWhenLeaving(() => {
    const draft = { scenario: staleErrors(state).length ? scenarioOf(state) : null, serving: serving.draft() };
    return draft.scenario || draft.serving ? draft : null;
  });
  performance.mark('stepcalc:ready'); // the first result is on the page
  // The first frame paints it, with the charts in view (plot.mjs, mountChart): a task queued
  // from its animation-frame callbacks runs after its style, layout, resize observers and
  // paint. That task adds what the first frame left out: the charts below the fold, and the
  // rows of a long batch after the first ones (batch.mjs, FIRST_ROWS) with the field errors
  // that may name them. Then the page is whole.
  requestAnimationFrame(() => setTimeout(() => {
    performance.mark('stepcalc:painted');
    makeChartsBelowTheFold();
    batch.showAll(state);
    showFieldErrors(state);
    performance.mark('stepcalc:whole');
    document.documentElement.dataset.ready = '1';
  }));
}

start().catch((e) => showFatal(`The calculator stopped with an unexpected error (a bug in stepcalc): ${e?.message ?? e}`));
