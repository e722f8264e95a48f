// `stepcalc fit`: known β come back from durations made with them, across several models,
// GPUs and TPs (exactly without noise, closely with 5% noise); within one dense model's
// experiment the collinear coefficients are named and the durations still reproduced.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = `${root}build/native/stepcalc`;
const dir = mkdtempSync(join(tmpdir(), 'stepcalc-fit-'));
const run = (args, input) => spawnSync(cli, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });

let state = 99;
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const TRUTH = [0.8, 1.2, 1.05, 0.5, 40, 50, 300];

// Whole-request lines over 4 models, 2 GPUs and 3 TPs, with durations β·x from `trace`.
function requests(count, noise) {
  const models = ['llama-2-7b-hf', 'llama-2-70b-hf', 'mixtral-8x7b-v0.1', 'qwen3-14b'];
  const lines = Array.from({ length: count }, (_, i) => ({
    step_id: i, model: models[i % 4], gpu: i % 5 ? 'h100-sxm' : 'a100-sxm-80gb', tp: [1, 2, 4][i % 3],
    step: {
      prefill: random() < 0.5 ? [{ tokens_this_step: 1 + Math.floor(random() * 1000), prompt_tokens: 2000 }] : [],
      decode: Array.from({ length: Math.floor(random() * 64) }, () => ({ context_length: 1 + Math.floor(random() * 8000) })),
    },
  }));
  const traced = run(['trace', '-'], lines.map((l) => JSON.stringify(l)).join('\n'));
  assert.equal(traced.status, 0, traced.stderr);
  const features = traced.stdout.trim().split('\n').map((l) => JSON.parse(l).features);
  return lines.map((line, i) => JSON.stringify({ ...line,
    duration_us: TRUTH.reduce((sum, b, j) => sum + b * features[i][j], 0) * (1 + noise * (2 * random() - 1)) })).join('\n');
}

function fit(args, text) {
  const file = join(dir, `fit-${Math.floor(random() * 1e9)}.jsonl`);
  writeFileSync(file, text);
  const result = run(['fit', ...args, file]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

test('known β come back exactly from durations made with them', () => {
  const out = fit([], requests(600, 0));
  out.beta.forEach((b, i) => assert.ok(Math.abs(b - TRUTH[i]) <= 1e-8 * TRUTH[i], `β${i + 1} = ${b}`));
  assert.equal(out.steps.train + out.steps.test, 600);
  assert.ok(out.steps.test > 90 && out.steps.test < 150, `test steps ${out.steps.test} of 600 at holdout 0.2`);
  assert.ok(out.after.mape_pct < 1e-9);
  assert.ok(out.before.mape_pct > 1, 'the shipped β differ from the truth');
  assert.deepStrictEqual(out.notes, []);
});

test("with 5% noise the large terms' β are within 5% and the test error near the noise", () => {
  const out = fit(['--holdout', '0.3'], requests(900, 0.05));
  // β₁..β₃ weigh terms of milliseconds; β₄ weighs t_tp, a few percent of a step, so the
  // noise moves it more.
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(out.beta[i] - TRUTH[i]) < 0.05 * TRUTH[i], `β${i + 1} = ${out.beta[i]}`);
  assert.ok(Math.abs(out.beta[3] - TRUTH[3]) < 0.25, `β4 = ${out.beta[3]}`);
  assert.ok(out.after.mape_pct < 3.5, `MAPE ${out.after.mape_pct}`);
});

test('one dense model: weights, layers and the constant cannot be told apart, and say so', () => {
  const doc = join(dir, 'one.json');
  spawnSync('node', [`${root}core/bench/make_trace.mjs`, '2000', doc]);
  const result = run(['fit', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', doc]);
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  const collinear = out.notes.filter((n) => n.code === 'fit_collinear').map((n) => n.message).join(' ');
  assert.match(collinear, /β₃ \(weights\)/);
  assert.match(collinear, /β₅ \(per layer\)/);
  assert.match(collinear, /β₇ \(constant\)/);
  assert.ok(out.after.mape_pct < out.before.mape_pct);
  // Each note's relation ("X₅ = 0.00783·X₃") holds in every step, to its 4 digits.
  const subscript = (text) => Number([...text].map((c) => '₀₁₂₃₄₅₆₇₈₉'.indexOf(c)).join(''));
  const steps = run(['trace', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', doc]).stdout.trim().split('\n').map((line) => JSON.parse(line));
  const relations = [...collinear.matchAll(/X(.) = ([-\d.e+]+)·X(.) in every step/g)];
  assert.equal(relations.length, out.notes.filter((n) => n.code === 'fit_collinear').length);
  for (const [text, left, factor, right] of relations) {
    for (const step of steps) {
      const x = step.features;
      const expected = Number(factor) * x[subscript(right) - 1];
      assert.ok(Math.abs(x[subscript(left) - 1] - expected) <= 5e-4 * Math.abs(expected), `${text}: step ${step.step_id}`);
    }
  }
  // --lambda pulls β₁..β₄ towards 1, which separates β₃ again.
  const pulled = JSON.parse(run(['fit', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', '--lambda', '1e25', doc]).stdout);
  pulled.beta.slice(0, 4).forEach((b) => assert.ok(Math.abs(b - 1) < 1e-3, `β = ${b}`));
});

test('bad options and files without durations are errors with one line', () => {
  assert.equal(run(['fit', '--holdout', '1', '-'], '').stderr.trim(), 'error: --holdout: must be a number from 0 to 0.9, got "1"');
  assert.equal(run(['fit', '--lambda', '-1', '-'], '').stderr.trim(), 'error: --lambda: must be a number from 0 to 1e+30, got "-1"');
  const untimed = run(['fit', '-'], JSON.stringify({ model: 'llama-2-7b-hf', gpu: 'l4', step: {} }));
  assert.equal(untimed.status, 2);
  assert.equal(untimed.stderr.trim(), 'error: fit: no training step with a duration_us; nothing to fit');
});
