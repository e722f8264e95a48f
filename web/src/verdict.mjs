// Every sentence the results panel and the roofline chart say about a response, built
// from the core's numbers only. Pure functions (no DOM), so each one can be checked on
// the edge cases: zero KV bytes (kv_heads < TP), fitted β < 1, empty phases, a zero step.
import { num, pct, human, ratio, count, sub } from './format.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {'prefill' | 'decode'} Phase */

// The seven β·X contributions, in the core's order; zero(r) says why the term's X is 0.
/** @type {{ name: string, formula: string, zero: (r: StepResponse) => string }[]} */
export const CONTRIB = [
  { name: 'Prefill', formula: 'β₁·max(t_pf_compute, t_pf_kv)', zero: () => 'the step has no prefill chunks' },
  { name: 'Decode', formula: 'β₂·max(t_dc_compute, t_dc_kv)', zero: () => 'the step has no decode requests' },
  { name: 'Weight read', formula: 'β₃·t_weight', zero: () => 'there are no weight bytes' },
  { name: 'TP all-reduce', formula: 'β₄·t_tp', zero: (r) => (r.scenario.tp === 1 ? 'TP 1 has no all-reduce' : 'the step has no tokens to all-reduce') },
  { name: 'Per-layer overhead', formula: 'β₅·L', zero: () => 'the model has no layers' },
  { name: 'Per-request overhead', formula: 'β₆·batch_size', zero: () => 'the batch is empty' },
  { name: 'Constant overhead', formula: 'β₇', zero: () => 'its X is 0' },
];
/** @param {number} i the term's index, 0 to 6 */
const beta = (i) => `β${sub(i + 1)}`;

// Each phase: the name of its memory term (what the badge compares compute with).
/** @type {Record<Phase, { title: string, kv: string, bytesOf: string, compute: import('./wasm/stepcalc.mjs').BasisTerm, memory: import('./wasm/stepcalc.mjs').BasisTerm }>} */
const PHASE = {
  prefill: { title: 'Prefill', kv: 'KV write', bytesOf: 'KV written', compute: 't_pf_compute', memory: 't_pf_kv' },
  decode: { title: 'Decode', kv: 'KV read', bytesOf: 'KV read', compute: 't_dc_compute', memory: 't_dc_kv' },
};

// Figures the roofline chart and the text share; all ratios of core numbers. Each
// phase point counts the phase's FLOPs over its own KV bytes; the whole step counts
// its FLOPs over all of its HBM traffic (weights and KV).
/** @param {StepResponse} r */
export function phases(r) {
  const wp = r.work.prefill, wd = r.work.decode, ww = r.work.weight, b = r.basis;
  const stepS = r.step_time_us * 1e-6;
  const flops = wp.flops + wd.flops;
  const bytes = wp.kv_bytes + wd.kv_bytes + ww.bytes;
  // The pure roofline model (β₁…β₄ = 1, no overheads): never faster than the roof.
  const rooflineUs = r.features[0] + r.features[1] + r.features[2] + r.features[3];
  return {
    ridge: r.hardware.ridge_flops_per_byte,
    flops, bytes, rooflineUs,
    aiPrefill: ratio(wp.flops, wp.kv_bytes),
    aiDecode: ratio(wd.flops, wd.kv_bytes),
    aiStep: ratio(flops, bytes),
    tflopsPrefill: ratio(wp.flops, Math.max(b.t_pf_compute, b.t_pf_kv) * 1e6),
    tflopsDecode: ratio(wd.flops, Math.max(b.t_dc_compute, b.t_dc_kv) * 1e6),
    tflopsStep: ratio(flops, r.step_time_us * 1e6),
    tflopsRoofline: ratio(flops, rooflineUs * 1e6),
    tokensPerS: ratio(wp.tokens + wd.tokens, stepS),
    mfu: ratio(ratio(flops, stepS), r.hardware.flops_peak_tflops * 1e12),
    mfuRoofline: ratio(ratio(flops, rooflineUs * 1e-6), r.hardware.flops_peak_tflops * 1e12),
    bwUtil: ratio(ratio(bytes, stepS), r.hardware.bw_hbm_tb_s * 1e12),
    bwUtilRoofline: ratio(ratio(bytes, rooflineUs * 1e-6), r.hardware.bw_hbm_tb_s * 1e12),
  };
}

