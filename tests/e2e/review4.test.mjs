// The fourth review's page defects, each on the input that showed it: what a JSON Lines
// trace was read with, field errors that echo the value as typed, the sweep slider's row
// ratios, the λ field, the verdict's remaining terms, the does-not-fit advice, the share
// panel's grammar, Compare's 0-against-0 cell and the small wording issues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, guardedPage, ready, cli, ROOT, useCustomModel, useCustomGpu } from './helpers.mjs';
import { readWithText, lambdaText } from '../../web/src/trace-text.mjs';
import { readBounded } from '../../web/src/fields.mjs';
import { pageWords } from '../../web/src/messages.mjs';
import { difference } from '../../web/src/compare.mjs';

const dir = mkdtempSync(join(tmpdir(), 'stepcalc-e2e-review4-'));
const makeTrace = (steps, out, ...flags) => {
  const run = spawnSync('node', [join(ROOT, 'core/bench/make_trace.mjs'), String(steps), out, ...flags]);
  assert.equal(run.status, 0, String(run.stderr));
  return out;
};

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

async function open(query) {
  const guarded = await guardedPage(env.browser);
  await guarded.page.goto(env.url + query);
  await ready(guarded.page);
  return guarded;
}
const text = (page, id) => page.locator(`#${id}`).innerText();

const SETTINGS = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', coefficients: 'trained-roofline-h100', tp: null };
const summary = (steps, requests, format) => ({ steps, skipped: 0, tp: 1, tps: [1], request_steps: requests, format,
  total_predicted_us: 1, dominant_share: { prefill: 1, decode: 0, weight: 0, tp: 0, per_layer: 0, per_request: 0, constant: 0 }, timed_steps: 0, skipped_errors: [] });

