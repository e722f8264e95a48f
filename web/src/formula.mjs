// "Show the formula": each term's formula with the response's own numbers put in.
// Intermediate results (FLOPs, bytes) are the core's `work` fields, not recomputed here.
import { num, sci } from './format.mjs';

const t = (x) => `${num(x)} µs`;

export const TERMS = [
  ['t_pf_compute', 'Prefill compute'],
  ['t_pf_kv', 'Prefill KV write'],
  ['t_dc_compute', 'Decode compute'],
  ['t_dc_kv', 'Decode KV read'],
  ['t_weight', 'Weight read'],
  ['t_tp', 'TP all-reduce'],
];

function prefillRows(request) {
  const rows = request.step.prefill.map((r) => `T=${r.tokens_this_step}, S=${r.prompt_tokens}${r.count > 1 ? ` ×${r.count}` : ''}`);
  return rows.length > 4 ? `${rows.slice(0, 4).join('; ')}; … (${rows.length} rows)` : rows.join('; ') || 'none';
}

export function formulaText(term, r, request) {
  const a = r.arch, h = r.hardware, TP = r.scenario.tp, wp = r.work.prefill, wd = r.work.decode;
  const peak = `(${h.flops_peak_tflops}·1e6)`, hbm = `(${h.bw_hbm_tb_s}·1e6)`;
  // Both compute terms are (projections + attention + FFN) FLOPs over the peak; T is the
  // phase's token count (prefill tokens, or one per decode request).
  const compute = (T, tokens, attn, attnN, work, extra = []) => [
    `${term} = (L·2·${T}·d·(2·q_dim+2·d_kv)/TP + ${attn} + L·${T}·k_eff·6·d·d_ff/TP) / (FLOPS_peak·1e6)`,
    `= (${a.L}·2·${tokens}·${a.d}·(2·${a.q_dim}+2·${a.d_kv})/${TP} + ${attnN} + ${a.L}·${tokens}·${a.k_eff}·6·${a.d}·${a.d_ff}/${TP}) / ${peak}`,
    ...extra,
    `= (${sci(work.flops_proj)} + ${sci(work.flops_attn)} + ${sci(work.flops_ffn)}) FLOP / ${peak}`,
    `= ${t(r.basis[term])}`,
  ].join('\n');
  // Both KV terms are the bytes of K and V written or read, over the HBM bandwidth.
  const kv = (tokens, tokensN, work) => [
    `${term} = L·2·⌊kv_heads/TP⌋·d_h·${tokens} / (BW_hbm·1e6)`,
    `= ${a.L}·2·⌊${a.kv_heads}/${TP}⌋·${a.d_h}·${tokensN} / ${hbm}`,
    `= ${sci(work.kv_bytes)} B / ${hbm}`,
    `= ${t(r.basis[term])}`,
  ].join('\n');
  switch (term) {
    case 't_pf_compute':
      return compute('T_pf', wp.tokens, 'L·Σᵢ 4·⌊H/TP⌋·Tᵢ·(Sᵢ+Tᵢ/2)·d_h', `${a.L}·Σᵢ 4·⌊${a.H}/${TP}⌋·Tᵢ·(Sᵢ+Tᵢ/2)·${a.d_h}`, wp,
        [`  with chunks: ${prefillRows(request)}`]);
    case 't_pf_kv':
      return kv('T_pf·2', `${wp.tokens}·2`, wp);
    case 't_dc_compute':
      return compute('T_dc', wd.requests, 'L·4·⌊H/TP⌋·Σⱼ Sⱼ·d_h', `${a.L}·4·⌊${a.H}/${TP}⌋·${wd.context_tokens}·${a.d_h}`, wd);
    case 't_dc_kv':
      return kv('2·(Σⱼ Sⱼ + T_dc)', `2·(${wd.context_tokens} + ${wd.requests})`, wd);
    case 't_weight': {
      const w = r.work.weight;
      return [
        't_weight = (L·d·(2·q_dim+2·d_kv)·2/TP + L·N_eff·3·d·d_ff·2/TP) / (BW_hbm·1e6)',
        a.is_moe
          ? `  N_eff = min(N, max(k, B·k)), B = tokens in the step = min(${a.N}, max(${a.k}, ${r.work.prefill.tokens + r.work.decode.tokens}·${a.k})) = ${w.active_experts}`
          : '  N_eff = 1 (dense)',
        `= (${a.L}·${a.d}·(2·${a.q_dim}+2·${a.d_kv})·2/${TP} + ${a.L}·${w.active_experts}·3·${a.d}·${a.d_ff}·2/${TP}) / ${hbm}`,
        `= (${sci(w.bytes_attn)} + ${sci(w.bytes_ffn)}) B / ${hbm}`,
        `= ${t(r.basis.t_weight)}`,
      ].join('\n');
    }
    case 't_tp': {
      if (TP === 1) return 't_tp = 0 at TP 1 (no all-reduce)\n= 0 µs';
      const f = TP === 2 ? 'L·2·(T·d·2)' : 'L·2·2·(T·d·2)';
      const fN = TP === 2 ? `${a.L}·2·(T·${a.d}·2)` : `${a.L}·2·2·(T·${a.d}·2)`;
      return [
        `t_tp = ${f} / (BW_link·1e3)   [TP ${TP === 2 ? '2' : '≥ 3'}; T = T_pf + T_dc = ${wp.tokens + wd.tokens}]`,
        `= ${fN} / (${h.bw_link_gb_s}·1e3)`,
        `= ${sci(r.work.tp.bytes)} B / (${h.bw_link_gb_s}·1e3)`,
        `= ${t(r.basis.t_tp)}`,
      ].join('\n');
    }
  }
  return '';
}

export function stepFormulaText(r) {
  const b = r.basis, x = r.features, beta = r.beta, c = r.contributions_us;
  const names = ['max(t_pf_compute, t_pf_kv)', 'max(t_dc_compute, t_dc_kv)', 't_weight', 't_tp', 'L', 'batch_size', '1'];
  const lines = [
    'step_time_us = Σ βᵢ·Xᵢ,  X = [max(t_pf_compute, t_pf_kv), max(t_dc_compute, t_dc_kv), t_weight, t_tp, L, batch_size, 1]',
  ];
  lines.push(`  X₁ = max(${num(b.t_pf_compute)}, ${num(b.t_pf_kv)}) = ${num(x[0])}`);
  lines.push(`  X₂ = max(${num(b.t_dc_compute)}, ${num(b.t_dc_kv)}) = ${num(x[1])}`);
  names.forEach((n, i) => lines.push(`  β${i + 1}·X${i + 1} = ${num(beta[i])} · ${num(x[i])}  (${n}) = ${num(c[i])} µs`));
  lines.push(`= ${num(r.step_time_us)} µs`);
  return lines.join('\n');
}
