// The third review's page defects, each on the input that showed it: a link's *R run past
// the row limit, pin numbers in a link's notice, the sentences the page builds on edge
// cases (one row left, equal β below 1, all β 0 on an empty batch, no prefill chunk), the
// scenario line for custom items and the field errors in the page's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, guardedPage, ready, cli, waitForStep, SHOTS, ROOT, useCustomModel, useCustomGpu } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

async function open(query) {
  const guarded = await guardedPage(env.browser);
  await guarded.page.goto(env.url + query);
  await ready(guarded.page);
  return guarded;
}
const notices = (page) => page.locator('#notices').innerText();
const text = (page, id) => page.locator(`#${id}`).innerText();

test('a *R run past the row limit is cut to the limit with the long list\'s notice', async () => {
  const { page, context, errors } = await open('?model=llama-2-70b-hf&gpu=h100-sxm&tp=4&prefill=&decode=1024x2*4097');
  const limit = await page.evaluate(() => document.querySelectorAll('#decode-rows .row').length);
  assert.equal(limit, 4096);
  assert.match(await notices(page), /The link's parameter "decode" has 4,097 rows; the calculator takes at most 4,096 per list, so the first 4,096 are used\./);
  assert.doesNotMatch(await notices(page), /no valid item|replaced by the default/);
  const expected = cli({ model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4,
    step: { prefill: [], decode: Array.from({ length: 4096 }, () => ({ context_length: 1024, count: 2 })) } }).step_time_us;
  assert.equal(await waitForStep(page, expected, 15000), expected);
  assert.deepEqual(errors, []);
  await context.close();
  // A count with more digits than a number holds is not valid (it would read "has – rows").
  const huge = await open(`?decode=1024*${'9'.repeat(400)},1024x2*3`);
  const said = await notices(huge.page);
  assert.match(said, /item 1 \(“1024\*9{20}/);
  assert.doesNotMatch(said, /has – rows/);
  assert.equal(await huge.page.evaluate(() => document.querySelectorAll('#decode-rows .row').length), 3);
  await huge.context.close();
});

test('a link\'s pin that was left out is named by its place in the link and its text, not as the table\'s Pin 1', async () => {
  const { page, context } = await open('?pin=tp%3D2%26decode%3Dabc&pin=tp%3D4');
  const said = await notices(page);
  assert.match(said, /The link's first pin \(“tp=2&decode=abc”\) was left out: its parameter "decode" has no valid item \(item 1 \(“abc”\)\)\./);
  assert.doesNotMatch(said, /Pin 1/);
  await context.close();
});

test('one row left after a bad one is singular', async () => {
  const { page, context } = await open('?prefill=512:2048,abc&decode=1024x32');
  assert.match(await notices(page), /"prefill": item 2 \(“abc”\) is not valid and was left out; the other 1 applies\./);
  await context.close();
});

test('β below 1 with one value are listed once; all β 0 on an empty batch claims no remaining terms', async () => {
  let { page, context } = await open('?beta=0,0,0,0,0,0,0');
  await page.waitForSelector('#below-roofline:not([hidden])');
  assert.match(await text(page, 'below-roofline'), /: your β₁, β₂ and β₃ = 0 \(below 1\) predict a faster step than the roofline\./);
  await context.close();
  ({ page, context } = await open('?beta=0.5,0.7,1,1,0,0,0'));
  await page.waitForSelector('#below-roofline:not([hidden])');
  assert.match(await text(page, 'below-roofline'), /: your β₁ = 0\.5 and β₂ = 0\.7 \(below 1\) predict /);
  await context.close();
  ({ page, context } = await open('?beta=0,0,0,0,0,0,0&prefill=&decode='));
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '0');
  assert.equal(await text(page, 'verdict'), 'The predicted step time is 0: every term is 0 or multiplied by a zero β. With no tokens in the step there is no arithmetic.');
  await context.close();
  // A zero step with β ≠ 0: the terms are 0, which the lead also covers.
  ({ page, context } = await open('?beta=1,1,0,1,0,0,0&prefill=&decode='));
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '0');
  assert.doesNotMatch(await text(page, 'verdict'), /remain/);
  await context.close();
});

test('the memory sentence names prefill chunks only when the step has some', async () => {
  let { page, context } = await open('?model=llama-3.1-70b-instruct&gpu=l4&tp=2&prefill=&decode=8192x64');
  await page.waitForSelector('#memory-fit[data-fits="false"]');
  assert.match(await text(page, 'memory-text'), /; not one decode request fits beside the weights(?! and the prefill chunks)/);
  await context.close();
  ({ page, context } = await open('?model=llama-3.1-70b-instruct&gpu=l4&tp=2&prefill=512:512&decode=8192x64'));
  await page.waitForSelector('#memory-fit[data-fits="false"]');
  assert.match(await text(page, 'memory-text'), /; not one decode request fits beside the weights and the prefill chunks/);
  await context.close();
});

test('the scenario line and the Trace view name a custom model and GPU as the Compare table does', async () => {
  const { page, context, errors } = await open('?');
  await useCustomModel(page, 'my <b>tiny</b> model');
  await useCustomGpu(page, 'NoCap GPU');
  await page.fill('#tp', '3');
  await page.waitForFunction(() => /TP 3/.test(document.querySelector('#scenario-line').textContent));
  assert.equal(await text(page, 'scenario-line'), 'my <b>tiny</b> model on NoCap GPU, TP 3, coefficients trained-roofline-h100');
  assert.match(await text(page, 'trace-scenario'), /^Model my <b>tiny<\/b> model, GPU NoCap GPU, coefficients trained-roofline-h100: /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('field errors in the page\'s words: its labels and number format, no request paths', async () => {
  const { page, context, errors } = await open('?prefill=512:2048&decode=1024x32');
  const visible = (id) => page.waitForSelector(`#${id}:not([hidden])`);
  await page.fill('#prefill-rows .row:first-child input[data-field="t"]', '4096');
  await page.waitForFunction(() => /exceeds/.test(document.querySelector('#prefill-rows .row:first-child .error').textContent));
  assert.equal(await page.locator('#prefill-rows .row:first-child .error').innerText(), 'Prefill chunk 1, Tokens this step: 4,096 exceeds prompt tokens 2,048');
  await page.fill('#tp', '1.5');
  await visible('tp-error');
  assert.equal(await text(page, 'tp-error'), 'Tensor parallel (TP): “1.5” is not a whole number; type digits only, without a decimal point');
  await page.fill('#util', '5');
  await visible('util-error');
  assert.equal(await text(page, 'util-error'), 'GPU memory utilization: must be a number from 0.001 to 1, got 5');

  await page.click('#custom-gpu summary');
  await page.fill('#cg-tflops', '0');
  await page.click('#cg-use');
  await visible('cg-error');
  assert.match(await text(page, 'cg-error'), /must be a number from 0\.001 to 1e9, got 0/);
  assert.doesNotMatch(await text(page, 'cg-error'), /e\+|\(gpu\./);

  await page.click('#custom-model summary');
  await page.fill('#config-text', '  ');
  await page.click('#config-use');
  await visible('config-error');
  assert.equal(await text(page, 'config-error'), 'The config.json box is empty: paste a config.json or choose the file. The model in use is unchanged.');
  await page.fill('#config-text', JSON.stringify({ num_hidden_layers: 4, hidden_size: -1, num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1536 }));
  await page.click('#config-use');
  await page.waitForFunction(() => /hidden_size/.test(document.querySelector('#config-error').textContent));
  assert.equal(await text(page, 'config-error'), 'config.json\'s hidden_size: must be an integer from 1 to 1e7, got -1. The model in use is unchanged.');

  // A picture chosen as a trace.
  await page.setInputFiles('#trace-file', { name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) });
  await visible('trace-error');
  assert.equal(await text(page, 'trace-error'),
    'The trace could not be read: “pic.png” is not a JSON file (its first byte is 0x89); a trace is an experiment document or JSON Lines');
  assert.deepEqual(errors, []);
  await context.close();
});

// Mutations tried: the embed's axis and marker sizes back to the full page's (decade 8 px,
// markers 13 px: failed); the h1 left in the hidden header (axe's page-has-heading-one).
for (const [name, query] of [['the default', '?embed=1'], ['Llama 3.1 70B on an L4', '?model=llama-3.1-70b-instruct&gpu=l4&tp=1&embed=1']]) {
  test(`embed at 640×480, ${name}: a readable roofline (a decade taller than a label and a marker, the ridge label above the roof) and an h1`, async () => {
    const { page, context, errors } = await guardedPage(env.browser, { viewport: { width: 640, height: 480 }, bypassCSP: true });
    await page.goto(env.url + query);
    await ready(page);
    await page.waitForFunction(() => document.querySelector('#roofline .uplot')?.dataset.decadePx);
    const chart = await page.$eval('#roofline .uplot', (u) => ({ ...u.dataset }));
    const decade = Number(chart.decadePx), marker = Number(chart.markerPx);
    assert.ok(decade >= 16, `a decade is ${decade} px: the 10 px y labels need more than their height`);
    assert.ok(marker < decade, `markers ${marker} px, smaller than a decade (${decade} px)`);
    const [, , top, bottom] = JSON.parse(chart.ridgeLabel);
    assert.ok(bottom < Number(chart.roofY) && top >= JSON.parse(chart.plotBox)[1] - 1, `ridge label ${top}–${bottom} above the roof at ${chart.roofY}, inside the plot`);
    const canvas = await page.locator('#roofline canvas').boundingBox();
    assert.ok(canvas.y + canvas.height <= 480, 'the chart is in the frame');
    await page.screenshot({ path: join(SHOTS, `embed-640x480-roofline-${query.length}.png`) });
    await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
    const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => v.id));
    assert.deepEqual(violations, []);
    assert.equal(await page.locator('h1').count(), 1);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('embed at 400×300: the roofline legend goes under the chart, leaving the plot most of the width', async () => {
  const { page, context } = await guardedPage(env.browser, { viewport: { width: 400, height: 300 } });
  await page.goto(`${env.url}?embed=1`);
  await ready(page);
  await page.waitForFunction(() => document.querySelector('#roofline .uplot')?.dataset.plotBox);
  const [, , width] = JSON.parse(await page.$eval('#roofline .uplot', (u) => u.dataset.plotBox));
  assert.ok(width >= 250, `plot ${width} px wide`);
  const legend = await page.locator('#roofline .u-legend').boundingBox(), canvas = await page.locator('#roofline canvas').boundingBox();
  assert.ok(legend.y >= canvas.y + canvas.height - 1, 'legend under the chart');
  await context.close();
});
