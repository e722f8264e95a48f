// Every sentence the page builds is true on the edge cases: one row left, β below 1, an empty
// batch, no prefill chunk, no tokens, kv_heads < TP, a batch that cannot fit, the share
// panel's grammar, batch totals while a field is invalid, and the small wordings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bytes } from '../../web/src/format.mjs';
import { setup, ready, open, textOf, noticeText, cli, waitForStep, rendered, useCustomModel, useCustomGpu, EXAMPLE } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const KV_TP = { query: '?model=llama-3.1-70b-instruct&tp=16&prefill=512:2048&decode=1024x32',
  request: { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 16,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } } };

test('one row left after a bad one is singular', async () => {
  const { page, context } = await open(env, '?prefill=512:2048,abc&decode=1024x32');
  assert.match(await noticeText(page), /"prefill": item 2 \(“abc”\) is not valid and was left out; the other 1 applies\./);
  await context.close();
});

test('β below 1 with one value are listed once; all β 0 on an empty batch claims no remaining terms', async () => {
  let { page, context } = await open(env, '?beta=0,0,0,0,0,0,0');
  await page.waitForSelector('#below-roofline:not([hidden])');
  assert.match(await textOf(page, '#below-roofline'), /: your β₁, β₂ and β₃ = 0 \(below 1\) predict a faster step than the roofline\./);
  await context.close();
  ({ page, context } = await open(env, '?beta=0.5,0.7,1,1,0,0,0'));
  await page.waitForSelector('#below-roofline:not([hidden])');
  assert.match(await textOf(page, '#below-roofline'), /: your β₁ = 0\.5 and β₂ = 0\.7 \(below 1\) predict /);
  await context.close();
  ({ page, context } = await open(env, '?beta=0,0,0,0,0,0,0&prefill=&decode='));
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '0');
  assert.equal(await textOf(page, '#verdict'), 'The predicted step time is 0: every term is 0 or multiplied by a zero β. With no tokens in the step there is no arithmetic.');
  await context.close();
  // A zero step with β ≠ 0: the terms are 0, which the lead also covers.
  ({ page, context } = await open(env, '?beta=1,1,0,1,0,0,0&prefill=&decode='));
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '0');
  assert.doesNotMatch(await textOf(page, '#verdict'), /remain/);
  await context.close();
});

test('the memory sentence names prefill chunks only when the step has some', async () => {
  let { page, context } = await open(env, '?model=llama-3.1-70b-instruct&gpu=l4&tp=2&prefill=&decode=8192x64');
  await page.waitForSelector('#memory-fit[data-fits="false"]');
  assert.match(await textOf(page, '#memory-text'), /; not one decode request fits beside the weights(?! and the prefill chunks)/);
  await context.close();
  ({ page, context } = await open(env, '?model=llama-3.1-70b-instruct&gpu=l4&tp=2&prefill=512:512&decode=8192x64'));
  await page.waitForSelector('#memory-fit[data-fits="false"]');
  assert.match(await textOf(page, '#memory-text'), /; not one decode request fits beside the weights and the prefill chunks/);
  await context.close();
});

