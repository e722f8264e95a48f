// Every sentence web/src/verdict.mjs builds, on every preset model × TP × batch shape ×
// coefficient set (edge cases included: empty phases, kv_heads < TP, β < 1, all β zero):
// no placeholder or non-number in the words, and each claim agrees with the numbers it is
// about. No browser: the sentences are pure functions of the core's response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';
import {
  phases, stepVerdict, phaseBadge, phaseSentence, phasePlaced, derivedFigures, contributionText, dominant,
  belowRooflineText, kvHeadsSentence, derivedLabels,
} from '../../web/src/verdict.mjs';
import { memoryText } from '../../web/src/memory.mjs';
import { count } from '../../web/src/format.mjs';

const calc = await (await import(join(ROOT, 'build', 'wasm', 'stepcalc.mjs'))).default();
const presets = calc.presets();

const BATCHES = {
  empty: { prefill: [], decode: [] },
  prefillOnly: { prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192 }], decode: [] },
  decodeOnly: { prefill: [], decode: [{ context_length: 1000, count: 32 }] },
  mixed: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 4096, count: 256 }] },
  huge: { prefill: [{ tokens_this_step: 100_000_000, prompt_tokens: 100_000_000, count: 1000 }], decode: [] },
};
const COEFFICIENTS = {
  fitted: 'trained-roofline-h100',
  prior: 'roofline-prior',
  allZero: { beta: [0, 0, 0, 0, 0, 0, 0] },
  fast: { beta: [0.25, 0.5, 0.1, 0.5, 0, 0, 0] },
};
const BAD_WORDS = /NaN|undefined|Infinity|null|–|\[object/;
const sameSide = (ai, ridge, atOrAbove) => Math.abs(ai - ridge) <= 1e-9 * ridge || (ai >= ridge) === atOrAbove;

function* cases() {
  for (const model of presets.models) {
    for (const tp of [1, 2, 4, 16]) {
      for (const [batchName, step] of Object.entries(BATCHES)) {
        for (const [coefName, coefficients] of Object.entries(COEFFICIENTS)) {
          const request = { model: model.id, gpu: 'h100-sxm', tp, coefficients, step };
          yield { name: `${model.id} TP ${tp} ${batchName} ${coefName}`, r: calc.compute(request) };
        }
      }
    }
  }
}

test('verdict sentences agree with the numbers on every edge case', () => {
  let n = 0, unplaced = 0, abovePeak = 0, zeroStep = 0, fastSaid = 0, belowSaid = 0, replicatedSaid = 0;
  for (const { name, r } of cases()) {
    n++;
    const p = phases(r);
    // The whole step, counting weights and KV.
    const v = stepVerdict(r);
    assert.doesNotMatch(v.text, BAD_WORDS, name);
    if (p.flops > 0) {
      assert.match(v.text, new RegExp(`whole step is ${v.bound}-bound`), name);
      assert.ok(sameSide(p.aiStep, p.ridge, v.bound === 'compute'), `${name}: ${v.text}`);
      // It names the traffic it counts: no "KV" among it when the step has no KV bytes.
      const kv = r.work.prefill.kv_bytes + r.work.decode.kv_bytes;
      assert.match(v.text, kv > 0 ? /HBM traffic \(weights and KV\)/ : /HBM traffic \(weights only; no KV bytes, as the roofline terms count 0 KV heads per GPU when kv_heads < TP\)/, name);
      if (kv === 0) assert.equal(r.sharding.kv_heads_per_gpu, 0, name);
      assert.match(v.text, v.bound === 'compute' ? /at or above the ridge/ : /below the ridge/, name);
    }
    const d = dominant(r);
    if (r.step_time_us > 0) {
      assert.ok(d.share > 0 && d.share <= 1, name);
      assert.equal(r.contributions_us[d.index], Math.max(...r.contributions_us), name);
    } else {
      zeroStep++;
      assert.equal(d, null, name);
      assert.match(v.text, /predicted step time is 0/, name);
    }
    // Each phase: the badge names what it compares, the sentence agrees with it and with the chart.
    for (const phase of ['prefill', 'decode']) {
      const badge = phaseBadge(r, phase), sentence = phaseSentence(r, phase);
      // A phase with work but no KV bytes (kv_heads < TP) compares nothing, and says so.
      const noKv = r.bottleneck[phase] !== 'none' && r.work[phase].kv_bytes === 0;
      assert.equal(badge.kind, noKv ? 'none' : r.bottleneck[phase], name);
      if (noKv) assert.equal(badge.text, 'no KV bytes (kv_heads < TP)', name);
      assert.doesNotMatch(sentence, BAD_WORDS, `${name}: ${sentence}`);
      assert.doesNotMatch(badge.text, /bound/, 'a badge says what it compares, not "compute-bound"');
      if (!noKv && badge.kind === 'none') assert.equal(badge.text, 'no work', name);
      if (badge.kind === 'none' && !noKv) continue;
      if (noKv) assert.equal(phasePlaced(r, phase), false, name);
      else {
        const kv = phase === 'prefill' ? 'KV write' : 'KV read';
        assert.equal(badge.text, badge.kind === 'compute'
          ? (r.basis[`t_${phase === 'prefill' ? 'pf' : 'dc'}_compute`] > r.basis[`t_${phase === 'prefill' ? 'pf' : 'dc'}_kv`]
            ? `compute exceeds its ${kv}` : `compute equals its ${kv}`)
          : `${kv} exceeds its compute`, name);
      }
      if (!phasePlaced(r, phase)) {
        unplaced++;
        assert.equal(r.work[phase].kv_bytes, 0, name);
        assert.match(sentence, /cannot be placed on the roofline/, name);
        assert.match(sentence, new RegExp(`its KV term counts ${r.sharding.kv_heads_per_gpu} KV heads per GPU \\(⌊kv_heads/TP⌋ = ⌊${r.arch.kv_heads}/${r.scenario.tp}⌋\\), so it has no KV bytes`), name);
        continue;
      }
      const ai = phase === 'prefill' ? p.aiPrefill : p.aiDecode;
      const atOrAbove = /is at or above the ridge/.test(sentence);
      assert.ok(atOrAbove || /is below the ridge/.test(sentence), sentence);
      assert.equal(atOrAbove, badge.kind === 'compute', `${name}: ${sentence}`);
      assert.ok(sameSide(ai, p.ridge, atOrAbove), `${name}: ${sentence}`);
    }
    // A figure above the hardware's peak always says why, and only then.
    const f = derivedFigures(r), peak = r.hardware.flops_peak_tflops;
    const over = { tflops: p.tflopsStep > peak, mfu: p.mfu > 1, bw: p.bwUtil > 1, tps: false };
    for (const key of ['tps', 'tflops', 'mfu', 'bw']) {
      assert.doesNotMatch(f[key].text, /NaN|undefined|Infinity|null/, `${name} ${key}`);
      if (!(r.step_time_us > 0)) {
        assert.equal(f[key].text, 'not defined: the predicted step time is 0', name);
        continue;
      }
      assert.equal(f[key].note !== '', over[key], `${name} ${key}: ${f[key].text} ${f[key].note}`);
      if (over[key]) {
        abovePeak++;
        assert.match(f[key].note, /^above the hardware peak: /, name);
        assert.doesNotMatch(f[key].note, BAD_WORDS, name);
      }
    }
    // Whose β: "your" for typed β, "the fitted" for the fitted preset, no fitting at all for the prior.
    const said = [v.text, f.tflops.note, f.mfu.note, f.bw.note, belowRooflineText(r)].join(' ');
    if (r.scenario.coefficients === 'custom') assert.doesNotMatch(said, /fit/, `${name}: ${said}`);
    if (r.scenario.coefficients === 'roofline-prior') assert.doesNotMatch(said, /fit/, `${name}: ${said}`);
    if (/β[₁₂₃₄] = /.test(said)) {
      assert.match(said, r.scenario.coefficients === 'custom' ? /your β[₁₂₃₄](?:(?:, | and )β[₁₂₃₄])* = / : /the fitted β[₁₂₃₄](?:(?:, | and )β[₁₂₃₄])* = /, name);
      fastSaid++;
    }
    // A prediction shorter than the roofline bound because of β below 1 is said next to the
    // step time, whether or not a figure passes the peak; and only then.
    const below = belowRooflineText(r), lowBeta = [0, 1, 2, 3].some((i) => r.beta[i] < 1 && r.features[i] > 0);
    assert.equal(below !== '', lowBeta && r.step_time_us < p.rooflineUs, `${name}: ${below}`);
    if (below) {
      belowSaid++;
      assert.match(below, /^Shorter than the roofline bound \([\de.,]+ (µs|ms|s) at β = 1\): (your|the fitted) β[₁₂₃₄](?:(?:, | and )β[₁₂₃₄])* = /, name);
      assert.doesNotMatch(below, BAD_WORDS, name);
    }
    // kv_heads < TP: the memory fit counts the replicated heads, the roofline terms 0; each
    // says so where its figure is shown, and the labels count the bytes their figures do.
    const replicated = r.sharding.kv_heads_stored_per_gpu !== r.sharding.kv_heads_per_gpu;
    const memory = memoryText(r), both = kvHeadsSentence(r), labels = derivedLabels(r);
    assert.equal(/replicated as real engines store it; the roofline terms count 0\)/.test(memory), replicated, `${name}: ${memory}`);
    assert.equal(both !== '', replicated, `${name}: ${both}`);
    if (replicated) {
      replicatedSaid++;
      assert.equal(both, `The roofline terms count 0 KV heads per GPU (${r.arch.kv_heads} KV heads over TP ${r.scenario.tp}), as the seed does; ` +
        `the memory fit counts the ${count(r.sharding.kv_heads_stored_per_gpu, 'KV head')} per GPU that real engines keep by replicating them.`, name);
    }
    const kvBytes = r.work.prefill.kv_bytes + r.work.decode.kv_bytes;
    for (const label of Object.values(labels)) {
      assert.equal(/(and|\+) KV/.test(label), kvBytes > 0, `${name}: ${label}`);
      assert.equal(/no KV bytes/.test(label), kvBytes === 0, `${name}: ${label}`);
    }
    // Every contribution is listed; a zero one says why.
    r.contributions_us.forEach((c, i) => {
      const text = contributionText(r, i);
      assert.doesNotMatch(text, BAD_WORDS, `${name}: ${text}`);
      assert.equal(/, because /.test(text), c === 0, `${name}: ${text}`);
    });
  }
  // The edge cases really occurred.
  assert.ok(unplaced > 0, 'some phase had no KV bytes (kv_heads < TP)');
  assert.ok(replicatedSaid > 0, 'some memory fit counted replicated KV heads');
  assert.ok(abovePeak > 0, 'some figure passed the hardware peak');
  assert.ok(zeroStep > 0, 'some step time was 0');
  assert.ok(fastSaid > 0 && belowSaid > 0, 'some β below 1 was named and some step was shorter than the bound');
  assert.ok(n >= presets.models.length * 4 * 5 * 4);
});

