// calc.compute returns exactly what the native CLI returns, on both of the
// facade's paths (plain objects through the fast path, JSON text through the core's parser).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCalc, randomStep, runCli, seededRandom } from './support.mjs';

const calc = await loadCalc();
const presets = calc.presets();
const TPS = [1, 2, 3, 4, 8, 16];

function* generatedRequests(count) {
  const random = seededRandom(20261125);
  const coefficientChoices = [undefined, 'roofline-prior', 'trained-roofline-h100',
    { beta: [0.5, 1.5, 1, 2, 10, 20, 30] }];
  for (let i = 0; i < count; i++) {
    // Walk every model, GPU and TP; the batch and coefficients are random.
    const model = presets.models[i % presets.models.length].id;
    const gpu = presets.gpus[Math.floor(i / presets.models.length) % presets.gpus.length].id;
    const tp = TPS[i % TPS.length];
    const request = { model, gpu, tp, step: randomStep(random) };
    const coefficients = coefficientChoices[i % coefficientChoices.length];
    if (coefficients !== undefined) request.coefficients = coefficients;
    yield request;
  }
}

test('300 generated requests over every preset model, GPU and TP match the CLI exactly', () => {
  const seen = { models: new Set(), gpus: new Set(), tps: new Set(), notes: 0 };
  for (const request of generatedRequests(300)) {
    const cli = runCli(request);
    assert.equal(cli.code, 0, `CLI failed on ${JSON.stringify(request)}: ${cli.stderr}`);
    const expected = JSON.parse(cli.stdout);
    assert.deepStrictEqual(calc.compute(request), expected, JSON.stringify(request));
    assert.deepStrictEqual(calc.compute(JSON.stringify(request)), expected);
    seen.models.add(request.model);
    seen.gpus.add(request.gpu);
    seen.tps.add(request.tp);
    seen.notes += expected.notes.length;
  }
  assert.equal(seen.models.size, presets.models.length);
  assert.equal(seen.gpus.size, presets.gpus.length);
  assert.equal(seen.tps.size, TPS.length);
  assert.ok(seen.notes > 0, 'the generated requests should exercise notes too');
});

test('custom configs and datasheets match the CLI, notes included', () => {
  const qwen = presets.models.find((m) => m.id === 'qwen3-30b-a3b').config;
  const requests = [
    { model: { text_config: qwen, architectures: ['X'] }, gpu: 'l40s', tp: 2, step: { decode: [{ context_length: 4096, count: 8 }] } },
    { model: { ...qwen, kv_lora_rank: 512, sliding_window: 4096 }, gpu: presets.gpus[0].datasheet, tp: 16, step: { prefill: [{ tokens_this_step: 100, prompt_tokens: 100 }] } },
    { model: 'mixtral-8x7b-v0.1', gpu: { compute: { fp16_tensor_core: 500, with_sparsity: false, with_sparsty: true }, memory: { bandwidth_tb_s: 1 }, interconnect: { pcie_bandwidth_gb_s: 32 } }, tp: 3, step: {} },
  ];
  for (const request of requests) {
    const cli = runCli(request);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = JSON.parse(cli.stdout);
    assert.ok(expected.notes.length > 0);
    assert.deepStrictEqual(calc.compute(request), expected);
  }
});

test('presets() has the same content as `stepcalc presets`', async () => {
  const { spawnSync } = await import('node:child_process');
  const { cliPath } = await import('./support.mjs');
  const listing = JSON.parse(spawnSync(cliPath, ['presets'], { encoding: 'utf8' }).stdout);
  assert.deepStrictEqual(calc.presets(), listing);
  const first = calc.presets();
  first.models.length = 0;
  assert.equal(calc.presets().models.length, listing.models.length, 'callers get a fresh copy');
});

test('a sweep equals one compute per value', () => {
  const request = { model: 'llama-3.1-8b-instruct', gpu: 'h200-sxm', tp: 2,
    step: { prefill: [{ tokens_this_step: 256, prompt_tokens: 4096 }], decode: [{ context_length: 8192, count: 64 }] } };
  const values = [1, 2, 8, 64, 256, 1024];
  const series = calc.sweep(request, 'decode[0].count', values);
  assert.ok(series.step_time_us instanceof Float64Array);
  assert.deepStrictEqual([...series.values], values);
  values.forEach((count, i) => {
    const single = calc.compute({ ...request, step: { ...request.step, decode: [{ context_length: 8192, count }] } });
    assert.equal(series.step_time_us[i], single.step_time_us);
    assert.equal(series.t_dc_kv[i], single.basis.t_dc_kv);
    assert.equal(series.batch_size[i], single.basis.batch_size);
  });
});

test('objects JSON would write differently take the JSON path, so every path agrees', () => {
  const plain = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 2, step: { decode: [{ context_length: 1024, count: 2 }] } };
  const inheritedCount = Object.assign(Object.create({ count: 3 }), { context_length: 1024 });
  class Row { constructor() { this.context_length = 1024; } toJSON() { return { context_length: 1024, count: 5 }; } }
  const variants = [
    { ...plain, step: { decode: [inheritedCount] } },
    { ...plain, step: { decode: [new Row()] } },
    { ...plain, toJSON: undefined },
    Object.assign(Object.create({ tp: 4 }), plain),
    { ...plain, step: { decode: [{ context_length: 1024, count: undefined }] } },
  ];
  for (const request of variants) {
    const text = JSON.stringify(request);
    const cli = runCli(text);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepStrictEqual(calc.compute(request), JSON.parse(cli.stdout), text);
  }
});

test('a getter that calls compute() again does not disturb the outer call', () => {
  const inner = { model: 'llama-2-70b-hf', gpu: 'h200-sxm', tp: 8, step: { decode: [{ context_length: 9, count: 9 }] } };
  let innerResult;
  const row = { get context_length() { innerResult = calc.compute(inner); return 1024; }, count: 2 };
  const outer = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', step: { decode: [row], prefill: [{ tokens_this_step: 5, prompt_tokens: 5 }] } };
  const result = calc.compute(outer);
  const expected = JSON.parse(runCli({ ...outer, step: { ...outer.step, decode: [{ context_length: 1024, count: 2 }] } }).stdout);
  assert.deepStrictEqual(result, expected);
  assert.deepStrictEqual(innerResult, JSON.parse(runCli(inner).stdout));
});
