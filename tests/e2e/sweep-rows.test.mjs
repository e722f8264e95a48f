// The sweep chart describes the batch on screen: on rows that differ it varies them as the
// slider does (x is the first row's value, every other row scaled by the same factor), so
// the dotted current value, the shading where the batch stops fitting and the sentence
// agree with the memory bar and the step time. Also: phases without KV bytes, the words
// for a value of x, and legends that list only what is drawn.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, setup, open, cli, stepUs } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// The page at `query` once its sweep has a current value.
async function openSwept(query) {
  const opened = await open(env, query);
  await opened.page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX);
  return opened;
}

// What the page shows: memory fit, step time, and the sweep's dotted line, shading and sentence.
const view = (page) => page.evaluate(() => {
  const sweep = document.querySelector('#sweep').dataset;
  return {
    fits: document.querySelector('#memory-fit').dataset.fits,
    stepUs: Number(document.querySelector('#step-time').dataset.us),
    currentX: Number(sweep.currentX), currentStepUs: Number(sweep.currentStepUs),
    overflowX: sweep.overflowX === '' ? NaN : Number(sweep.overflowX),
    desc: document.querySelector('#sweep-desc').textContent,
  };
});
const number = (text) => Number(text.replaceAll(',', ''));

// The chart's x at the current batch is that batch: same step time, and shaded exactly when
// the memory bar says it does not fit.
function agreesWithScreen(v) {
  assert.equal(v.currentStepUs, v.stepUs, 'the chart at the dotted line is the step on screen');
  const shadedAtCurrent = v.overflowX <= v.currentX;
  assert.equal(shadedAtCurrent, v.fits === 'false', `shaded from ${v.overflowX}, current ${v.currentX}, fits ${v.fits}`);
  assert.doesNotMatch(v.desc, /every row is set/);
}

test('decode-heavy (2,048 × 64 and 8,192 × 16): the sweep scales group 2 with group 1, as the slider does', async () => {
  const { page, context, errors } = await openSwept('?prefill=&decode=2048x64,8192x16');
  const v = await view(page);
  assert.equal(v.fits, 'true');
  assert.equal(v.currentX, 64);
  agreesWithScreen(v);
  assert.ok(v.overflowX > 64, `the batch on screen fits, so the shading starts right of 64: ${v.overflowX}`);
  const [, before, at] = /stops fitting in GPU memory between ([\d,]+) and ([\d,]+) decode requests in decode group 1 \(shaded from/.exec(v.desc);
  assert.equal(number(at), v.overflowX);
  assert.match(v.desc, /The other decode rows scale with decode group 1, keeping their ratios, as the slider moves them\./);
  // The CLI agrees on the batch each side of the boundary: group 2 at 16/64 of group 1.
  const at2 = (n) => cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { decode: [{ context_length: 2048, count: n }, { context_length: 8192, count: Math.round((16 * n) / 64) }] } }).memory.fits;
  assert.equal(at2(number(before)), true);
  assert.equal(at2(number(at)), false);
  // The axis says x is the first group's value.
  assert.equal(await page.locator('#sweep').getAttribute('data-x-label'), 'decode group 1 requests (others scaled)');
  await page.locator('#charts').screenshot({ path: join(SHOTS, 'sweep-scaled-rows.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('decode context with the slider at 40,342 (rows 1:4): does not fit, and the sweep shades the current value', async () => {
  const { page, context, errors } = await openSwept('?prefill=&decode=40342x1,161368x3&sweep=decode-context');
  const v = await view(page);
  assert.equal(v.fits, 'false');
  assert.equal(v.currentX, 40342);
  agreesWithScreen(v);
  assert.match(v.desc, /tokens of context in decode group 1/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two prefill chunks: the chunk sweep stops where a scaled chunk would pass its prompt', async () => {
  const { page, context, errors } = await openSwept('?prefill=512:2048,1024:4096&decode=&sweep=prefill-chunk');
  const v = await view(page);
  agreesWithScreen(v);
  assert.equal(v.currentX, 512);
  // Chunk 2 is twice chunk 1 and reaches its 4,096-token prompt when chunk 1 is at 2,048.
  assert.match(v.desc, /over the whole range, 1 to 2,048 tokens this step in prefill chunk 1 \(now 512, dotted line\)\. The other prefill rows scale with prefill chunk 1/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('moving the slider on differing rows: the chart follows the batch on screen', async () => {
  const { page, context } = await openSwept('?prefill=&decode=2048x64,8192x16');
  // Drag the slider to its far right: the rows scale up past what fits.
  await page.locator('#sweep-slider').fill('1000');
  await page.waitForFunction(() => document.querySelector('#memory-fit').dataset.fits === 'false');
  await page.waitForFunction(() => Number(document.querySelector('#sweep').dataset.currentStepUs) === Number(document.querySelector('#step-time').dataset.us));
  agreesWithScreen(await view(page));
  await context.close();
});

test('kv_heads < TP: the sweep says the phase has no KV bytes instead of comparing with them', async () => {
  const { page, context } = await openSwept('?model=llama-3.1-70b-instruct&tp=16&prefill=512:2048&decode=1024x32');
  const v = await view(page);
  assert.match(v.desc, /^Decode: no KV bytes \(kv_heads < TP\) over the whole range, 1 to [\d,]+ decode requests per group, so its compute is not compared with a KV read \(now 32, dotted line\)\./);
  assert.doesNotMatch(v.desc, /exceeds/);
  assert.equal(await page.locator('#badge-decode').innerText(), 'no KV bytes (kv_heads < TP)');
  assert.equal(await page.locator('#badge-prefill').innerText(), 'no KV bytes (kv_heads < TP)');
  assert.match(await page.locator('#verdict').innerText(), /all its HBM traffic \(weights only; no KV bytes, as the roofline terms count 0 KV heads per GPU when kv_heads < TP\)/);
  await context.close();
});

test('sentences read as sentences; legends list only what is drawn', async () => {
  const { page, context } = await openSwept('?prefill=&decode=1024x1&sweep=decode-context');
  const v = await view(page);
  assert.match(v.desc, /[\d,]+ tokens of decode context/);
  assert.doesNotMatch(v.desc, /\d decode context length \(tokens\)/);
  assert.equal(await page.locator('#totals').innerText(),
    'Totals: 1 token this step (0 prefill, 1 decode) · batch size 1 request · 1,024 decode context tokens');
  // No "x: --" entry in the sweep legend; no prefill entry on the roofline of a decode-only step.
  const sweepLegend = await page.locator('#sweep .u-legend').innerText();
  assert.doesNotMatch(sweepLegend, /--|\bx\b/);
  assert.match(sweepLegend, /step time/);
  const shown = await page.$$eval('#roofline .u-legend .u-series', (rows) => rows.filter((r) => r.offsetParent !== null).map((r) => r.innerText.trim()));
  assert.deepEqual(shown, ['GPU roof', 'Decode: FLOPs ÷ KV read', 'Step: FLOPs ÷ weights + KV', 'Step, predicted (ring)']);
  await context.close();
});