test('"One long prefill" with the fitted β: the MFU above 100 % names β₁', () => {
  const r = calc.compute({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192 }], decode: [] } });
  const f = derivedFigures(r);
  assert.ok(phases(r).mfu > 1);
  assert.match(f.mfu.note, /the fitted β₁ = 0\.7726 \(below 1\) predicts a faster step than the roofline/);
  assert.match(f.tflops.note, /above the hardware peak/);
  // At the roofline bound the same figure is at most 100 %.
  assert.ok(phases(r).mfuRoofline <= 1);
});

test('custom β are "your β", the fitted preset\'s are "the fitted β"', () => {
  const step = { prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192 }], decode: [] };
  const custom = calc.compute({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, coefficients: { beta: [0.5, 0.5, 1, 1, 0, 0, 0] }, step });
  assert.match(derivedFigures(custom).mfu.note, /your β₁ = 0\.5 \(below 1\) predicts a faster step than the roofline/);
  assert.match(belowRooflineText(custom), /: your β₁ = 0\.5 \(below 1\) predicts a faster step than the roofline\.$/);
  const fitted = calc.compute({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, step });
  assert.match(belowRooflineText(fitted), /: the fitted β₁ = 0\.7726 \(below 1\) predicts/);
});

test('Llama 3.1 70B on an L4 at TP 1: shorter than the roofline bound with no figure above 100 %, and said so', () => {
  const r = calc.compute({ model: 'llama-3.1-70b-instruct', gpu: 'l4', tp: 1,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } });
  const f = derivedFigures(r);
  assert.equal(f.mfu.note + f.tflops.note + f.bw.note, '', 'no figure passes the peak');
  assert.ok(r.step_time_us < phases(r).rooflineUs);
  assert.match(belowRooflineText(r), /^Shorter than the roofline bound \(1\.098 s at β = 1\): the fitted β₁ = 0\.7726 \(below 1\) predicts a faster step than the roofline\.$/);
});

test('kv_heads < TP: the badges say "no KV bytes", the verdict counts the weights only', () => {
  const r = calc.compute({ model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 16,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } });
  for (const phase of ['prefill', 'decode']) assert.deepEqual(phaseBadge(r, phase), { kind: 'none', text: 'no KV bytes (kv_heads < TP)' });
  const v = stepVerdict(r).text;
  assert.match(v, /FLOP per byte of all its HBM traffic \(weights only; no KV bytes, as the roofline terms count 0 KV heads per GPU when kv_heads < TP\)/);
  assert.doesNotMatch(v, /weights and KV/);
});

test('counts are singular for one; the memory text says how many decode requests fit when the step does not', () => {
  assert.equal(count(1, 'token'), '1 token');
  assert.equal(count(0, 'token'), '0 tokens');
  assert.equal(count(16384, 'request'), '16,384 requests');
  const r = calc.compute({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { prefill: [], decode: [{ context_length: 4096, count: 256 }] } });
  assert.equal(r.memory.fits, false);
  assert.ok(r.memory.max_decode_requests > 0);
  assert.match(memoryText(r), new RegExp(`by [\\d.]+ GB; at most ${r.memory.max_decode_requests} decode requests at this step's mean context fit\\.$`));
});