test('a JSON Lines trace read with the file\'s TP says TP 1, as its summary does; a document says from the file', async () => {
  assert.equal(readWithText(summary(5, 0, 'json_lines'), SETTINGS),
    'Read with model llama-2-70b-hf, GPU h100-sxm, coefficients trained-roofline-h100, TP 1 (JSON Lines steps carry no TP).');
  assert.equal(readWithText(summary(5, 0, 'document'), SETTINGS),
    'Read with model llama-2-70b-hf, GPU h100-sxm, coefficients trained-roofline-h100, TP from the file.');
  assert.match(readWithText(summary(5, 2, 'json_lines'), SETTINGS),
    /^The 3 steps in the training format were read with model llama-2-70b-hf, GPU h100-sxm, coefficients trained-roofline-h100, TP 1 \(JSON Lines steps carry no TP\); the 2 whole requests /);
  assert.equal(readWithText(summary(5, 0, 'json_lines'), { ...SETTINGS, tp: 4 }),
    'Read with model llama-2-70b-hf, GPU h100-sxm, coefficients trained-roofline-h100, TP 4.');

  const { page, context, errors } = await open('?model=llama-2-70b-hf&gpu=h100-sxm&tp=4');
  // The option's label is true for both formats.
  assert.equal(await page.locator('#trace-tp option[value="file"]').innerText(), 'the file\'s (a document\'s tensor_parallelism; TP 1 for JSON Lines steps)');
  await page.selectOption('#trace-tp', 'file');
  await page.setInputFiles('#trace-file', makeTrace(30, join(dir, 'steps.jsonl'), '--jsonl'));
  await page.waitForFunction(() => document.querySelector('#trace-summary').dataset.steps === '30');
  assert.equal(await text(page, 'trace-read-with'),
    'Read with model llama-2-70b-hf, GPU h100-sxm, coefficients trained-roofline-h100, TP 1 (JSON Lines steps carry no TP).');
  assert.match(await text(page, 'trace-summary'), /TP 1 for every step \(JSON Lines steps in the training format are read at TP 1\)\./);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a field\'s error echoes the value exactly, never rounded to read like the bound', async () => {
  assert.equal(pageWords('must be an integer from 1 to 100000000, got 100000001'), 'must be an integer from 1 to 1e8, got 100,000,001');
  assert.equal(pageWords('got 99999999999999999999'), 'got 99,999,999,999,999,999,999'); // past 2^53: the digits typed
  assert.equal(pageWords('hidden_size: must be an integer from 1 to 10000000, got 10000001'), 'hidden_size: must be an integer from 1 to 1e7, got 10,000,001');
  const { page, context, errors } = await open('?coef=custom&beta=1,1,1,1,0,0,0&decode=1024x32');
  await page.fill('[data-where="step.decode[0].context_length"]', '100000001');
  await page.fill('[data-where="step.decode[0].count"]', '99999999999');
  await page.fill('[data-where="coefficients.beta[2]"]', '99999999999');
  await page.waitForFunction(() => /β₃/.test(document.querySelector('#coef-error').textContent));
  const row = await page.locator('#decode-rows .row:first-child .error').innerText();
  assert.match(row, /Decode group 1, Context length: must be an integer from 1 to 1e8, got 100,000,001/);
  assert.match(row, /Decode group 1, Count: must be an integer from 1 to 1,000,000, got 99,999,999,999/);
  assert.match(await text(page, 'coef-error'), /β₃ [^:]*: must be a number from 0 to 1e9, got 99,999,999,999/);
  assert.deepEqual(errors, []);
  await context.close();
});

const decodeParam = (page) => new URL(page.url()).searchParams.get('decode');

test('the slider scales rows from the batch before it moved them: Home, a pause, End keeps 32:2; so does the chart', async () => {
  const { page, context, errors } = await open('?prefill=&decode=1024x32,8192x2');
  await page.focus('#sweep-slider');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024,8192');
  // The chart sweeps the rows as the slider will move them: from 32:2, not from 1:1.
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX === '1');
  const desc = await text(page, 'sweep-desc');
  assert.match(desc, /The other decode rows scale with decode group 1, keeping the ratios they had before the slider moved them, as the slider moves them\./);
  // Where the chart says the batch stops fitting is where it does with group 2 at 2/32 of group 1 (the CLI).
  const [, fitsAt, stopsAt] = /stops fitting in GPU memory between ([\d,]+) and ([\d,]+) decode requests in decode group 1/.exec(desc);
  const fits = (n) => cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { decode: [{ context_length: 1024, count: n }, { context_length: 8192, count: Math.max(1, Math.round((2 * n) / 32)) }] } }).memory.fits;
  assert.equal(fits(Number(fitsAt.replaceAll(',', ''))), true);
  assert.equal(fits(Number(stopsAt.replaceAll(',', ''))), false);
  await page.waitForTimeout(1000); // a new gesture
  await page.keyboard.press('End');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') !== '1024,8192');
  assert.equal(decodeParam(page), '1024x4096,8192x256');
  // Two mouse moves (each released): left end, then right end.
  await page.locator('#sweep-slider').fill('0');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024,8192');
  await page.waitForTimeout(1000);
  await page.locator('#sweep-slider').fill('1000');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') !== '1024,8192');
  assert.equal(decodeParam(page), '1024x4096,8192x256');
  // An edit of a row starts again from the rows on screen.
  await page.fill('[data-where="step.decode[1].count"]', '4096');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024x4096*2' || new URL(location.href).searchParams.get('decode') === '1024x4096,8192x4096');
  await page.focus('#sweep-slider');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => /^1024(x1)?,8192(x1)?$/.test(new URL(location.href).searchParams.get('decode')));
  await page.waitForTimeout(300);
  assert.match(await text(page, 'sweep-desc'), /keeping the ratios they had before the slider moved them/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('λ takes e-notation, says its scale, and the page prints every λ in a form the field reads back', async () => {
  for (const lambda of [0, 1, 250000, 1234567, 1e12, 3.5e10, 1.2345678e25, 1e30, 0.25]) {
    const shown = lambdaText(lambda);
    assert.equal(readBounded(shown, 'scientific', 0, 1e30).value, lambda, `${lambda} shown as ${shown}`);
  }
  assert.equal(lambdaText(1e12), '1e12');
  const { page, context, errors } = await open('?model=llama-2-70b-hf&gpu=h100-sxm');
  assert.match(await text(page, 'trace-lambda-hint'), /λ is in µs², as the squared errors it is added to/);
  await page.setInputFiles('#trace-file', makeTrace(300, join(dir, 'doc.json')));
  await page.waitForFunction(() => document.querySelector('#trace-summary').dataset.steps === '300');
  await page.fill('#trace-lambda', '1e12');
  await page.click('#trace-fit-button');
  await page.waitForFunction(() => document.querySelector('#trace-fit').dataset.beta !== '');
  const run = spawnSync(join(ROOT, 'build', 'native', 'stepcalc'), ['fit', '--lambda', '1e12', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', join(dir, 'doc.json')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta')), JSON.parse(run.stdout).beta);
  assert.match(await text(page, 'trace-fit'), /with λ = 1e12 pulling β₁\.\.β₄ towards 1\./);
  assert.equal(await page.locator('#trace-lambda-error').isHidden(), true);
  await page.fill('#trace-lambda', '1,000');
  await page.click('#trace-fit-button');
  assert.equal(await text(page, 'trace-lambda-error'), 'λ: “1,000” is not a plain number; type digits with an optional decimal point and exponent, e.g. 2.5 or 1e12');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with no tokens, the verdict names only the terms that are not 0', async () => {
  let { page, context, errors } = await open('?beta=0,0,0,0,0,0,5&prefill=&decode=');
  await page.waitForFunction(() => document.querySelector('#step-time').dataset.us === '5');
  assert.equal(await text(page, 'verdict'), 'Constant overhead (β₇) is the largest part of the step: 100%. With no tokens in the step there is no arithmetic: only the constant overhead remains.');
  await context.close();
  ({ page, context } = await open('?beta=1,1,1,1,0,0,5&prefill=&decode='));
  await page.waitForFunction(() => Number(document.querySelector('#step-time').dataset.us) > 5);
  assert.match(await text(page, 'verdict'), /With no tokens in the step there is no arithmetic: only the weight read and the constant overhead remain\.$/);
  await context.close();
  ({ page, context } = await open('?beta=1,1,1,1,3,0,0&prefill=&decode='));
  await page.waitForFunction(() => Number(document.querySelector('#step-time').dataset.us) > 5);
  assert.match(await text(page, 'verdict'), /there is no arithmetic: only the weight read and the per-layer overhead remain\.$/);
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
    const { page, context, errors } = await open(query);
    await page.waitForSelector('#fit-alert:not([hidden])');
    assert.equal(await text(page, 'fit-alert'), expected, query);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the share panel: one custom item "is" stored, a custom model and GPU "are"', async () => {
  const { page, context, errors } = await open('?');
  await useCustomModel(page, 'My tiny');
  await page.waitForSelector('#share-custom:not([hidden])');
  assert.equal(await text(page, 'share-custom'), 'The custom model “My tiny” is stored only in this browser and cannot travel in a link; the link uses the default model instead.');
  await useCustomGpu(page, 'Lab card');
  await page.waitForFunction(() => /Lab card/.test(document.querySelector('#share-custom').textContent));
  assert.equal(await text(page, 'share-custom'), 'The custom model “My tiny” and GPU “Lab card” are stored only in this browser and cannot travel in a link; the link uses the default model and GPU instead.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Compare: 0 against 0 is "0%" (no change), as the README says; a current 0 against another figure has no percent', async () => {
  assert.equal(difference(0, 0), '0%');
  assert.equal(difference(5, 0), '– (the current value is 0, so no percent)');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(readme.includes('"0%" where the two are equal, 0 against 0 included'), 'the README says what the page does');
  assert.ok(readme.includes('where only the current figure is 0, "– (the current value is 0, so no percent)"'));
  const { page, context, errors } = await open('?pin=tp%3D2%26decode%3Dabc&pin=tp%3D4&pin=gpu%3Dl4&pin=tp%3D8');
  await page.waitForFunction(() => document.querySelectorAll('#compare-t_tp td').length === 4);
  const cells = await page.$$eval('#compare-t_tp td', (tds) => tds.map((td) => td.innerText));
  assert.equal(cells[0], '0'); // TP 1: no all-reduce
  assert.equal(cells[2], '0\n0%'); // the L4 pin, at TP 1 too
  assert.match(cells[1], /^[\d,.]+\n– \(the current value is 0, so no percent\)$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('small wording: the stale line names a field as its error does; an empty sweep reads plainly; the slider names its row for every variable', async () => {
  let { page, context, errors } = await open('?');
  await page.fill('#util', '0');
  await page.waitForSelector('#stale:not([hidden])');
  assert.equal(await text(page, 'stale'), 'Showing the last good result; to update it, fix GPU memory utilization (marked in red).');
  assert.match(await text(page, 'util-error'), /^GPU memory utilization: must be/);
  await context.close();
  ({ page, context } = await open('?prefill=&sweep=prefill-chunk'));
  assert.equal(await text(page, 'sweep-desc'), 'Nothing to sweep, so the chart is empty: this sweep varies the prefill tokens per chunk, and the batch has no prefill chunks. Add one, or choose another sweep variable.');
  await context.close();
  // Two decode groups of equal count: the readout still names group 1, as it does for context.
  ({ page, context } = await open('?prefill=&decode=1024x32,8192x32'));
  assert.equal(await text(page, 'sweep-slider-out'), '32 in decode group 1; the other rows scale with it');
  await page.selectOption('#sweep-var', 'decode-context');
  await page.waitForFunction(() => /^1,024 in/.test(document.querySelector('#sweep-slider-out').textContent));
  assert.equal(await text(page, 'sweep-slider-out'), '1,024 in decode group 1; the other rows scale with it');
  assert.deepEqual(errors, []);
  await context.close();
});
