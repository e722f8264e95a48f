// The fourth review's page defects, each on the input that showed it: what a JSON Lines
// trace was read with, field errors that echo the value as typed, the sweep slider's row
// ratios, the λ field, the verdict's remaining terms, the does-not-fit advice, the share
// panel's grammar, Compare's 0-against-0 cell and the small wording issues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, guardedPage, ready, ROOT } from './helpers.mjs';
import { readWithText } from '../../web/src/trace-text.mjs';
import { pageWords } from '../../web/src/messages.mjs';

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
