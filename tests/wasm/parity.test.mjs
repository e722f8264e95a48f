// Every way the module computes returns exactly what the native CLI returns: the same
// text, key order included, once both are written by JSON.stringify (a deepStrictEqual
// would not see a difference in key order).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cliText, loadCalc, modulePaths, randomStep, runCli, seededRandom } from './support.mjs';

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

test("300 generated requests over every preset model, GPU and TP: the CLI's text on every path", () => {
  const seen = { models: new Set(), gpus: new Set(), tps: new Set(), notes: 0, paths: new Set(), unfit: 0 };
  for (const request of generatedRequests(300)) {
    const expected = cliText(request);
    for (const [path, compute] of modulePaths(calc, request)) {
      assert.equal(JSON.stringify(compute()), expected, `${path}: ${JSON.stringify(request)}`);
      seen.paths.add(path);
    }
    const response = JSON.parse(expected);
    seen.models.add(request.model);
    seen.gpus.add(request.gpu);
    seen.tps.add(request.tp);
    seen.notes += response.notes.length;
    if (response.memory.fits === false) seen.unfit++;
  }
  assert.equal(seen.paths.size, 4, 'every path ran');
  assert.ok(seen.unfit > 0, 'some generated steps do not fit in memory (their notes differ per step)');
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
    const expected = cliText(request);
    assert.ok(JSON.parse(expected).notes.length > 0);
    for (const [path, compute] of modulePaths(calc, request)) assert.equal(JSON.stringify(compute()), expected, path);
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

test('a sweep equals one compute per value, on calc.sweep and scenario.sweep', () => {
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
    assert.equal(series.headroom_bytes[i], single.memory.headroom_bytes);
  });
  const { step, ...header } = request;
  const scenario = calc.scenario(header);
  const again = scenario.sweep(step, 'decode[0].count', values);
  scenario.delete();
  for (const column of Object.keys(series)) assert.deepStrictEqual([...again[column]], [...series[column]], column);
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
    assert.equal(JSON.stringify(calc.compute(request)), cliText(text), text);
  }
  // Rows whose required field comes from a class's getter (inherited, not enumerable:
  // for-in does not see it, and JSON.stringify does not write it), beside own fields.
  class Context { get context_length() { return 1024; } }
  class Tokens { get tokens_this_step() { return 5; } }
  const refused = [
    { ...plain, step: { decode: [Object.assign(new Context(), { foo: 1 })] } },
    { ...plain, step: { decode: [Object.assign(new Context(), { count: 2 })] } },
    { ...plain, step: { decode: [Object.assign(new Context(), { count: undefined })] } },
    { ...plain, step: { prefill: [Object.assign(new Tokens(), { prompt_tokens: 9, count: 1 })] } },
    { ...plain, step: { prefill: [Object.assign(new Tokens(), { prompt_tokens: 9, bar: 1 })] } },
  ];
  for (const request of refused) {
    const text = JSON.stringify(request);
    const cli = runCli(text);
    assert.notEqual(cli.code, 0, text);
    assert.throws(() => calc.compute(request), (error) => error.message === cli.stderr, text);
  }
});

test('a getter that calls compute() again does not disturb the outer call (no re-entrancy flag)', () => {
  const inner = { model: 'llama-2-70b-hf', gpu: 'h200-sxm', tp: 8, step: { decode: [{ context_length: 9, count: 9 }] } };
  let innerResult;
  const row = { get context_length() { innerResult = calc.compute(inner); return 1024; }, count: 2 };
  const outer = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', step: { decode: [row], prefill: [{ tokens_this_step: 5, prompt_tokens: 5 }] } };
  const result = calc.compute(outer);
  assert.equal(JSON.stringify(result), cliText({ ...outer, step: { ...outer.step, decode: [{ context_length: 1024, count: 2 }] } }));
  assert.equal(JSON.stringify(innerResult), cliText(inner));
  // The same with the inner call on the outer's own header, and from a Scenario.
  const sameHeader = { ...outer, step: { decode: [{ context_length: 7, count: 3 }] } };
  const row2 = { get context_length() { innerResult = calc.compute(sameHeader); return 1024; }, count: 2 };
  const outer2 = { ...outer, step: { decode: [row2] } };
  assert.equal(JSON.stringify(calc.compute(outer2)), cliText({ ...outer, step: { decode: [{ context_length: 1024, count: 2 }] } }));
  assert.equal(JSON.stringify(innerResult), cliText(sameHeader));
  const scenario = calc.scenario({ model: outer.model, gpu: outer.gpu });
  const row3 = { get context_length() { innerResult = scenario.compute({ decode: [{ context_length: 5 }] }); return 1024; } };
  assert.equal(JSON.stringify(scenario.compute({ decode: [row3] })), cliText({ ...outer, step: { decode: [{ context_length: 1024 }] } }));
  assert.equal(JSON.stringify(innerResult), cliText({ ...outer, step: { decode: [{ context_length: 5 }] } }));
  scenario.delete();
});

