// Page bootstrap and render loop: loads the core, reads the link and the stored custom
// items, creates the controls and views, and recomputes at most once per frame.
import './style.css';
import { loadCalc, compute, presets as loadPresets } from './calc.mjs';
import { defaultState, parseQuery, buildRequest, DEFAULTS, copyRows } from './state.mjs';
import { loadStore } from './storage.mjs';
import { notice, createFieldErrors } from './messages.mjs';
import { stepCountsWithArrows } from './fields.mjs';
import { createScenario } from './scenario.mjs';
import { createCustomEditors } from './custom.mjs';
import { createBatchEditor } from './batch.mjs';
import { createResults } from './results.mjs';
import { createRoofline } from './roofline.mjs';
import { createSweep } from './sweep.mjs';
import { createCompare } from './compare.mjs';
import { createShare } from './share.mjs';
import { applyEmbedLayout } from './embed.mjs';

const $ = (id) => document.getElementById(id);

function showFatal(text) {
  const el = $('step-time');
  el.textContent = 'unavailable';
  el.dataset.us = '';
  notice(text);
}

// What a rejected link parameter falls back to, for its notice.
function defaultText(name) {
  if (name === 'prefill') return DEFAULTS.prefill.map((r) => `${r.t}:${r.p}`).join(',');
  if (name === 'decode') return DEFAULTS.decode.map((r) => `${r.c}x${r.n}`).join(',');
  const d = { model: DEFAULTS.model, gpu: DEFAULTS.gpu, tp: DEFAULTS.tp, coef: DEFAULTS.coef, beta: `coefficients ${DEFAULTS.coef}`, sweep: 'decode-count' };
  return d[name] ?? 'default';
}

// Values that pass the URL syntax but the core rejects (a chunk larger than its prompt,
// a zero count, TP beyond the core's range) fall back per parameter too.
function validateAgainstCore(state, store, bad) {
  for (let i = 0; i < 5; i++) {
    const out = compute(buildRequest(state, store).request);
    if (out.ok) return;
    let name;
    if (out.where.startsWith('step.prefill')) { name = 'prefill'; state.prefill = copyRows(DEFAULTS.prefill); }
    else if (out.where.startsWith('step.decode')) { name = 'decode'; state.decode = copyRows(DEFAULTS.decode); }
    else if (out.where === 'tp' || out.where.startsWith('gpu')) { name = 'tp'; state.tp = DEFAULTS.tp; }
    else if (out.where.startsWith('coefficients')) { name = 'beta'; state.coef = DEFAULTS.coef; }
    else return;
    if (!bad.includes(name)) bad.push(name);
  }
}

async function start() {
  try {
    await loadCalc();
  } catch (e) {
    showFatal(`The calculator's WebAssembly module could not be loaded (${e?.message ?? e}). Reload the page to retry.`);
    return;
  }
  const P = loadPresets();
  const { store, notice: storeNotice } = loadStore();
  if (storeNotice) notice(storeNotice);

  const defaultBeta = P.coefficients.find((c) => c.id === P.default_coefficients).beta;
  const state = defaultState(defaultBeta);
  const ids = {
    models: new Set(P.models.map((m) => m.id)),
    gpus: new Set(P.gpus.map((g) => g.id)),
    coefs: new Set(P.coefficients.map((c) => c.id)),
  };
  const bad = parseQuery(location.search, state, ids);
  validateAgainstCore(state, store, bad);
  for (const name of bad) {
    notice(`The link's parameter "${name}" is not valid and was replaced by the default (${defaultText(name)}).`);
  }
  if (state.embed) applyEmbedLayout();

  // The model, GPU or coefficient choice changed: refresh what describes it, recompute.
  function selectionChanged() {
    scenario.showInfo();
    custom.showSelected();
    share.showCustomNote();
    schedule();
  }
  const scenario = createScenario({ state, presets: P, store, onSelect: selectionChanged, onChange: schedule });
  const custom = createCustomEditors({ state, store, scenario, onSelect: selectionChanged });
  const batch = createBatchEditor(state, schedule);
  const results = createResults();
  const roofline = createRoofline();
  const sweep = createSweep(state, { onChange: schedule, onRowsMoved: () => { batch.render(); schedule(); } });
  const compare = createCompare();
  const share = createShare(state, store);
  const errors = createFieldErrors();
  stepCountsWithArrows($('app'));

  // At most one update per frame: the first edit of a frame renders at once (lowest
  // latency); later edits in the same frame are coalesced into one render at the next rAF.
  let frameBusy = false, dirty = false, lastGood = null;
  function schedule() {
    if (frameBusy) {
      dirty = true;
      return;
    }
    frameBusy = true;
    render();
    requestAnimationFrame(frameEnd);
  }
  function frameEnd() {
    if (!dirty) {
      frameBusy = false;
      return;
    }
    dirty = false;
    render();
    requestAnimationFrame(frameEnd);
  }

  function render() {
    const start = performance.now();
    errors.clear();
    const { request, empty } = buildRequest(state, store);
    const out = empty.length ? { ok: false, where: empty[0], what: 'is empty; enter a number' } : compute(request);
    if (!out.ok) {
      errors.show(out.where, out.what);
      $('stale').hidden = !lastGood; // the last good result stays on screen, marked
    } else {
      const r = out.value;
      lastGood = r;
      $('stale').hidden = true;
      results.update(r, request);
      batch.showTotals(r);
      roofline.update(r);
      sweep.update(request);
      compare.update(r);
      $('scenario-line').textContent = `${r.scenario.model} on ${r.scenario.gpu}, TP ${r.scenario.tp}, coefficients ${r.scenario.coefficients}`;
      if (state.model.startsWith('custom:') || state.gpu.startsWith('custom:')) scenario.showInfo(r);
      share.postToParent(r);
    }
    share.followUrl();
    document.documentElement.dataset.renders = String(Number(document.documentElement.dataset.renders ?? 0) + 1);
    // For the benchmark and tests: when the update began and whether it succeeded.
    dispatchEvent(new CustomEvent('stepcalc:rendered', { detail: { ok: out.ok, start } }));
  }

  scenario.showInfo();
  custom.showSelected();
  share.showCustomNote();
  batch.render();
  render();
  document.documentElement.dataset.ready = '1';
}

start().catch((e) => showFatal(`The calculator stopped with an unexpected error: ${e?.message ?? e}`));