// The largest contribution and its share of the step, or null for a zero step.
/** @param {StepResponse} r */
export function dominant(r) {
  if (!(r.step_time_us > 0)) return null;
  let best = 0;
  r.contributions_us.forEach((c, i) => { if (c > r.contributions_us[best]) best = i; });
  return { index: best, share: r.contributions_us[best] / r.step_time_us };
}

// The terms that are not 0, named ("the weight read and the constant overhead remain").
/** @param {StepResponse} r */
function remainingTerms(r) {
  const names = CONTRIB.filter((_, i) => r.contributions_us[i] > 0).map((term) => `the ${term.name.toLowerCase()}`);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  return `${list} ${names.length === 1 ? 'remains' : 'remain'}`;
}

// The headline: which term dominates, and whether the whole step (weights and KV) is
// compute- or memory-bound on the roofline. In parts, so the compact view can leave out
// the formula: text = lead + formula + rest.
/** @param {StepResponse} r */
export function stepVerdict(r) {
  const p = phases(r);
  const d = dominant(r);
  // A step time of 0 with β ≥ 0 and terms ≥ 0: each term is 0 or has a zero β.
  const lead = d ? CONTRIB[d.index].name : 'The predicted step time is 0: every term is 0 or multiplied by a zero β.';
  const formula = d ? ` (${CONTRIB[d.index].formula})` : '';
  let rest = d ? ` is the largest part of the step: ${pct(d.share)}.` : '';
  let bound = 'none';
  if (!(p.flops > 0)) rest += ` With no tokens in the step there is no arithmetic${d ? `: only ${remainingTerms(r)}` : ''}.`;
  else {
    const tCompute = p.flops / (r.hardware.flops_peak_tflops * 1e6), tMemory = p.bytes / (r.hardware.bw_hbm_tb_s * 1e6);
    bound = tCompute >= tMemory ? 'compute' : 'memory';
    rest += ` The whole step is ${bound}-bound: ${num(p.aiStep)} FLOP per byte of all its HBM traffic ` +
      `(${stepTraffic(r)}) is ${bound === 'compute' ? 'at or above' : 'below'} the ridge point of ${num(p.ridge)} FLOP/B.`;
  }
  return { bound, lead, formula, rest, text: lead + formula + rest };
}

// Whether the roofline terms and the memory fit count different KV heads: with kv_heads <
// TP the terms count ⌊kv_heads/TP⌋ = 0 per GPU (as the seed does) while the memory fit
// counts the replicated head real engines store.
/** @param {StepResponse} r */
export const kvReplicated = (r) => r.sharding.kv_heads_per_gpu !== r.sharding.kv_heads_stored_per_gpu;

// What the whole step's HBM traffic counts: weights and KV, or the weights alone where the
// roofline terms count no KV bytes (kv_heads < TP leaves them 0 KV heads per GPU).
/** @param {StepResponse} r */
export function stepTraffic(r) {
  if (r.work.prefill.kv_bytes + r.work.decode.kv_bytes > 0) return 'weights and KV';
  return `weights only; no KV bytes${r.sharding.kv_heads_per_gpu === 0 ? ', as the roofline terms count 0 KV heads per GPU when kv_heads < TP' : ''}`;
}

// The labels of the derived figures whose bytes depend on the response: what they count.
/** @param {StepResponse} r */
export function derivedLabels(r) {
  const kv = r.work.prefill.kv_bytes + r.work.decode.kv_bytes > 0;
  return {
    bw: `HBM bandwidth utilisation (${kv ? 'weights and KV' : 'weights only; no KV bytes'})`,
    aiStep: `Whole-step arithmetic intensity (FLOPs ÷ ${kv ? 'weight and KV bytes' : 'weight bytes; no KV bytes'})`,
    stepPoint: kv ? 'Step: FLOPs ÷ weights + KV' : 'Step: FLOPs ÷ weights (no KV bytes)',
  };
}

// Why a phase's KV bytes are zero although it has work, as the core counts KV heads.
/** @param {StepResponse} r */
function zeroKvReason(r) {
  return `its KV term counts ${count(r.sharding.kv_heads_per_gpu, 'KV head')} per GPU ` +
    `(⌊kv_heads/TP⌋ = ⌊${r.arch.kv_heads}/${r.scenario.tp}⌋), so it has no KV bytes to divide by`;
}

