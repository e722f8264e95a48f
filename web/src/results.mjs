// Results panel: step time, basis terms with formulas and notes, contributions bar,
// derived figures. Built once; each update only sets text, widths and attributes.
import { TERMS } from './terms.mjs';
import { num, human, DASH } from './format.mjs';
import {
  CONTRIB, PHASE_SCOPE, phases, stepVerdict, phaseBadge, phaseSentence, derivedFigures, contributionParts, contributionText,
  belowRooflineText, derivedLabels, kvHeadsSentence,
} from './verdict.mjs';
import { createMemoryView } from './memory.mjs';

export { phases };

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

export function createResults() {
  const body = $('terms-body');
  /** @type {Record<string, { span: HTMLElement, marks: HTMLElement, details: HTMLDetailsElement, pre: HTMLElement, tr: HTMLElement }>} */
  const cells = {};
  for (const [key, label] of TERMS) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.append(label, document.createElement('br'));
    const code = document.createElement('code');
    code.textContent = key;
    th.append(code);
    const value = document.createElement('td');
    const span = document.createElement('span');
    span.dataset.basis = key;
    span.dataset.us = '';
    const marks = document.createElement('span');
    marks.className = 'note-marks';
    value.append(span, marks);
    const ftd = document.createElement('td');
    const details = document.createElement('details');
    details.className = 'formula';
    const summary = document.createElement('summary');
    summary.textContent = 'Show the formula';
    summary.setAttribute('aria-label', `Show the formula for ${label}`);
    const pre = document.createElement('pre');
    details.append(summary, pre);
    ftd.append(details);
    tr.append(th, value, ftd);
    body.append(tr);
    cells[key] = { span, marks, details, pre, tr };
    details.addEventListener('toggle', () => { if (details.open) showOpenFormulas(); });
  }
  const stepDetails = /** @type {HTMLDetailsElement} */ ($('step-formula'));
  stepDetails.addEventListener('toggle', () => { if (stepDetails.open) showOpenFormulas(); });

  // The formulas' code (formula.mjs) is fetched when a formula is first opened: the first
  // load does without it (docs/size.md). Opened formulas follow every update.
  /** @type {typeof import('./formula.mjs') | null} */
  let formulas = null;
  let formulasLoading = false;
  function showOpenFormulas() {
    const open = TERMS.filter(([key]) => cells[key].details.open);
    if (!last || (open.length === 0 && !stepDetails.open)) return;
    if (!formulas) {
      if (formulasLoading) return; // the load shows whatever is open when it comes
      formulasLoading = true;
      import('./formula.mjs').then((loaded) => { formulas = loaded; showOpenFormulas(); }, (error) => {
        const text = `The formula could not be loaded (${error.message}); reload the page to try again.`;
        for (const [key] of open) cells[key].pre.textContent = text;
        if (stepDetails.open) $('step-formula-text').textContent = text;
      });
      return;
    }
    for (const [key] of open) cells[key].pre.textContent = formulas.formulaText(key, last.r, last.req);
    if (stepDetails.open) $('step-formula-text').textContent = formulas.stepFormulaText(last.r);
  }

  const stack = $('stack'), legend = $('stack-legend');
  const segs = CONTRIB.map((_, i) => {
    const cls = `c${i}`;
    const seg = document.createElement('div');
    seg.className = `seg ${cls}`;
    stack.append(seg);
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `sw ${cls}`;
    sw.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span'), formula = document.createElement('span'), value = document.createElement('span');
    formula.className = 'full-only';
    li.append(sw, name, formula, value);
    legend.append(li);
    return { seg, li, name, formula, value };
  });

  const derived = $('derived');
  /** @type {Record<string, HTMLElement>} */
  const dd = {};
  /** @type {Record<string, HTMLElement>} */
  const dt = {};
  for (const [key, label] of [
    ['tps', 'Tokens per second (this step)'], ['tflops', 'Achieved TFLOPS (FLOPs ÷ predicted step time)'],
    ['mfu', 'MFU (model FLOPs utilisation)'], ['bw', 'HBM bandwidth utilisation'], // bw and aiStep: labelled by update()
    ['aiPf', 'Prefill arithmetic intensity (FLOPs ÷ KV bytes written)'],
    ['aiDc', 'Decode arithmetic intensity (FLOPs ÷ KV bytes read)'],
    ['aiStep', 'Whole-step arithmetic intensity'],
    ['ridge', 'GPU ridge point (peak TFLOPS ÷ HBM bandwidth)'],
  ]) {
    const term = document.createElement('dt');
    term.textContent = label;
    const d = document.createElement('dd');
    d.dataset.figure = key;
    derived.append(term, d);
    dd[key] = d;
    dt[key] = term;
  }
  // The figures that can pass the hardware's peak: the value, then why when it does.
  const figures = /** @type {Record<'tps' | 'tflops' | 'mfu' | 'bw', { value: HTMLElement, note: HTMLElement }>} */ ({}); // filled below
  for (const key of /** @type {const} */ (['tps', 'tflops', 'mfu', 'bw'])) {
    const value = document.createElement('span'), note = document.createElement('span');
    note.className = 'above-peak';
    dd[key].append(value, note);
    figures[key] = { value, note };
  }

  const memory = createMemoryView();
  const stepEl = $('step-time'), live = $('live');
  /** @type {{ r: StepResponse, req: PageRequest } | null} */
  let last = null;
  let announceTimer = 0;

  /**
   * @param {HTMLElement} el
   * @param {StepResponse} r
   * @param {import('./verdict.mjs').Phase} phase
   */
  function badge(el, r, phase) {
    const b = phaseBadge(r, phase);
    el.textContent = b.text;
    el.className = `badge ${b.kind}`;
  }

  // A derived figure, and beside it, when it passes the hardware's peak, why.
  /**
   * @param {keyof typeof figures} key
   * @param {{ text: string, note: string }} f
   */
  function figure(key, f) {
    figures[key].value.textContent = f.text;
    figures[key].note.textContent = f.note ? ` — ${f.note}` : '';
  }

  // The verdict's nodes, kept: the term's formula is left out of the compact (embedded) view.
  const verdict = $('verdict'), verdictFormula = document.createElement('span');
  verdictFormula.className = 'full-only';
  const verdictLead = document.createTextNode(''), verdictRest = document.createTextNode('');
  verdict.append(verdictLead, verdictFormula, verdictRest);

  /**
   * @param {StepResponse} r
   * @param {PageRequest} req
   */
  function update(r, req) {
    last = { r, req };
    stepEl.dataset.us = String(r.step_time_us);
    stepEl.textContent = human(r.step_time_us);
    stepEl.title = `${r.step_time_us} µs`;
    const below = belowRooflineText(r);
    $('below-roofline').textContent = below;
    $('below-roofline').hidden = below === '';
    memory.update(r, req);
    for (const [key] of TERMS) {
      const c = cells[key];
      c.span.dataset.us = String(r.basis[key]);
      c.span.textContent = num(r.basis[key]);
    }
    showOpenFormulas();
    badge($('badge-prefill'), r, 'prefill');
    badge($('badge-decode'), r, 'decode');
    const v = stepVerdict(r);
    verdictLead.data = v.lead;
    verdictFormula.textContent = v.formula;
    verdictRest.data = v.rest;
    verdict.dataset.bound = v.bound;

    const total = r.step_time_us;
    r.contributions_us.forEach((c, i) => {
      const share = total > 0 ? c / total : 0;
      segs[i].seg.style.width = `${(share * 100).toFixed(3)}%`;
      const parts = contributionParts(r, i);
      for (const key of /** @type {const} */ (['name', 'formula', 'value'])) segs[i][key].textContent = parts[key];
      segs[i].seg.title = contributionText(r, i);
      segs[i].li.dataset.us = String(c);
    });
    stack.setAttribute('aria-label', 'Contributions to the step time: ' +
      r.contributions_us.map((c, i) => (c > 0 ? contributionText(r, i) : '')).filter(Boolean).join('; '));

    const p = phases(r), f = derivedFigures(r);
    for (const key of /** @type {(keyof typeof figures)[]} */ (Object.keys(figures))) figure(key, f[key]);
    // A phase without KV bytes has no intensity; the sentence under the badges says why.
    /**
     * @param {number} ai
     * @param {import('./verdict.mjs').Phase} phase
     */
    const intensity = (ai, phase) => (Number.isFinite(ai) ? `${num(ai)} FLOP/B`
      : `${DASH} (${r.bottleneck[phase] === 'none' ? `no ${phase} in this step` : `no KV bytes: see the ${phase} sentence above`})`);
    dd.aiPf.textContent = intensity(p.aiPrefill, 'prefill');
    dd.aiDc.textContent = intensity(p.aiDecode, 'decode');
    dd.aiStep.textContent = Number.isFinite(p.aiStep) ? `${num(p.aiStep)} FLOP/B` : DASH;
    dd.ridge.textContent = `${num(p.ridge)} FLOP/B`;
    // These two labels name the bytes their figure counts, which kv_heads < TP changes.
    const labels = derivedLabels(r);
    dt.bw.textContent = labels.bw;
    dt.aiStep.textContent = labels.aiStep;
    $('teach').textContent = [phaseSentence(r, 'prefill'), phaseSentence(r, 'decode'), kvHeadsSentence(r), PHASE_SCOPE].filter(Boolean).join(' ');

    // Notes go beside the terms they affect, and in full below.
    const notes = $('notes');
    notes.replaceChildren();
    for (const key of Object.keys(cells)) cells[key].marks.replaceChildren();
    r.notes.forEach((note, i) => {
      const li = document.createElement('li');
      li.id = `note-${i + 1}`;
      li.textContent = note.message;
      notes.append(li);
      for (const term of note.affects) {
        const m = cells[term]?.marks;
        if (!m) continue;
        const a = document.createElement('a');
        a.href = `#note-${i + 1}`;
        a.className = 'note-mark';
        a.textContent = `note ${i + 1}`;
        a.title = note.message;
        m.append(' ', a);
      }
    });
    $('notes-box').hidden = r.notes.length === 0;

    // Announce politely once the user pauses, not on every keystroke.
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => { live.textContent = `Predicted step time ${human(r.step_time_us)}`; }, 900);
  }

  return { update };
}
