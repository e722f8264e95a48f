// The formula view's arithmetic, evaluated, equals the core's term: every preset model ×
// TP {1, 2, 3, 4, 8, 16}, a mixed batch, and for MoE models a batch small enough that only
// some experts are read. No browser: web/src/formula.mjs is plain arithmetic on a response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';
import { TERMS, formulaParts, formulaText, stepFormulaText } from '../../web/src/formula.mjs';

const MODULE = join(ROOT, 'build', 'wasm', 'stepcalc.mjs');
const TPS = [1, 2, 3, 4, 8, 16];
const MIXED = {
  prefill: [{ tokens_this_step: 512, prompt_tokens: 2048, count: 2 }, { tokens_this_step: 101, prompt_tokens: 101 }],
  decode: [{ context_length: 1024, count: 32 }, { context_length: 300, count: 5 }],
};
// Three tokens: N_eff = min(N, 3·k) lies between k and N for every MoE preset.
const FEW_TOKENS = { prefill: [], decode: [{ context_length: 777, count: 3 }] };

// The substituted line as the page shows it: numbers, '·', '/', '+' and parentheses only.
function evaluate(text) {
  const js = text.replaceAll('·', '*');
  assert.match(js, /^[\d.e+*/() ]+$/, `not plain arithmetic: ${text}`);
  return Function(`"use strict"; return (${js});`)();
}

test('every term of the formula view evaluates to the core term (relative 1e-9)', async () => {
  assert.ok(existsSync(MODULE), 'build/wasm/stepcalc.mjs is missing: build the WASM module first');
  const calc = await (await import(MODULE)).default();
  const presets = calc.presets();
  let checked = 0, moeChecked = 0;
  for (const model of presets.models) {
    const isMoe = calc.compute({ model: model.id, gpu: 'h100-sxm', tp: 1, step: FEW_TOKENS }).arch.is_moe;
    for (const tp of TPS) {
      for (const step of isMoe ? [MIXED, FEW_TOKENS] : [MIXED]) {
        const request = { model: model.id, gpu: 'h100-sxm', tp, step };
        const r = calc.compute(request);
        for (const [term] of TERMS) {
          const shown = evaluate(formulaParts(term, r, request).substituted);
          const core = r.basis[term];
          const where = `${model.id} TP ${tp} ${step === MIXED ? 'mixed' : 'few tokens'} ${term}: ${formulaText(term, r, request)}`;
          if (core === 0) assert.equal(shown, 0, where);
          else assert.ok(Math.abs(shown - core) <= 1e-9 * Math.abs(core), `${where}\nshown ${shown}, core ${core}`);
          checked++;
        }
        if (step === FEW_TOKENS) {
          const w = r.work.weight;
          assert.ok(w.active_experts > r.arch.k && w.active_experts < r.arch.N, `${model.id}: N_eff strictly between k and N`);
          moeChecked++;
        }
      }
    }
  }
  assert.ok(moeChecked >= 2 * TPS.length, 'at least two MoE presets were checked');
  assert.equal(checked, (presets.models.length * TPS.length + moeChecked) * TERMS.length);
});

test('the formula view shows the sharding it computes with (TP 3, MoE)', async () => {
  const calc = await (await import(MODULE)).default();
  const request = { model: 'qwen3-30b-a3b', gpu: 'h100-sxm', tp: 3, step: MIXED };
  const r = calc.compute(request);
  const text = formulaText('t_pf_compute', r, request);
  assert.match(text, new RegExp(`h = ${r.sharding.heads_per_gpu} query heads per GPU \\(⌊H/TP⌋ = ⌊${r.arch.H}/3⌋\\)`));
  assert.match(text, new RegExp(`P = Σᵢ countᵢ·Tᵢ·\\(Sᵢ\\+Tᵢ/2\\) = ${r.work.prefill.attn_pairs}`));
  assert.match(formulaText('t_tp', r, request), /T = T_pf \+ T_dc = 1125 \+ 37 = 1162/);
});

