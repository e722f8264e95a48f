// The caption beside the step time (web/src/caption.mjs), on the core's responses: every
// batch shape (no prefill, no decode, empty, one request, many distinct sizes), custom names
// and every coefficient set. Each wording is checked exactly, and on every case the counts it
// gives are the core's and its ranges the rows'. No browser: pure functions of the response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';
import { scenarioCaption, captionNames, batchWords } from '../../web/src/caption.mjs';

const calc = await (await import(join(ROOT, 'build', 'wasm', 'stepcalc.mjs'))).default();
const presets = calc.presets();
const NO_CUSTOM = { models: {}, gpus: {} };
const scenario = (model, gpu) => ({ model, gpu, tp: '1', coef: 'x', beta: null, util: '0.9', prefill: [], decode: [] });
// The request as the page sends it: every count given.
const full = (step) => ({
  prefill: (step.prefill ?? []).map((c) => ({ count: 1, ...c })),
  decode: (step.decode ?? []).map((g) => ({ count: 1, ...g })),
});
function caption(request, { custom = NO_CUSTOM, page = scenario(request.model, request.gpu) } = {}) {
  const r = calc.compute({ ...request, step: full(request.step) });
  return scenarioCaption(r, full(request.step), captionNames(r, page, custom, presets));
}
const base = { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 4 };

test('the caption names the model, GPU, TP and the batch in words, for every batch shape', () => {
  const at = (step, extra = {}) => caption({ ...base, ...extra, step });
  assert.equal(at({ prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 8192, count: 64 }] }),
    'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 1 prefill chunk of 512 (prompt 2,048) + 64 decodes at 8,192');
  assert.equal(at({ decode: [{ context_length: 1024, count: 1 }] }), 'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 1 decode at 1,024');
  assert.equal(at({ prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192, count: 3 }] }),
    'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 3 prefill chunks of 8,192 (prompts 8,192)');
  assert.equal(at({}), 'Llama 3.1 70B Instruct on H100 SXM, TP 4 · an empty batch (no requests)');
  // Many distinct sizes: the smallest and the largest, and every request counted.
  const decode = Array.from({ length: 4096 }, (_, i) => ({ context_length: 1024 + i * 2, count: 1 + (i % 3) }));
  const prefill = [{ tokens_this_step: 256, prompt_tokens: 4096 }, { tokens_this_step: 512, prompt_tokens: 1024, count: 2 }];
  assert.equal(at({ prefill, decode }),
    `Llama 3.1 70B Instruct on H100 SXM, TP 4 · 3 prefill chunks of 256–512 (prompts 1,024–4,096) + 8,191 decodes at 1,024–9,214`);
  // The other coefficient sets are named; the default is not.
  assert.equal(at({ decode: [{ context_length: 100 }] }, { coefficients: 'roofline-prior' }),
    'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 1 decode at 100 · coefficients: Analytical prior (pure roofline)');
  assert.equal(at({ decode: [{ context_length: 100 }] }, { coefficients: { beta: [0.5, 1, 1, 1, 0, 0, 12.5] } }),
    'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 1 decode at 100 · custom β = (0.5, 1, 1, 1, 0, 0, 12.5)');
  assert.equal(at({ decode: [{ context_length: 100 }] }, { coefficients: { beta: [0.123456, 1, 1, 1, 0, 0, 0] } }),
    'Llama 3.1 70B Instruct on H100 SXM, TP 4 · 1 decode at 100 · custom β ≈ (0.1235, 1, 1, 1, 0, 0, 0)');
});

test('a custom model and GPU are named as the user named them, marked custom', () => {
  const config = { num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1536 };
  const datasheet = { compute: { fp16_tensor_core: 400, with_sparsity: false }, memory: { bandwidth_tb_s: 2.5 }, interconnect: { nvlink_bandwidth_gb_s: 900 } };
  const custom = { models: { tiny: { name: 'my <b>tiny</b> model', config } }, gpus: { nocap: { name: 'NoCap GPU', datasheet } } };
  const text = caption({ model: config, gpu: datasheet, tp: 3, step: { decode: [{ context_length: 1024, count: 32 }] } },
    { custom, page: scenario('custom:tiny', 'custom:nocap') });
  assert.equal(text, 'my <b>tiny</b> model (custom) on NoCap GPU (custom), TP 3 · 32 decodes at 1,024');
});

// Every preset model and GPU at several TPs and batch shapes: the words hold no placeholder,
// the counts are the rows' sums (as the core counts requests) and each range spans the rows.
test('on every preset, the counts are the core\'s and the ranges the rows\'', () => {
  const shapes = [
    {}, { prefill: [{ tokens_this_step: 1, prompt_tokens: 1 }] },
    { prefill: [{ tokens_this_step: 100, prompt_tokens: 100_000_000, count: 1_000_000 }], decode: [{ context_length: 1, count: 2 }, { context_length: 100_000_000 }] },
  ];
  let n = 0;
  for (const model of presets.models) {
    for (const gpu of presets.gpus) {
      for (const tp of [1, 16]) {
        for (const shape of shapes) {
          const step = full(shape);
          const r = calc.compute({ model: model.id, gpu: gpu.id, tp, step });
          const words = batchWords(r, step);
          const text = scenarioCaption(r, step, captionNames(r, scenario(model.id, gpu.id), NO_CUSTOM, presets));
          assert.doesNotMatch(text, /NaN|undefined|null|Infinity|\[object|–$/, text);
          assert.ok(text.startsWith(`${model.name} on ${gpu.name}, TP ${tp} · `), text);
          const sum = (rows) => rows.reduce((total, row) => total + row.count, 0);
          assert.equal(r.work.prefill.requests, sum(step.prefill));
          assert.equal(r.work.decode.requests, sum(step.decode));
          if (step.prefill.length === 0 && step.decode.length === 0) assert.equal(words, 'an empty batch (no requests)');
          if (step.decode.length === 2) assert.match(words, / \+ 3 decodes at 1–1e8$/);
          if (step.prefill.length === 1 && step.prefill[0].count > 1) assert.match(words, /^1,000,000 prefill chunks of 100 \(prompts 1e8\)/);
          if (step.prefill.length) assert.match(words, new RegExp(`^${sum(step.prefill).toLocaleString('en-US')} prefill chunks? of `));
          n++;
        }
      }
    }
  }
  assert.equal(n, presets.models.length * presets.gpus.length * 2 * shapes.length);
});
