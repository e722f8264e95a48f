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
} from '../../web/src/verdict.mjs';

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
  let n = 0, unplaced = 0, abovePeak = 0, zeroStep = 0;
  for (const { name, r } of cases()) {
    n++;
    const p = phases(r);
    // The whole step, counting weights and KV.
    const v = stepVerdict(r);
    assert.doesNotMatch(v.text, BAD_WORDS, name);
    if (p.flops > 0) {
      assert.match(v.text, new RegExp(`whole step is ${v.bound}-bound`), name);
      assert.ok(sameSide(p.aiStep, p.ridge, v.bound === 'compute'), `${name}: ${v.text}`);
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
      assert.equal(badge.kind, r.bottleneck[phase], name);
      assert.doesNotMatch(sentence, BAD_WORDS, `${name}: ${sentence}`);
      assert.doesNotMatch(badge.text, /bound/, 'a badge says what it compares, not "compute-bound"');
      if (badge.kind === 'none') continue;
      const kv = phase === 'prefill' ? 'KV write' : 'KV read';
      assert.equal(badge.text, badge.kind === 'compute'
        ? (r.basis[`t_${phase === 'prefill' ? 'pf' : 'dc'}_compute`] > r.basis[`t_${phase === 'prefill' ? 'pf' : 'dc'}_kv`]
          ? `compute exceeds its ${kv}` : `compute equals its ${kv}`)
        : `${kv} exceeds its compute`, name);
      if (!phasePlaced(r, phase)) {
        unplaced++;
        assert.equal(r.work[phase].kv_bytes, 0, name);
        assert.match(sentence, /cannot be placed on the roofline/, name);
        assert.match(sentence, new RegExp(`${r.sharding.kv_heads_per_gpu} key/value heads per GPU \\(${r.arch.kv_heads} KV heads split over TP ${r.scenario.tp}`), name);
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
    // Every contribution is listed; a zero one says why.
    r.contributions_us.forEach((c, i) => {
      const text = contributionText(r, i);
      assert.doesNotMatch(text, BAD_WORDS, `${name}: ${text}`);
      assert.equal(/, because /.test(text), c === 0, `${name}: ${text}`);
    });
  }
  // The edge cases really occurred.
  assert.ok(unplaced > 0, 'some phase had no KV bytes (kv_heads < TP)');
  assert.ok(abovePeak > 0, 'some figure passed the hardware peak');
  assert.ok(zeroStep > 0, 'some step time was 0');
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
