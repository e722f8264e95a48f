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
  const proj = (T) => `L·2·${T}·d·(2·q_dim+2·d_kv)/TP`;
  const projN = (T) => `${a.L}·2·${T}·${a.d}·(2·${a.q_dim}+2·${a.d_kv})/${TP}`;
  const ffn = (T) => `L·${T}·k_eff·6·d·d_ff/TP`;
  const ffnN = (T) => `${a.L}·${T}·${a.k_eff}·6·${a.d}·${a.d_ff}/${TP}`;
  switch (term) {
    case 't_pf_compute':
      return [
        `t_pf_compute = (${proj('T_pf')} + L·Σᵢ 4·⌊H/TP⌋·Tᵢ·(Sᵢ+Tᵢ/2)·d_h + ${ffn('T_pf')}) / (FLOPS_peak·1e6)`,
        `= (${projN(wp.tokens)} + ${a.L}·Σᵢ 4·⌊${a.H}/${TP}⌋·Tᵢ·(Sᵢ+Tᵢ/2)·${a.d_h} + ${ffnN(wp.tokens)}) / ${peak}`,
        `  with chunks: ${prefillRows(request)}`,
        `= (${sci(wp.flops_proj)} + ${sci(wp.flops_attn)} + ${sci(wp.flops_ffn)}) FLOP / ${peak}`,
        `= ${t(r.basis.t_pf_compute)}`,
      ].join('\n');
    case 't_pf_kv':
      return [
        't_pf_kv = L·2·⌊kv_heads/TP⌋·d_h·T_pf·2 / (BW_hbm·1e6)',
        `= ${a.L}·2·⌊${a.kv_heads}/${TP}⌋·${a.d_h}·${wp.tokens}·2 / ${hbm}`,
        `= ${sci(wp.kv_bytes)} B / ${hbm}`,
        `= ${t(r.basis.t_pf_kv)}`,
      ].join('\n');
    case 't_dc_compute':
      return [
        `t_dc_compute = (${proj('T_dc')} + L·4·⌊H/TP⌋·Σⱼ Sⱼ·d_h + ${ffn('T_dc')}) / (FLOPS_peak·1e6)`,
        `= (${projN(wd.requests)} + ${a.L}·4·⌊${a.H}/${TP}⌋·${wd.context_tokens}·${a.d_h} + ${ffnN(wd.requests)}) / ${peak}`,
        `= (${sci(wd.flops_proj)} + ${sci(wd.flops_attn)} + ${sci(wd.flops_ffn)}) FLOP / ${peak}`,
        `= ${t(r.basis.t_dc_compute)}`,
      ].join('\n');
    case 't_dc_kv':
      return [
        't_dc_kv = L·2·⌊kv_heads/TP⌋·d_h·2·(Σⱼ Sⱼ + T_dc) / (BW_hbm·1e6)',
        `= ${a.L}·2·⌊${a.kv_heads}/${TP}⌋·${a.d_h}·2·(${wd.context_tokens} + ${wd.requests}) / ${hbm}`,
        `= ${sci(wd.kv_bytes)} B / ${hbm}`,
        `= ${t(r.basis.t_dc_kv)}`,
      ].join('\n');
    case 't_weight': {
      const w = r.work.weight;
      return [
        't_weight = (L·d·(2·q_dim+2·d_kv)·2/TP + L·N_eff·3·d·d_ff·2/TP) / (BW_hbm·1e6)',
        a.is_moe
          ? `  N_eff = min(N, max(k, B·k)) = min(${a.N}, max(${a.k}, ${r.basis.batch_size}·${a.k})) = ${w.active_experts}`
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
