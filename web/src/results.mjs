// Results panel: step time, basis terms with formulas and notes, contributions bar,
// derived figures. Built once; each update only sets text, widths and attributes.
import { TERMS, formulaText, stepFormulaText } from './formula.mjs';
import { num, human, pct, int, ratio, DASH } from './format.mjs';

const CONTRIB = [
  ['Prefill (β₁·max)', 'c0'], ['Decode (β₂·max)', 'c1'], ['Weights (β₃)', 'c2'], ['TP comm (β₄)', 'c3'],
  ['Per layer (β₅·L)', 'c4'], ['Per request (β₆·B)', 'c5'], ['Constant (β₇)', 'c6'],
];
const BADGE = { compute: 'compute-bound', memory: 'memory-bound', none: 'no work' };

const $ = (id) => document.getElementById(id);

// Phase figures the roofline chart and the text share; all ratios of core numbers.
export function phases(r) {
  const wp = r.work.prefill, wd = r.work.decode, ww = r.work.weight;
  const stepS = r.step_time_us * 1e-6;
  const flops = wp.flops + wd.flops;
  const bytes = wp.kv_bytes + wd.kv_bytes + ww.bytes;
  return {
    ridge: r.hardware.ridge_flops_per_byte,
    aiPrefill: ratio(wp.flops, wp.kv_bytes),
    aiDecode: ratio(wd.flops, wd.kv_bytes),
    aiStep: ratio(flops, bytes),
    tflopsPrefill: ratio(wp.flops, Math.max(r.basis.t_pf_compute, r.basis.t_pf_kv) * 1e6),
    tflopsDecode: ratio(wd.flops, Math.max(r.basis.t_dc_compute, r.basis.t_dc_kv) * 1e6),
    tflopsStep: ratio(flops, r.step_time_us * 1e6),
    tokensPerS: ratio(wp.tokens + wd.tokens, stepS),
    mfu: ratio(ratio(flops, stepS), r.hardware.flops_peak_tflops * 1e12),
    bwUtil: ratio(ratio(bytes, stepS), r.hardware.bw_hbm_tb_s * 1e12),
  };
}

export function createResults() {
  const body = $('terms-body');
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
    details.addEventListener('toggle', () => { if (details.open && last) pre.textContent = formulaText(key, last.r, last.req); });
  }
  const stepDetails = $('step-formula');
  stepDetails.addEventListener('toggle', () => { if (stepDetails.open && last) $('step-formula-text').textContent = stepFormulaText(last.r); });

  const stack = $('stack'), legend = $('stack-legend');
  const segs = CONTRIB.map(([label, cls]) => {
    const seg = document.createElement('div');
    seg.className = `seg ${cls}`;
    stack.append(seg);
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `sw ${cls}`;
    sw.setAttribute('aria-hidden', 'true');
    const text = document.createElement('span');
    li.append(sw, text);
    legend.append(li);
    return { seg, li, text, label };
  });

  const derived = $('derived');
  const dd = {};
  for (const [key, label] of [
    ['tps', 'Tokens per second (this step)'], ['mfu', 'MFU (model FLOPs utilisation)'],
    ['bw', 'HBM bandwidth utilisation'], ['aiPf', 'Prefill arithmetic intensity'],
    ['aiDc', 'Decode arithmetic intensity'], ['aiStep', 'Whole-step arithmetic intensity'],
    ['ridge', 'GPU ridge point'],
  ]) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const d = document.createElement('dd');
    derived.append(dt, d);
    dd[key] = d;
  }

  const stepEl = $('step-time'), live = $('live');
  let last = null;
  let announceTimer = 0;

  function badge(el, kind) {
    el.textContent = BADGE[kind] ?? DASH;
    el.className = `badge ${kind}`;
  }

  function teach(r, p) {
    const parts = [];
    const side = (name, ai, kind) => {
      if (kind === 'none') return;
      const cmp = ai >= p.ridge ? 'at or above' : 'below';
      parts.push(`${name} is ${BADGE[kind]}: ${num(ai)} FLOP per byte of KV traffic is ${cmp} the ridge point ` +
        `${num(p.ridge)} FLOP/B (peak TFLOPS ÷ HBM bandwidth), so ${kind === 'compute' ? 'arithmetic' : 'memory traffic'} sets its time.`);
    };
    side('Prefill', p.aiPrefill, r.bottleneck.prefill);
    side('Decode', p.aiDecode, r.bottleneck.decode);
    return parts.join(' ') || 'The batch is empty: only the weight read and fixed terms remain.';
  }

  function update(r, req) {
    last = { r, req };
    stepEl.dataset.us = String(r.step_time_us);
    stepEl.textContent = human(r.step_time_us);
    stepEl.title = `${r.step_time_us} µs`;
    for (const [key] of TERMS) {
      const c = cells[key];
      c.span.dataset.us = String(r.basis[key]);
      c.span.textContent = num(r.basis[key]);
      if (c.details.open) c.pre.textContent = formulaText(key, r, req);
    }
    if (stepDetails.open) $('step-formula-text').textContent = stepFormulaText(r);
    badge($('badge-prefill'), r.bottleneck.prefill);
    badge($('badge-decode'), r.bottleneck.decode);

    const total = r.step_time_us;
    r.contributions_us.forEach((c, i) => {
      const share = total > 0 ? c / total : 0;
      segs[i].seg.style.width = `${(share * 100).toFixed(3)}%`;
      segs[i].seg.title = `${segs[i].label}: ${num(c)} µs`;
      segs[i].li.hidden = c === 0;
      segs[i].text.textContent = `${segs[i].label}: ${num(c)} µs (${pct(share)})`;
    });
    stack.setAttribute('aria-label', 'Contributions to the step time: ' +
      segs.filter((s, i) => r.contributions_us[i] > 0).map((s) => s.text.textContent).join('; '));

    const p = phases(r);
    dd.tps.textContent = `${int(p.tokensPerS)} tokens/s`;
    dd.mfu.textContent = pct(p.mfu);
    dd.bw.textContent = pct(p.bwUtil);
    dd.aiPf.textContent = r.bottleneck.prefill === 'none' ? DASH : `${num(p.aiPrefill)} FLOP/B`;
    dd.aiDc.textContent = r.bottleneck.decode === 'none' ? DASH : `${num(p.aiDecode)} FLOP/B`;
    dd.aiStep.textContent = `${num(p.aiStep)} FLOP/B (KV and weights)`;
    dd.ridge.textContent = `${num(p.ridge)} FLOP/B`;
    $('teach').textContent = teach(r, p);

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