// Said once under the phase sentences when the memory fit counts other KV heads than the
// roofline terms: both statements, side by side, so neither seems to contradict the other.
/** @param {StepResponse} r */
export function kvHeadsSentence(r) {
  if (!kvReplicated(r)) return '';
  const stored = count(r.sharding.kv_heads_stored_per_gpu, 'KV head');
  return `The roofline terms count ${count(r.sharding.kv_heads_per_gpu, 'KV head')} per GPU ` +
    `(${r.arch.kv_heads} KV heads over TP ${r.scenario.tp}), as the seed does; the memory fit counts the ` +
    `${stored} per GPU that real engines keep by replicating them.`;
}

// The badge: exactly what the phase's verdict compares.
/**
 * @param {StepResponse} r
 * @param {Phase} phase
 * @returns {{ kind: 'none' | 'compute' | 'memory', text: string }}
 */
export function phaseBadge(r, phase) {
  const ph = PHASE[phase];
  if (r.bottleneck[phase] === 'none') return { kind: 'none', text: 'no work' };
  // Nothing to compare the compute with (the sentence under the badges says why).
  if (r.work[phase].kv_bytes === 0) {
    return { kind: 'none', text: `no KV bytes${r.sharding.kv_heads_per_gpu === 0 ? ' (kv_heads < TP)' : ''}` };
  }
  const c = r.basis[ph.compute], m = r.basis[ph.memory];
  if (r.bottleneck[phase] === 'compute') {
    return { kind: 'compute', text: c > m ? `compute exceeds its ${ph.kv}` : `compute equals its ${ph.kv}` };
  }
  return { kind: 'memory', text: `${ph.kv} exceeds its compute` };
}

// Whether a phase can be placed on the roofline chart (it needs FLOPs and KV bytes).
/**
 * @param {StepResponse} r
 * @param {Phase} phase
 */
export function phasePlaced(r, phase) {
  const w = r.work[phase];
  return r.bottleneck[phase] !== 'none' && w.flops > 0 && w.kv_bytes > 0;
}

// The sentence under a badge; it compares what the badge compares and what the chart plots.
/**
 * @param {StepResponse} r
 * @param {Phase} phase
 */
export function phaseSentence(r, phase) {
  const ph = PHASE[phase], p = phases(r);
  if (r.bottleneck[phase] === 'none') return `${ph.title}: no work in this step.`;
  const c = r.basis[ph.compute], m = r.basis[ph.memory];
  if (!phasePlaced(r, phase)) {
    return `${ph.title}: its compute takes ${human(c)} and its ${ph.kv} ${human(m)}; it cannot be placed on the roofline ` +
      `because ${zeroKvReason(r)}.`;
  }
  const ai = phase === 'prefill' ? p.aiPrefill : p.aiDecode;
  const first = c >= m
    ? `its compute (${human(c)} at peak) ${c > m ? 'exceeds' : 'equals'} its ${ph.kv} (${human(m)} at full bandwidth)`
    : `its ${ph.kv} (${human(m)} at full bandwidth) exceeds its compute (${human(c)} at peak)`;
  const cmp = c >= m ? 'at or above' : 'below';
  return `${ph.title}: ${first}; ${num(ai)} FLOP per byte of ${ph.bytesOf} is ${cmp} the ridge point of ${num(p.ridge)} FLOP/B.`;
}

// What the phase badges leave out, said once under them.
export const PHASE_SCOPE = 'Each phase is compared with its own KV traffic only; the weight read is shared by the whole step and counted in the verdict above.';

// Whose β these are: "your" for β typed in, "the fitted" for a preset's. The one preset
// that is not a fit, the roofline prior, has β₁…β₄ = 1, so no sentence about β below 1
// is ever said of it.
/** @param {StepResponse} r */
const betaOwner = (r) => (r.scenario.coefficients === 'custom' ? 'your' : 'the fitted');