test('with no tokens, the verdict names only the terms that are not 0', async () => {
  let { page, context, errors } = await open(env, '?beta=0,0,0,0,0,0,5&prefill=&decode=');
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '5');
  assert.equal(await textOf(page, '#verdict'), 'Constant overhead (β₇) is the largest part of the step: 100%. With no tokens in the step there is no arithmetic: only the constant overhead remains.');
  await context.close();
  ({ page, context } = await open(env, '?beta=1,1,1,1,0,0,5&prefill=&decode='));
  await page.waitForFunction(() => Number(document.querySelector('#step-time').dataset.us) > 5);
  assert.match(await textOf(page, '#verdict'), /With no tokens in the step there is no arithmetic: only the weight read and the constant overhead remain\.$/);
  await context.close();
  ({ page, context } = await open(env, '?beta=1,1,1,1,3,0,0&prefill=&decode='));
  await page.waitForFunction(() => Number(document.querySelector('#step-time').dataset.us) > 5);
  assert.match(await textOf(page, '#verdict'), /there is no arithmetic: only the weight read and the per-layer overhead remain\.$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the does-not-fit advice names only fixes that can work, and a low memory utilization when it is the limit', async () => {
  const cases = [
    // One decode of one token: the 0.1% utilization is the limit, not the batch.
    ['?util=0.001&gpu=l4&prefill=&decode=1x1', 'Does not fit: needs 16.06 GB per GPU, has 24 MB usable; the GPU memory utilization of 0.1% is the limit: at the default 90% it fits.'],
    ['?model=llama-3.1-70b-instruct&gpu=l4&util=0.001&prefill=&decode=1x1', 'Does not fit: needs 141.1 GB per GPU, has 24 MB usable; no TP up to 16 fits with the GPU memory utilization of 0.1%; at the default 90%, TP ≥ 8 does.'],
    ['?model=llama-3.1-70b-instruct&gpu=l4&util=0.5&prefill=&decode=1x1', 'Does not fit: needs 141.1 GB per GPU, has 12 GB usable; try TP ≥ 16, or TP ≥ 8 at the default 90% GPU memory utilization (now 50%).'],
    // The weights alone fit only from TP 8: a smaller batch at this TP cannot help.
    ['?model=llama-3.1-70b-instruct&gpu=l4&prefill=&decode=8192x64', 'Does not fit: needs 312.9 GB per GPU, has 21.6 GB usable; no TP up to 16 fits this GPU: use a GPU with more memory or a smaller batch at TP ≥ 8.'],
    ['?model=llama-3.1-70b-instruct&gpu=l4&tp=16&prefill=&decode=8192x4096', 'Does not fit: needs 1.383 TB per GPU, has 21.6 GB usable; use a GPU with more memory or a smaller batch.'],
  ];
  for (const [query, expected] of cases) {
    const { page, context, errors } = await open(env, query);
    await page.waitForSelector('#fit-alert:not([hidden])');
    assert.equal(await textOf(page, '#fit-alert'), expected, query);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the share panel: one custom item "is" stored, a custom model and GPU "are"', async () => {
  const { page, context, errors } = await open(env, '?');
  await useCustomModel(page, 'My tiny');
  await page.waitForSelector('#share-custom:not([hidden])');
  assert.equal(await textOf(page, '#share-custom'), 'The custom model “My tiny” is stored only in this browser and cannot travel in a link; the link uses the default model instead.');
  await useCustomGpu(page, 'Lab card');
  await page.waitForFunction(() => /Lab card/.test(document.querySelector('#share-custom').textContent));
  assert.equal(await textOf(page, '#share-custom'), 'The custom model “My tiny” and GPU “Lab card” are stored only in this browser and cannot travel in a link; the link uses the default model and GPU instead.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('small wording: the stale line names a field as its error does; an empty sweep reads plainly; the slider names its row for every variable', async () => {
  let { page, context, errors } = await open(env, '?');
  await page.fill('#util', '0');
  await page.waitForSelector('#stale:not([hidden])');
  assert.equal(await textOf(page, '#stale'), 'Showing the last good result; to update it, fix GPU memory utilization (marked in red).');
  assert.match(await textOf(page, '#util-error'), /^GPU memory utilization: must be/);
  await context.close();
  ({ page, context } = await open(env, '?prefill=&sweep=prefill-chunk'));
  assert.equal(await textOf(page, '#sweep-desc'), 'Nothing to sweep, so the chart is empty: this sweep varies the prefill tokens per chunk, and the batch has no prefill chunks. Add one, or choose another sweep variable.');
  await context.close();
  // Two decode groups of equal count: the readout still names group 1, as it does for context.
  ({ page, context } = await open(env, '?prefill=&decode=1024x32,8192x32'));
  assert.equal(await textOf(page, '#sweep-slider-out'), '32 in decode group 1; the other rows scale with it');
  await page.selectOption('#sweep-var', 'decode-context');
  await page.waitForFunction(() => /^1,024 in/.test(document.querySelector('#sweep-slider-out').textContent));
  assert.equal(await textOf(page, '#sweep-slider-out'), '1,024 in decode group 1; the other rows scale with it');
  assert.deepEqual(errors, []);
  await context.close();
});

test('kv_heads < TP: the memory line, the phase sentences and the labels each say what they count', async () => {
  const r = cli(KV_TP.request);
  assert.equal(r.sharding.kv_heads_per_gpu, 0);
  assert.equal(r.sharding.kv_heads_stored_per_gpu, 1);
  assert.ok(r.memory.kv_cache_bytes > 0);
  const { page, context, errors } = await open(env, KV_TP.query);
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  // Memory counts the replicated head, and says so beside its KV figure.
  assert.match(await textOf(page, '#memory-text'), new RegExp(
    `KV cache ${bytes(r.memory.kv_cache_bytes).replace('.', '\\.')} \\(1 KV head per GPU, replicated as real engines store it; the roofline terms count 0\\)`));
  // The phase sentences count 0 heads "as the seed does", and one sentence puts both side by side.
  const teach = await textOf(page, '#teach');
  assert.match(teach, /Prefill: .*its KV term counts 0 KV heads per GPU \(⌊kv_heads\/TP⌋ = ⌊8\/16⌋\), so it has no KV bytes to divide by/);
  assert.match(teach, /The roofline terms count 0 KV heads per GPU \(8 KV heads over TP 16\), as the seed does; the memory fit counts the 1 KV head per GPU that real engines keep/);
  assert.doesNotMatch(teach, /key\/value heads per GPU/, 'no bare "0 key/value heads" claim without the memory side');
  // No label claims KV bytes its figure does not count.
  const labels = await page.$$eval('#derived dt', (dts) => dts.map((d) => d.textContent));
  assert.ok(labels.every((l) => !/weights? and KV/.test(l)), labels.join(' | '));
  assert.ok(labels.includes('HBM bandwidth utilisation (weights only; no KV bytes)'), labels.join(' | '));
  assert.ok(labels.includes('Whole-step arithmetic intensity (FLOPs ÷ weight bytes; no KV bytes)'), labels.join(' | '));
  assert.match(await textOf(page, '#verdict'), /all its HBM traffic \(weights only; no KV bytes, as the roofline terms count 0 KV heads per GPU when kv_heads < TP\)/);
  // Each label stays beside its figure: the label column does not push the values out.
  const overflow = await page.$eval('#derived', (d) => d.scrollWidth - d.clientWidth);
  assert.equal(overflow, 0, 'the derived figures fit their box');
  await page.waitForSelector('#roofline .u-legend');
  assert.equal(await textOf(page, '#roofline .u-legend .point-step .u-label'), 'Step: FLOPs ÷ weights (no KV bytes)');
  // The same labels with KV bytes counted.
  await page.goto(env.url + EXAMPLE.query);
  await ready(page);
  await waitForStep(page, cli(EXAMPLE.request).step_time_us);
  const withKv = await page.$$eval('#derived dt', (dts) => dts.map((d) => d.textContent));
  assert.ok(withKv.includes('HBM bandwidth utilisation (weights and KV)'), withKv.join(' | '));
  assert.equal(await textOf(page, '#roofline .u-legend .point-step .u-label'), 'Step: FLOPs ÷ weights + KV');
  assert.doesNotMatch(await textOf(page, '#memory-text'), /replicated/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('totals are always true: the last valid batch named as such, or none yet', async () => {
  const { page, context } = await open(env, EXAMPLE.query);
  const good = cli(EXAMPLE.request);
  await waitForStep(page, good.step_time_us);
  const totalsOf = (r) => `${(r.work.prefill.tokens + r.work.decode.tokens).toLocaleString('en-US')} tokens this step ` +
    `(${r.work.prefill.tokens.toLocaleString('en-US')} prefill, ${r.work.decode.tokens} decode) · batch size ${r.basis.batch_size} requests · ` +
    `${r.work.decode.context_tokens.toLocaleString('en-US')} decode context tokens`;
  assert.equal(await textOf(page, '#totals'), `Totals: ${totalsOf(good)}`);
  // An invalid row: the totals are the last valid batch's, and say so.
  await page.getByLabel('Decode group 1, Count').fill('0');
  await page.waitForFunction(() => /last valid/.test(document.querySelector('#totals').textContent));
  assert.equal(await textOf(page, '#totals'),
    `Totals of the last valid batch, not of the rows on screen, until Decode group 1, Count is fixed: ${totalsOf(good)}`);
  await page.getByLabel('Decode group 1, Count').fill('32');
  // An invalid TP with the batch unchanged: the totals are this batch's.
  await page.fill('#tp', '0');
  await page.waitForFunction(() => !document.querySelector('#stale').hidden);
  assert.equal(await textOf(page, '#totals'), `Totals: ${totalsOf(good)}`);
  // The same in one frame: a row made invalid (rendered at once), set back and TP made
  // invalid (both rendered together at the next frame). The rows on screen are new objects
  // with the last valid batch's text, so the totals are still theirs.
  await page.fill('#tp', '1');
  await page.waitForFunction(() => document.querySelector('#stale').hidden);
  const count = await page.getByLabel('Decode group 1, Count').elementHandle();
  const rendersBefore = Number(await page.evaluate(() => document.documentElement.dataset.renders));
  await page.evaluate((input) => {
    const type = (/** @type {HTMLInputElement} */ field, text) => {
      field.value = text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    };
    type(input, '0');
    type(input, '32');
    type(document.querySelector('#tp'), '0');
  }, count);
  await page.waitForFunction((n) => Number(document.documentElement.dataset.renders) > n && !document.querySelector('#stale').hidden, rendersBefore);
  await rendered(page); // any render the edits deferred to the next frame is done
  assert.equal(await textOf(page, '#totals'), `Totals: ${totalsOf(good)}`);
  await context.close();
  // A link whose row is invalid from the start: no totals to show, and it says so.
  const b = await open(env, '?prefill=512:2048,4096:1024');
  assert.equal(await textOf(b.page, '#totals'), 'Totals: none yet, as nothing could be computed since the page opened; fix Prefill chunk 2, Tokens this step.');
  assert.equal(await textOf(b.page, '#stale'), 'No result yet; to compute one, fix Prefill chunk 2, Tokens this step (marked in red).');
  await b.context.close();
});
