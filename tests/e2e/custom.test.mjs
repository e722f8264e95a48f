// Custom models and GPUs: validated by the core, kept in localStorage, survive a reload;
// bad ones leave the previous selection in place; a corrupt store is reset with a notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, ready, open, cli, stepUs, waitForStep } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const TINY = {
  _name_or_path: 'tiny-test', num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8,
  num_key_value_heads: 2, intermediate_size: 1536,
};
const STEP = { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] };

test('a bad config.json shows an inline error and keeps the previous model', async () => {
  const { page, context } = await open(env, '?model=qwen3-14b');
  const before = await stepUs(page);
  await page.click('#custom-model summary');
  const err = page.locator('#config-error');

  await page.fill('#config-text', '{"num_hidden_layers": 4, ');
  await page.click('#config-use');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /not valid JSON/);

  await page.fill('#config-text', JSON.stringify({ ...TINY, intermediate_size: undefined }));
  await page.click('#config-use');
  await page.waitForFunction(() => /config\.json's intermediate_size: missing/.test(document.querySelector('#config-error').textContent));
  assert.equal(await page.locator('#config-text').getAttribute('aria-invalid'), 'true');

  // Uploading a bad file goes through the same check.
  const dir = mkdtempSync(join(tmpdir(), 'stepcalc-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...TINY, num_attention_heads: -3 }));
  await page.setInputFiles('#config-file', join(dir, 'config.json'));
  await page.waitForFunction(() => /config\.json's num_attention_heads/.test(document.querySelector('#config-error').textContent));

  assert.equal(await page.inputValue('#model'), 'qwen3-14b');
  assert.equal(await stepUs(page), before);
  assert.equal(await page.evaluate(() => localStorage.getItem('stepcalc.custom.v1')), null);
  await context.close();
});

test('an uploaded config.json is computed by the core exactly like the CLI and survives a reload', async () => {
  const { page, context } = await open(env);
  const dir = mkdtempSync(join(tmpdir(), 'stepcalc-'));
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(TINY));
  await page.click('#custom-model summary');
  await page.setInputFiles('#config-file', join(dir, 'tiny.json'));
  const expected = cli({ model: TINY, gpu: 'h100-sxm', tp: 1, step: STEP });
  assert.equal(await waitForStep(page, expected.step_time_us), expected.step_time_us);
  assert.equal(await page.inputValue('#model'), 'custom:tiny');
  assert.match(await page.locator('#model-info').textContent(), /L 4 · d 512 · heads 8 · kv heads 2/);
  // Custom models cannot travel in a shared link, and the page says so near the buttons;
  // the address bar names it by its stored id, so a reload keeps it selected.
  assert.ok(await page.locator('#share-custom').isVisible());
  await page.click('#copy-link');
  assert.doesNotMatch(await page.inputValue('#share-text'), /model=/);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('model') === 'custom:tiny');

  await page.reload();
  await ready(page);
  assert.equal(await page.inputValue('#model'), 'custom:tiny');
  assert.equal(await waitForStep(page, expected.step_time_us), expected.step_time_us);
  await context.close();
});

test('a custom GPU is validated, used and kept', async () => {
  const { page, context } = await open(env, '?tp=2');
  await page.click('#custom-gpu summary');
  await page.fill('#cg-name', 'Lab card');
  await page.fill('#cg-tflops', '400');
  await page.fill('#cg-hbm', '0');
  await page.click('#cg-use');
  await page.waitForFunction(() => /HBM bandwidth: must be a number/.test(document.querySelector('#cg-error').textContent));
  assert.equal(await page.inputValue('#gpu'), 'h100-sxm');
  await page.fill('#cg-hbm', '2.5');
  await page.fill('#cg-link', '300');
  await page.selectOption('#cg-link-kind', 'pcie_bandwidth_gb_s');
  await page.click('#cg-use');
  const expected = cli({ model: 'llama-3.1-8b-instruct', tp: 2, step: STEP,
    gpu: { compute: { fp16_tensor_core: 400, with_sparsity: false }, memory: { bandwidth_tb_s: 2.5 }, interconnect: { pcie_bandwidth_gb_s: 300 } } });
  assert.equal(await waitForStep(page, expected.step_time_us), expected.step_time_us);
  // The core's link_fallback note is shown beside t_tp, the term it affects.
  const i = expected.notes.findIndex((n) => n.code === 'link_fallback');
  assert.ok(i >= 0, 'the CLI reports link_fallback');
  assert.match(await page.locator('tr:has([data-basis="t_tp"]) .note-marks').textContent(), new RegExp(`note ${i + 1}\\b`));
  assert.match(await page.locator('#notes').textContent(), /PCIe|pcie_bandwidth_gb_s/);
  await page.reload();
  await ready(page);
  assert.equal(await page.locator('#gpu option[value="custom:lab-card"]').count(), 1);
  await context.close();
});

test('a corrupt store is reset with a notice, never a blank page', async () => {
  const { page, context } = await open(env);
  await page.evaluate(() => localStorage.setItem('stepcalc.custom.v1', '{"models": [1, 2'));
  await page.reload();
  await ready(page);
  assert.match(await page.locator('#notices').textContent(), /could not be read .* reset/);
  assert.ok(await stepUs(page) > 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('stepcalc.custom.v1')), null);
  await context.close();
});