test('computePacked: a plain array whose element getter calls computePacked again leaves the outer rows whole', () => {
  const scenario = calc.scenario({ model: 'llama-2-7b-hf', gpu: 'h100-sxm' });
  const other = calc.scenario({ model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4 });
  let inner = [];
  // The inner calls' prefill row differs from the outer's.
  const manyRows = new Float64Array(2 * calc.limits.max_rows).fill(3);
  const innerPrefill = new Float64Array([7, 9, 1]);
  const decode = [1024, 2, 2048, 1];
  Object.defineProperty(decode, 2, { enumerable: true, get() {
    inner = [scenario.computePacked(innerPrefill, manyRows), other.computePacked(innerPrefill, manyRows)];
    return 2048;
  } });
  const prefill = [512, 2048, 1];
  // A first call as large as the inner ones, so that no buffer grows during the outer call:
  // outer rows shared with the inner calls are then overwritten in place, which the
  // comparison below sees (rows left behind in a freed buffer could survive unseen).
  scenario.computePacked(innerPrefill, manyRows);
  const outer = scenario.computePacked(prefill, decode);
  const header = { model: 'llama-2-7b-hf', gpu: 'h100-sxm' };
  const rows = { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048, count: 1 }],
    decode: [{ context_length: 1024, count: 2 }, { context_length: 2048, count: 1 }] };
  assert.equal(JSON.stringify(outer), cliText({ ...header, step: rows }));
  const many = { prefill: [{ tokens_this_step: 7, prompt_tokens: 9, count: 1 }],
    decode: Array.from({ length: calc.limits.max_rows }, () => ({ context_length: 3, count: 3 })) };
  assert.equal(JSON.stringify(inner[0]), cliText({ ...header, step: many }));
  assert.equal(JSON.stringify(inner[1]), cliText({ model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4, step: many }));
  scenario.delete();
  other.delete();
});

test('calc.compute finds the right session when a request object changes its header, and after the session was evicted', () => {
  const request = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 1, step: { decode: [{ context_length: 512, count: 4 }] } };
  for (const tp of [1, 2, 1, 4, 4]) {
    request.tp = tp;
    assert.equal(JSON.stringify(calc.compute(request)), cliText(request), `tp ${tp}`);
  }
  request.gpu_memory_utilization = 0.5;
  assert.equal(JSON.stringify(calc.compute(request)), cliText(request), 'utilization 0.5');
  delete request.gpu_memory_utilization;
  request.coefficients = 'roofline-prior';
  assert.equal(JSON.stringify(calc.compute(request)), cliText(request), 'roofline coefficients');
  // Nine other headers evict the session the last call used; the next call opens another.
  for (let tp = 1; tp <= 9; tp++) calc.compute({ model: 'llama-2-70b-hf', gpu: 'a100-sxm-80gb', tp, step: {} });
  assert.equal(JSON.stringify(calc.compute(request)), cliText(request), 'after eviction');
  // Headers with coefficients given as objects are not remembered as the last header, so
  // nine of them evict the session of the one that is: it must not be used once closed
  // (the tenth is likely to be opened in its memory, where a stale session would read it).
  for (let i = 1; i <= 10; i++) {
    calc.compute({ model: 'llama-2-70b-hf', gpu: 'a100-sxm-80gb', tp: 8, coefficients: { beta: [i, 1, 1, 1, 1, 1, 1] }, step: {} });
  }
  assert.equal(JSON.stringify(calc.compute(request)), cliText(request), 'after eviction by headers not remembered');
  // A header field with a getter is read once per call, as JSON.stringify reads it.
  let reads = 0;
  const withGetter = { get model() { reads++; return 'llama-2-7b-hf'; }, gpu: 'h100-sxm', step: request.step };
  calc.compute(withGetter);
  calc.compute(withGetter);
  assert.equal(reads, 2);
});

