// Memory fit on the page against the CLI's `memory`: a step that cannot fit (Llama 3.1 70B
// at TP 1 on an L4) gets the message at the top with the smallest preset TP that fits; one
// that fits gets the bar and no message; the sweep marks where the batch stops fitting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, setup, open, cli, waitForStep } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const sig4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const gb = (bytes) => `${sig4.format(bytes / 1e9)} GB`;
const STEP = { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] };

async function fitView(page) {
  return page.$eval('#memory-fit', (el) => ({ ...el.dataset, text: el.innerText }));
}

test('Llama 3.1 70B at TP 1 on an L4 does not fit: the message names need, usable and a TP that fits', async () => {
  const { page, context, errors } = await open(env, '?model=llama-3.1-70b-instruct&gpu=l4&tp=1&prefill=512:2048&decode=1024x32');
  const request = { model: 'llama-3.1-70b-instruct', gpu: 'l4', tp: 1, step: STEP };
  const r = cli(request);
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  const m = r.memory, need = m.weight_bytes + m.kv_cache_bytes;
  assert.equal(m.fits, false);
  const view = await fitView(page);
  assert.equal(view.fits, 'false');
  assert.equal(Number(view.needBytes), need);
  assert.equal(Number(view.usableBytes), m.usable_bytes);
  // The smallest preset TP at which the CLI says the same request fits.
  const tp = [2, 4, 8, 16].find((t) => cli({ ...request, tp: t }).memory.fits === true);
  assert.ok(tp, 'some TP fits');
  const alert = page.locator('#fit-alert');
  assert.ok(await alert.isVisible());
  assert.equal(await alert.innerText(), `Does not fit: needs ${gb(need)} per GPU, has ${gb(m.usable_bytes)} usable; try TP ≥ ${tp}.`);
  // The message is at the top of the results, above the verdict.
  const [a, v] = await Promise.all([alert.boundingBox(), page.locator('#verdict').boundingBox()]);
  assert.ok(a.y < v.y);
  assert.match(view.text, new RegExp(`over the ${gb(m.usable_bytes)} usable \\(90% of ${gb(m.capacity_bytes)}\\) by ${gb(need - m.usable_bytes)}`));
  // The core's own note is listed too.
  assert.match(await page.locator('#notes').innerText(), /GB/);
  await page.locator('#results').screenshot({ path: join(SHOTS, 'memory-does-not-fit.png') });

  // At the suggested TP the message goes away and the bar says it fits.
  await page.fill('#tp', String(tp));
  const atTp = cli({ ...request, tp });
  assert.equal(await waitForStep(page, atTp.step_time_us), atTp.step_time_us);
  assert.equal(await alert.isVisible(), false);
  assert.equal((await fitView(page)).fits, 'true');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Llama 3.1 8B on an H100 fits: the bar shows weights, KV and free space as the CLI counts them', async () => {
  const { page, context } = await open(env, '?model=llama-3.1-8b-instruct&gpu=h100-sxm&tp=1&prefill=512:2048&decode=1024x32');
  const r = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, step: STEP });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  const m = r.memory, view = await fitView(page);
  assert.equal(m.fits, true);
  assert.equal(view.fits, 'true');
  assert.equal(Number(view.needBytes), m.weight_bytes + m.kv_cache_bytes);
  assert.equal(Number(view.usableBytes), m.usable_bytes);
  assert.equal(await page.locator('#fit-alert').isVisible(), false);
  assert.match(view.text, new RegExp(`weights ${gb(m.weight_bytes)} \\+ KV cache ${sig4.format(m.kv_cache_bytes / 1e9)} GB`));
  assert.match(view.text, new RegExp(`${gb(m.headroom_bytes)} free; at most ${m.max_decode_requests.toLocaleString('en-US')} decode requests at this step's mean context fit`));
  // Segment widths are the byte shares of the usable memory.
  const widths = await page.$$eval('#memory-bar .mseg', (segs) => segs.map((s) => s.getBoundingClientRect().width));
  const total = widths.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(widths[0] / total - m.weight_bytes / m.usable_bytes) < 0.01);
  await context.close();
});

test('the decode-count sweep marks where the batch stops fitting', async () => {
  const { page, context } = await open(env, '?model=llama-3.1-70b-instruct&gpu=h100-sxm&tp=4&prefill=&decode=8192x32');
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.overflowX);
  const x = Number(await page.locator('#sweep').getAttribute('data-overflow-x'));
  const desc = await page.locator('#sweep-desc').innerText();
  const [, before] = /stops fitting in GPU memory between ([\d,]+) and/.exec(desc);
  const at = (count) => cli({ model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 4, step: { decode: [{ context_length: 8192, count }] } }).memory;
  assert.equal(at(x).fits, false, `${x} decode requests do not fit`);
  assert.equal(at(Number(before.replaceAll(',', ''))).fits, true, `${before} decode requests fit`);
  assert.match(desc, new RegExp(`between ${before} and ${x.toLocaleString('en-US')} decode requests per group \\(shaded from`));
  await page.locator('#charts').screenshot({ path: join(SHOTS, 'memory-sweep.png') });
  await context.close();
});

test('a custom GPU without a memory capacity: fit unknown, said so, no message', async () => {
  const { page, context } = await open(env, '?model=llama-3.1-8b-instruct&tp=1&prefill=512:2048&decode=1024x32');
  await page.click('#custom-gpu summary');
  await page.fill('#cg-name', 'No capacity');
  await page.fill('#cg-tflops', '400');
  await page.fill('#cg-hbm', '2.5');
  await page.click('#cg-use');
  const r = cli({ model: 'llama-3.1-8b-instruct', tp: 1, step: STEP,
    gpu: { compute: { fp16_tensor_core: 400, with_sparsity: false }, memory: { bandwidth_tb_s: 2.5 }, interconnect: { nvlink_bandwidth_gb_s: 900 } } });
  assert.equal(r.memory.fits, null);
  await page.waitForFunction(() => document.querySelector('#memory-fit').dataset.fits === 'unknown');
  const view = await fitView(page);
  assert.equal(Number(view.needBytes), r.memory.weight_bytes + r.memory.kv_cache_bytes);
  assert.equal(view.usableBytes, '');
  assert.match(view.text, /capacity unknown/);
  assert.match(view.text, /this GPU's datasheet gives no memory capacity, so whether it fits is unknown/);
  assert.equal(await page.locator('#fit-alert').isVisible(), false);
  await context.close();
});
