// A long batch opens in two steps (batch.mjs, FIRST_ROWS): the first rows of each list before
// the first frame, the rest, with the charts below the fold, in the task after it. These
// tests check that nothing is lost or misplaced on the way: what is typed before the rest
// arrives, an error in a row that arrives late, and the charts made after the first frame.
// How fast it opens is measured by web/bench/run.mjs, not here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, guardedPage, ready, open, cli, waitForStep } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const MODEL = { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 4 };
const contexts = Array.from({ length: 1000 }, (_, i) => 512 + 7 * i);
const LINK = `?model=${MODEL.model}&gpu=${MODEL.gpu}&tp=${MODEL.tp}&prefill=&decode=${contexts.join(',')}`;
const decodeRequest = (cs) => ({ ...MODEL, step: { decode: cs.map((c) => ({ context_length: c })) } });

test('text typed into a row before the rest of a 1,000-row batch is on the page is kept', async () => {
  const { page, context, errors } = await guardedPage(env.browser);
  // Right after the first render, while only the first rows are on the page, type into row 3.
  await page.addInitScript(() => {
    addEventListener('stepcalc:rendered', () => queueMicrotask(() => {
      const input = /** @type {HTMLInputElement} */ (document.querySelector('[data-where="step.decode[2].context_length"]'));
      window.__rowsWhenTyped = document.querySelectorAll('#decode-rows .row').length;
      input.value = '77';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }), { once: true });
  });
  await page.goto(env.url + LINK);
  await ready(page);
  const typedWith = await page.evaluate(() => window.__rowsWhenTyped);
  assert.ok(typedWith < 1000, `typed while ${typedWith} of the 1,000 rows were on the page`);
  assert.equal(await page.locator('#decode-rows .row').count(), 1000);
  const values = await page.$$eval('#decode-rows input[data-field="c"]', (els) => els.map((e) => e.value));
  const edited = contexts.map((c, i) => (i === 2 ? 77 : c));
  assert.deepEqual(values, edited.map(String), 'row 3 keeps what was typed, every other row its own value');
  const expected = cli(decodeRequest(edited)).step_time_us;
  assert.equal(await waitForStep(page, expected), expected);
  // The rows added later are numbered after the first ones, and named for screen readers.
  assert.equal(await page.locator('#decode-rows .row:last-child .row-title').textContent(), 'Decode group 1000');
  assert.equal(await page.locator('#decode-rows .row:last-child input[data-field="c"]').getAttribute('aria-label'), 'Decode group 1000, Context length');
  assert.equal(await page.locator('#decode-rows .row:last-child input[data-field="c"]').getAttribute('data-where'), 'step.decode[999].context_length');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an error in a row that is added after the first frame is shown beside that row', async () => {
  const { page, context } = await guardedPage(env.browser);
  // 60 prefill chunks; chunk 50 asks for more tokens this step than its prompt has.
  const chunks = Array.from({ length: 60 }, (_, i) => (i === 49 ? '4096:2048' : `256:${2048 + i}`));
  await page.goto(`${env.url}?model=${MODEL.model}&gpu=${MODEL.gpu}&tp=${MODEL.tp}&prefill=${chunks.join(',')}&decode=`);
  await ready(page);
  assert.equal(await page.locator('#prefill-rows .row').count(), 60);
  const rowError = page.locator('#prefill-rows .row:nth-child(50) .error');
  assert.equal(await rowError.isVisible(), true, 'the error line of chunk 50 is shown');
  assert.match(await rowError.textContent(), /^Prefill chunk 50, Tokens this step: 4,096 exceeds prompt tokens 2,048$/);
  assert.equal(await page.locator('[data-where="step.prefill[49].tokens_this_step"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#step-error').isHidden(), true, 'not shown apart from its row');
  await context.close();
});

test('the charts below the fold are drawn once the 1,000-row page is whole', async () => {
  const { page, context } = await open(env, LINK, { viewport: { width: 1280, height: 900 } });
  const below = await page.evaluate(() => ['roofline', 'sweep'].map((id) => document.getElementById(id).getBoundingClientRect().top >= innerHeight));
  assert.deepEqual(below, [true, true], 'both charts start below the fold at 1280×900');
  assert.equal(await page.locator('#roofline canvas').count(), 1);
  assert.equal(await page.locator('#sweep canvas').count(), 1);
  // Drawn with the data of the batch on screen: the sweep's x labels were recorded by a draw.
  assert.ok(JSON.parse(await page.locator('#sweep .uplot').getAttribute('data-x-labels')).length > 0);
  assert.equal(await page.locator('#sweep').getAttribute('data-current-step-us'), await page.locator('#step-time').getAttribute('data-us'));
  await context.close();
});
