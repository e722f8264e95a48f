// "Show the formula": each term's formula, then the same formula with the operands the
// core returns put in (its `arch`, `hardware`, `sharding` and `work` fields), then the
// core's intermediate sums and its result. The substituted line is plain arithmetic
// (numbers, ·, /, +, parentheses), so a test can evaluate it against the core's term.
import { num, sci, count, sub } from './format.mjs';
import { TERMS } from './terms.mjs';

export { TERMS };

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./wasm/stepcalc.mjs').BasisTerm} BasisTerm */

/** @param {number} x */
const t = (x) => `${num(x)} µs`;

// An operand in the arithmetic lines: 12 significant digits, so no floating-point noise
// (6.143999999999926e+25 reads 6.144e25) while the line still evaluates to the core's term;
// e-notation from 10⁷ as elsewhere on the page; no grouping commas, which would read as
// separators in a formula.
/** @param {number} x */
export function operand(x) {
  const rounded = Number(x.toPrecision(12));
  return Math.abs(rounded) >= 1e7 ? rounded.toExponential().replace('e+', 'e') : String(rounded);
}
const o = operand;


/** @param {PageRequest} request */
function prefillRows(request) {
  const rows = request.step.prefill.map((r) => `T=${o(r.tokens_this_step)}, S=${o(r.prompt_tokens)}${r.count > 1 ? ` ×${o(r.count)}` : ''}`);
  return rows.length > 4 ? `${rows.slice(0, 4).join('; ')}; … (${o(rows.length)} rows)` : rows.join('; ') || 'none';
}

// {formula, where: [lines], substituted, steps: [lines], result} for one term.
/** @typedef {{ formula: string, where: string[], substituted: string, steps: string[], result: string }} FormulaParts */
/**
 * @param {BasisTerm} term
 * @param {StepResponse} r
 * @param {PageRequest} [request] for the prefill chunks' list
 * @returns {FormulaParts}
 */