test("the does_not_fit note's figures are written as the page writes the memory fields", async () => {
  const { bytes, pct } = await import('../../web/src/format.mjs');
  const random = seededRandom(20261126);
  const { models, gpus } = calc.presets();
  let checked = 0;
  for (let i = 0; i < 400; i++) {
    const request = {
      model: models[Math.floor(random() * models.length)].id, gpu: gpus[Math.floor(random() * gpus.length)].id,
      tp: [1, 2, 3, 4, 8][Math.floor(random() * 5)], gpu_memory_utilization: Math.max(0.001, Math.round(random() * 1000) / 1000 * random()),
      step: randomStep(random),
    };
    const response = calc.compute(request), m = response.memory;
    const note = response.notes.find((n) => n.code === 'does_not_fit');
    if (!note) continue;
    checked++;
    assert.equal(note.message, `The step needs ${bytes(m.weight_bytes + m.kv_cache_bytes)} per GPU (weights ${bytes(m.weight_bytes)}, ` +
      `KV cache ${bytes(m.kv_cache_bytes)}) but only ${bytes(m.usable_bytes)} are usable (${pct(m.utilization)} of ` +
      `${bytes(m.capacity_bytes)}); the predicted time is for a step that cannot run as given.`, JSON.stringify(request));
  }
  assert.ok(checked > 100, `only ${checked} requests did not fit`);
});

test('the memory fit equals the CLI for a model that cannot fit and one that can', () => {
  const big = { model: 'llama-3.1-70b-instruct', gpu: 'l4', tp: 1, step: { decode: [{ context_length: 1024, count: 32 }] } };
  const small = { ...big, model: 'llama-3.1-8b-instruct' };
  const noFit = calc.compute(big), fit = calc.compute(small);
  assert.equal(noFit.memory.fits, false);
  assert.ok(noFit.notes.some((note) => note.code === 'does_not_fit'));
  assert.equal(fit.memory.fits, true);
  assert.ok(!fit.notes.some((note) => note.code === 'does_not_fit'));
  assert.equal(JSON.stringify(noFit), cliText(big));
  assert.equal(JSON.stringify(fit), cliText(small));
  // The same session, alternating fit and no fit, keeps each step's notes right.
  const scenario = calc.scenario({ model: 'llama-3.1-8b-instruct', gpu: 'l4' });
  for (const count of [1, 100_000, 1, 100_000]) {
    const step = { decode: [{ context_length: 8192, count }] };
    assert.equal(JSON.stringify(scenario.compute(step)), cliText({ ...small, step }), `count ${count}`);
  }
  scenario.delete();
});

test('a GPU without memory.capacity_gb: fits null, a memory_unknown note, the CLI text', () => {
  const request = { model: 'llama-2-7b-hf', gpu: { compute: { fp16_tensor_core: 500 }, memory: { bandwidth_tb_s: 2 } }, step: { decode: [{ context_length: 100 }] } };
  const response = calc.compute(request);
  assert.equal(response.memory.fits, null);
  assert.equal(response.memory.max_decode_requests, null);
  assert.ok(response.notes.some((note) => note.code === 'memory_unknown'));
  assert.equal(JSON.stringify(response), cliText(request));
  assert.ok(Number.isNaN(calc.sweep(request, 'decode[0].count', [1, 2]).headroom_bytes[0]));
});

test('checkModel and checkGpu report what a request would read, or its error', () => {
  const config = calc.presets().models.find((m) => m.id === 'qwen3-30b-a3b').config;
  const request = { model: config, gpu: 'h100-sxm', step: {} };
  const response = JSON.parse(cliText(request));
  const model = calc.checkModel(config);
  assert.equal(JSON.stringify(model.arch), JSON.stringify(response.arch));
  assert.deepStrictEqual(model.notes.map((n) => n.code), ['head_dim', 'experts_alias', 'moe_intermediate_size']);
  const datasheet = calc.presets().gpus.find((g) => g.id === 'l4').datasheet;
  assert.equal(JSON.stringify(calc.checkGpu(datasheet).hardware), JSON.stringify(JSON.parse(cliText({ ...request, gpu: datasheet })).hardware));
  const bad = { ...config, num_hidden_layers: 0 };
  const cli = runCli({ ...request, model: bad });
  assert.throws(() => calc.checkModel(bad), { name: 'StepCalcError', message: cli.stderr });
  assert.throws(() => calc.checkGpu({ compute: {} }), { name: 'StepCalcError', message: 'error: gpu.compute.fp16_tensor_core: missing; the datasheet needs it' });
});

test("limits are the core's, read from the module", () => {
  assert.equal(calc.limits.max_rows, 4096);
  assert.equal(calc.limits.max_tp, 4096);
  assert.throws(() => { calc.limits.max_rows = 1; });
  const tooMany = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', step: { decode: Array.from({ length: calc.limits.max_rows + 1 }, () => ({ context_length: 1 })) } };
  assert.equal(runCli(tooMany).stderr, `error: step.decode: has ${calc.limits.max_rows + 1} rows; at most ${calc.limits.max_rows} are allowed (use count)`);
});