// The β that make the prediction faster than the pure roofline (β < 1 on a term that is
// not zero), as "the fitted β₁ = 0.7726 (below 1) predicts" or "your β₁ = 0.5 (below 1)
// predicts"; null when none does.
/** @param {StepResponse} r */
export function fastBetas(r) {
  const low = [0, 1, 2, 3].filter((i) => r.beta[i] < 1 && r.features[i] > 0);
  if (!low.length) return null;
  // Equal values are said once: "β₁, β₂ and β₃ = 0"; else "β₁ = 0.5 and β₂ = 0.7".
  const same = low.every((i) => r.beta[i] === r.beta[low[0]]);
  const items = same ? low.map(beta) : low.map((i) => `${beta(i)} = ${num(r.beta[i])}`);
  const list = items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items[0];
  return `${betaOwner(r)} ${list}${same ? ` = ${num(r.beta[low[0]])}` : ''} (below 1) ${low.length > 1 ? 'predict' : 'predicts'}`;
}

// Next to the step time: where β below 1 make the predicted step shorter than the roofline
// bound (β₁…β₄ = 1, no overheads), say so, whether or not a figure passes the peak; '' when
// the prediction is not shorter.
/** @param {StepResponse} r */
export function belowRooflineText(r) {
  const low = fastBetas(r), roofline = phases(r).rooflineUs;
  if (!low || !(r.step_time_us < roofline)) return '';
  return `Shorter than the roofline bound (${human(roofline)} at β = 1): ${low} a faster step than the roofline.`;
}

// A figure that can only exceed the hardware's peak because the predicted step is shorter than
// the roofline bound: what it is, and the same figure at the roofline bound (β = 1).
/**
 * @param {StepResponse} r
 * @param {string} atRoofline
 */
export function aboveRoofNote(r, atRoofline) {
  const low = fastBetas(r);
  const why = low ? `${low} a faster step than the roofline` : 'the predicted step is shorter than the roofline bound';
  return `above the hardware peak: ${why} (${human(r.step_time_us)} against ${human(phases(r).rooflineUs)} at β = 1, ` +
    `where this figure is ${atRoofline}).`;
}

// The derived figures, each with its explanation when it passes the hardware's peak.
/** @param {StepResponse} r */
export function derivedFigures(r) {
  const p = phases(r), peak = r.hardware.flops_peak_tflops;
  const zeroStep = !(r.step_time_us > 0);
  const undefinedText = 'not defined: the predicted step time is 0';
  /**
   * @param {string} text
   * @param {boolean} over
   * @param {string} [atRoofline] given when over can be true
   */
  const figure = (text, over, atRoofline) => ({
    text: zeroStep ? undefinedText : text,
    note: !zeroStep && over ? aboveRoofNote(r, /** @type {string} */ (atRoofline)) : '',
  });
  return {
    tps: figure(`${num(p.tokensPerS)} tokens/s`, false),
    tflops: figure(`${num(p.tflopsStep)} TFLOPS`, p.tflopsStep > peak, `${num(p.tflopsRoofline)} TFLOPS`),
    mfu: figure(pct(p.mfu), p.mfu > 1, pct(p.mfuRoofline)),
    bw: figure(pct(p.bwUtil), p.bwUtil > 1, pct(p.bwUtilRoofline)),
  };
}

// The contributions legend: every term, a zero one with the reason it is zero. Parts, so
// the compact view can drop the formula: name, formula, then the value and share or reason.
/**
 * @param {StepResponse} r
 * @param {number} i
 */
export function contributionParts(r, i) {
  const c = r.contributions_us[i], total = r.step_time_us;
  const parts = { name: CONTRIB[i].name, formula: ` (${CONTRIB[i].formula})`, value: `: ${num(c)} µs` };
  if (c !== 0) {
    parts.value += ` (${pct(total > 0 ? c / total : 0)})`;
    return parts;
  }
  const reasons = [];
  if (r.beta[i] === 0) reasons.push(`${beta(i)} = 0 in these coefficients`);
  if (r.features[i] === 0) reasons.push(CONTRIB[i].zero(r));
  if (!reasons.length) reasons.push('β·X is below the smallest representable number'); // underflow
  parts.value += `, because ${reasons.join(' and ')}`;
  return parts;
}

/**
 * @param {StepResponse} r
 * @param {number} i
 */
export const contributionText = (r, i) => Object.values(contributionParts(r, i)).join('');