export function formulaParts(term, r, request) {
  const a = r.arch, h = r.hardware, TP = r.scenario.tp, sh = r.sharding, wp = r.work.prefill, wd = r.work.decode;
  const peak = `(${o(h.flops_peak_tflops)}·1e6)`, hbm = `(${o(h.bw_hbm_tb_s)}·1e6)`, link = `(${o(h.bw_link_gb_s)}·1e3)`;
  const result = t(r.basis[term]);
  const heads = `  h = ${count(sh.heads_per_gpu, 'query head')} per GPU (⌊H/TP⌋ = ⌊${o(a.H)}/${o(TP)}⌋)`;
  // With kv_heads < TP the memory fit counts other heads than this formula: say both.
  const stored = sh.kv_heads_stored_per_gpu === sh.kv_heads_per_gpu ? ''
    : `; the memory fit counts the ${count(sh.kv_heads_stored_per_gpu, 'KV head')} per GPU real engines keep by replicating them`;
  const kvHeads = `  kv = ${count(sh.kv_heads_per_gpu, 'KV head')} per GPU in the formula (⌊kv_heads/TP⌋ = ⌊${o(a.kv_heads)}/${o(TP)}⌋)${stored}`;
  // Both compute terms are (projections + attention + FFN) FLOPs over the peak.
  /**
   * @param {string} T
   * @param {number} tokens
   * @param {string} attn
   * @param {string} attnN
   * @param {import('./wasm/stepcalc.mjs').PhaseWork} work
   * @param {string[]} where
   */
  const compute = (T, tokens, attn, attnN, work, where) => ({
    formula: `${term} = (L·2·${T}·d·(2·q_dim+2·d_kv)/TP + ${attn} + L·${T}·k_eff·6·d·d_ff/TP) / (FLOPS_peak·1e6)`,
    where,
    substituted: `(${o(a.L)}·2·${o(tokens)}·${o(a.d)}·(2·${o(a.q_dim)}+2·${o(a.d_kv)})/${o(TP)} + ${attnN} + ${o(a.L)}·${o(tokens)}·${o(a.k_eff)}·6·${o(a.d)}·${o(a.d_ff)}/${o(TP)}) / ${peak}`,
    steps: [`(${sci(work.flops_proj)} + ${sci(work.flops_attn)} + ${sci(work.flops_ffn)}) FLOP / ${peak}`],
    result,
  });
  // Both KV terms are the bytes of K and V written or read, over the HBM bandwidth.
  /**
   * @param {string} tokens
   * @param {string} tokensN
   * @param {import('./wasm/stepcalc.mjs').PhaseWork} work
   */
  const kv = (tokens, tokensN, work) => ({
    formula: `${term} = L·2·kv·d_h·${tokens} / (BW_hbm·1e6)`,
    where: [kvHeads],
    substituted: `${o(a.L)}·2·${o(sh.kv_heads_per_gpu)}·${o(a.d_h)}·${tokensN} / ${hbm}`,
    steps: [`${sci(work.kv_bytes)} B / ${hbm}`],
    result,
  });
  switch (term) {
    case 't_pf_compute':
      return compute('T_pf', wp.tokens, 'L·4·h·P·d_h', `${o(a.L)}·4·${o(sh.heads_per_gpu)}·${o(wp.attn_pairs)}·${o(a.d_h)}`, wp, [
        heads,
        `  P = Σᵢ countᵢ·Tᵢ·(Sᵢ+Tᵢ/2) = ${o(wp.attn_pairs)} (the causal mask halves each chunk's own tokens)` +
          (request ? `; chunks: ${prefillRows(request)}` : ''),
      ]);
    case 't_pf_kv':
      return kv('T_pf·2', `${o(wp.tokens)}·2`, wp);
    case 't_dc_compute':
      return compute('T_dc', wd.tokens, 'L·4·h·Σⱼ Sⱼ·d_h', `${o(a.L)}·4·${o(sh.heads_per_gpu)}·${o(wd.context_tokens)}·${o(a.d_h)}`, wd, [heads]);
    case 't_dc_kv':
      return kv('2·(Σⱼ Sⱼ + T_dc)', `2·(${o(wd.context_tokens)} + ${o(wd.tokens)})`, wd);
    case 't_weight': {
      const w = r.work.weight;
      return {
        formula: 't_weight = (L·d·(2·q_dim+2·d_kv)·2/TP + L·N_eff·3·d·d_ff·2/TP) / (BW_hbm·1e6)',
        where: [a.is_moe
          ? `  N_eff = min(N, max(k, B·k)), B = tokens in the step = min(${o(a.N)}, max(${o(a.k)}, ${o(wp.tokens + wd.tokens)}·${o(a.k)})) = ${o(w.active_experts)}`
          : '  N_eff = 1 (dense)'],
        substituted: `(${o(a.L)}·${o(a.d)}·(2·${o(a.q_dim)}+2·${o(a.d_kv)})·2/${o(TP)} + ${o(a.L)}·${o(w.active_experts)}·3·${o(a.d)}·${o(a.d_ff)}·2/${o(TP)}) / ${hbm}`,
        steps: [`(${sci(w.bytes_attn)} + ${sci(w.bytes_ffn)}) B / ${hbm}`],
        result,
      };
    }
    case 't_tp': {
      if (TP === 1) return { formula: 't_tp = 0 at TP 1 (no all-reduce)', where: [], substituted: '0', steps: [], result };
      // Point-to-point at TP 2; a ring all-reduce (send and receive) at TP ≥ 3.
      const ring = TP === 2 ? '' : '2·';
      const T = wp.tokens + wd.tokens;
      return {
        formula: `t_tp = L·2·${ring}(T·d·2) / (BW_link·1e3)   [TP ${TP === 2 ? '2' : '≥ 3'}]`,
        where: [`  T = T_pf + T_dc = ${o(wp.tokens)} + ${o(wd.tokens)} = ${o(T)}`],
        substituted: `${o(a.L)}·2·${ring}(${o(T)}·${o(a.d)}·2) / ${link}`,
        steps: [`${sci(r.work.tp.bytes)} B / ${link}`],
        result,
      };
    }
  }
  throw new Error(`no formula for ${term}`);
}

/**
 * @param {BasisTerm} term
 * @param {StepResponse} r
 * @param {PageRequest} [request]
 */
export function formulaText(term, r, request) {
  const f = formulaParts(term, r, request);
  return [f.formula, ...f.where, `= ${f.substituted}`, ...f.steps.map((s) => `= ${s}`), `= ${f.result}`].join('\n');
}

/** @param {StepResponse} r */
export function stepFormulaText(r) {
  const b = r.basis, x = r.features, beta = r.beta, c = r.contributions_us;
  // Each argument of max() carries its unit, so a digit-grouping comma ("7,848") is never
  // read as the comma between the arguments.
  /** @param {number} a @param {number} b2 */
  const max = (a, b2) => `max(${t(a)}, ${t(b2)})`;
  const names = ['max(t_pf_compute, t_pf_kv)', 'max(t_dc_compute, t_dc_kv)', 't_weight', 't_tp', 'L', 'batch_size', '1'];
  const lines = [
    'step_time_us = Σ βᵢ·Xᵢ,  X = [max(t_pf_compute, t_pf_kv), max(t_dc_compute, t_dc_kv), t_weight, t_tp, L, batch_size, 1]',
  ];
  lines.push(`  X₁ = ${max(b.t_pf_compute, b.t_pf_kv)} = ${t(x[0])}`);
  lines.push(`  X₂ = ${max(b.t_dc_compute, b.t_dc_kv)} = ${t(x[1])}`);
  names.forEach((n, i) => lines.push(`  β${sub(i + 1)}·X${sub(i + 1)} = ${num(beta[i])} · ${num(x[i])}  (${n}) = ${num(c[i])} µs`));
  lines.push(`= ${num(r.step_time_us)} µs`);
  return lines.join('\n');
}
