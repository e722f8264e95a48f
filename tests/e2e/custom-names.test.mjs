// Custom items by name: the caption, the Trace view and the Compare table name a custom
// model and GPU alike; two custom models of one name are told apart; a custom GPU takes a
// memory capacity, and the memory utilization is a control kept in the link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, ready, open, textOf, noticeText, cli, useCustomModel, useCustomGpu } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const STEP = { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] };
const TINY = {
  _name_or_path: 'tiny-test', num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8,
  num_key_value_heads: 2, intermediate_size: 1536,
};

test('the caption and the Trace view name a custom model and GPU as the Compare table does', async () => {
  const { page, context, errors } = await open(env, '?');
  await useCustomModel(page, 'my <b>tiny</b> model');
  await useCustomGpu(page, 'NoCap GPU');
  await page.fill('#tp', '3');
  await page.waitForFunction(() => /TP 3/.test(document.querySelector('#scenario-caption').textContent));
  assert.equal(await textOf(page, '#scenario-caption'), 'my <b>tiny</b> model (custom) on NoCap GPU (custom), TP 3 · 1 prefill chunk of 512 (prompt 2,048) + 32 decodes at 1,024');
  assert.match(await textOf(page, '#trace-scenario'), /^The calculator's settings, which steps in the training format are read with: model my <b>tiny<\/b> model \(custom\), GPU NoCap GPU \(custom\), coefficients “Fitted: inference-sim\/training \(H100 SXM, vLLM\)”\. /);
  assert.deepEqual(errors, []);
  await context.close();
});

// Mutations tried: options named "<name> (custom)" only; describe() using the core's
// scenario.model ("custom").
test('two custom models of one name are told apart, and the compare header names a custom model', async () => {
  const { page, context } = await open(env);
  await page.click('#custom-model summary');
  for (const layers of [4, 8]) {
    await page.fill('#config-name', 'tiny');
    await page.fill('#config-text', JSON.stringify({ ...TINY, num_hidden_layers: layers }));
    await page.click('#config-use');
  }
  await page.waitForFunction(() => document.querySelector('#model').value === 'custom:tiny-2');
  const options = await page.$$eval('#model optgroup:last-child option', (els) => els.map((o) => o.textContent));
  assert.equal(options.length, 2);
  assert.equal(new Set(options).size, 2, options.join(' | '));
  await page.click('#pin');
  await page.waitForSelector('#compare-out thead');
  assert.match(await page.locator('#compare-out thead').innerText(), /Current: tiny · h100-sxm · TP 1[\s\S]*Pin 1: tiny · h100-sxm · TP 1/);
  await context.close();
});

// Mutations tried: the GPU form ignoring Memory (fit stayed unknown); the request without
// gpu_memory_utilization (usable bytes stayed at 90 %).
test('a custom GPU takes a memory capacity, and the GPU memory utilization is a control in the link', async () => {
  const { page, context } = await open(env);
  // The page's default is the core's.
  const preset = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, step: STEP }).memory;
  assert.equal(Number(await page.inputValue('#util')), preset.usable_bytes / preset.capacity_bytes);
  await page.click('#custom-gpu summary');
  await page.fill('#cg-name', 'Big');
  await page.fill('#cg-tflops', '400');
  await page.fill('#cg-hbm', '2.5');
  await page.fill('#cg-mem', 'lots');
  await page.click('#cg-use');
  await page.waitForFunction(() => /Memory: “lots” is not a plain number/.test(document.querySelector('#cg-error').textContent));
  await page.fill('#cg-mem', '48');
  await page.click('#cg-use');
  const gpu = { compute: { fp16_tensor_core: 400, with_sparsity: false }, memory: { bandwidth_tb_s: 2.5, capacity_gb: 48 }, interconnect: { nvlink_bandwidth_gb_s: 900 } };
  const at = (util) => cli({ model: 'llama-3.1-8b-instruct', gpu, tp: 1, step: STEP, ...(util ? { gpu_memory_utilization: util } : {}) });
  await page.waitForFunction(() => document.querySelector('#memory-fit').dataset.fits !== 'unknown');
  assert.equal(Number(await page.getAttribute('#memory-fit', 'data-usable-bytes')), at().memory.usable_bytes);
  await page.fill('#util', '0.5');
  const half = at(0.5).memory.usable_bytes;
  await page.waitForFunction((u) => Number(document.querySelector('#memory-fit').dataset.usableBytes) === u, half);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('util') === '0.5');
  await page.fill('#util', '1.5');
  await page.waitForFunction(() => /GPU memory utilization.*must be a number from 0\.001 to 1, got 1\.5/.test(document.querySelector('#util-error').textContent));

  await page.goto(`${env.url}?util=0.95`);
  await ready(page);
  assert.equal(await page.inputValue('#util'), '0.95');
  const r = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, step: STEP, gpu_memory_utilization: 0.95 });
  await page.waitForFunction((u) => Number(document.querySelector('#memory-fit').dataset.usableBytes) === u, r.memory.usable_bytes);
  await page.goto(`${env.url}?util=2`);
  await ready(page);
  assert.match(await noticeText(page), /The link's parameter "util" \(“2”\) is not valid and was replaced by the default \(0\.9\)\./);
  assert.equal(await page.inputValue('#util'), '0.9');
  await context.close();
});