test('head counts are singular for one, and name the memory fit\'s replicated heads where they differ', async () => {
  const calc = await (await import(MODULE)).default();
  let singular = 0, replicated = 0;
  for (const model of calc.presets().models) {
    for (const tp of TPS) {
      const request = { model: model.id, gpu: 'h100-sxm', tp, step: MIXED };
      const r = calc.compute(request), sh = r.sharding;
      const [kvLine] = formulaParts('t_dc_kv', r, request).where;
      const [hLine] = formulaParts('t_dc_compute', r, request).where;
      const kvHeads = sh.kv_heads_per_gpu === 1 ? '1 KV head per GPU' : `${sh.kv_heads_per_gpu} KV heads per GPU`;
      assert.ok(kvLine.startsWith(`  kv = ${kvHeads} in the formula`), `${model.id} TP ${tp}: ${kvLine}`);
      assert.ok(hLine.startsWith(`  h = ${sh.heads_per_gpu === 1 ? '1 query head' : `${sh.heads_per_gpu} query heads`} per GPU`), `${model.id} TP ${tp}: ${hLine}`);
      if (sh.kv_heads_per_gpu === 1) singular++;
      const stored = sh.kv_heads_stored_per_gpu;
      assert.equal(kvLine.endsWith(`; the memory fit counts the ${stored === 1 ? '1 KV head' : `${stored} KV heads`} per GPU real engines keep by replicating them`),
        stored !== sh.kv_heads_per_gpu, `${model.id} TP ${tp}: ${kvLine}`);
      if (stored !== sh.kv_heads_per_gpu) replicated++;
    }
  }
  assert.ok(singular > 0 && replicated > 0, 'one KV head per GPU, and replicated heads, both occurred');
});

test('the step formula: each max() argument carries its unit, and β and X are subscripted', async () => {
  const calc = await (await import(MODULE)).default();
  // Prefill compute above 1,000 µs: its digits are grouped with a comma.
  const r = calc.compute({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192 }], decode: [{ context_length: 1024, count: 32 }] } });
  assert.ok(r.basis.t_pf_compute >= 1000);
  const text = stepFormulaText(r);
  const maxes = [...text.matchAll(/max\(([^()]*)\)/g)].map((m) => m[1]).filter((a) => /\d/.test(a));
  assert.equal(maxes.length, 2, text);
  for (const args of maxes) {
    // "7,848 µs, 20.03 µs": two arguments, each a number with its unit.
    assert.match(args, /^[\d,.e]+ (µs|ms|s), [\d,.e]+ (µs|ms|s)$/, `ambiguous arguments: max(${args})`);
  }
  assert.match(text, /X₁ = max\(\d{1,3},\d{3} µs, [\d.]+ µs\) = \d{1,3},\d{3} µs/);
  for (let i = 1; i <= 7; i++) assert.match(text, new RegExp(`β${'₀₁₂₃₄₅₆₇'[i]}·X${'₀₁₂₃₄₅₆₇'[i]} = `), text);
  assert.doesNotMatch(text, /[βX]\d/, 'no β1 or X1 without subscripts');
});

test('at the count limits the formula view writes every number in the page\'s format, without noise, and still evaluates to the core', async () => {
  const calc = await (await import(MODULE)).default();
  const { limits } = calc;
  const row = { tokens_this_step: limits.max_tokens, prompt_tokens: limits.max_tokens, count: limits.max_count };
  const request = { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: limits.max_tp,
    coefficients: { beta: [1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9] },
    step: { prefill: Array.from({ length: limits.max_rows }, () => row),
      decode: Array.from({ length: limits.max_rows }, () => ({ context_length: limits.max_tokens, count: limits.max_count })) } };
  const r = calc.compute(request);
  for (const [term] of TERMS) {
    const text = formulaText(term, r, request);
    assert.doesNotMatch(text, /(?<![.\d])\d{8}/, `no raw integer of 8 digits or more: ${text}`);
    assert.doesNotMatch(text, /e\+|\d\.\d{13}/, `no JavaScript exponent or rounding noise: ${text}`);
    const core = r.basis[term];
    const shown = evaluate(formulaParts(term, r, request).substituted);
    assert.ok(core === 0 ? shown === 0 : Math.abs(shown - core) <= 1e-9 * Math.abs(core), `${term}: shown ${shown}, core ${core}`);
  }
  const pf = formulaText('t_pf_compute', r, request);
  assert.match(pf, /P = Σᵢ countᵢ·Tᵢ·\(Sᵢ\+Tᵢ\/2\) = 6\.144e25 /);
  assert.match(pf, /chunks: T=1e8, S=1e8 ×1000000; /);
  assert.match(formulaText('t_tp', r, request), /T = T_pf \+ T_dc = 4\.096e17 \+ 4\.096e9 = 4\.09600004096e17\n/);
  assert.doesNotMatch(stepFormulaText(r), /(?<![.\d])\d{8}|e\+/);
});
