// The third review's page defects, each on the input that showed it: a link's *R run past
// the row limit, pin numbers in a link's notice, the sentences the page builds on edge
// cases (one row left, equal β below 1, all β 0 on an empty batch, no prefill chunk), the
// scenario line for custom items and the field errors in the page's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, guardedPage, ready, cli, waitForStep } from './helpers.mjs';

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
  await page.click('#custom-model summary');
  await page.fill('#config-text', JSON.stringify({ _name_or_path: 'my <b>tiny</b> model', num_hidden_layers: 4, hidden_size: 512,
    num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1536 }));
  await page.click('#config-use');
  await page.waitForFunction(() => document.querySelector('#model').value.startsWith('custom:'));
  await page.click('#custom-gpu summary');
  await page.fill('#cg-name', 'NoCap GPU');
  await page.fill('#cg-tflops', '400');
  await page.fill('#cg-hbm', '2.5');
  await page.fill('#cg-link', '300');
  await page.click('#cg-use');
  await page.waitForFunction(() => document.querySelector('#gpu').value.startsWith('custom:'));
  await page.fill('#tp', '3');
  await page.waitForFunction(() => /TP 3/.test(document.querySelector('#scenario-line').textContent));
  assert.equal(await text(page, 'scenario-line'), 'my <b>tiny</b> model on NoCap GPU, TP 3, coefficients trained-roofline-h100');
  assert.match(await text(page, 'trace-scenario'), /^Model my <b>tiny<\/b> model, GPU NoCap GPU, coefficients trained-roofline-h100: /);
  assert.deepEqual(errors, []);
  await context.close();
});
