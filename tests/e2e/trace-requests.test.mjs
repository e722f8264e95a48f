// The Trace view on files of whole requests (each line with its own model, GPU, TP and
// maybe coefficients): what it says the figures were read with, when it calls them out of
// date, the TP rule that applied, the fit's "before" coefficients; and Fit β's λ against
// `stepcalc fit --lambda`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, setup, open, rendered } from './helpers.mjs';
import { readWithText, tpText, fitLines, summaryLines } from '../../web/src/trace-text.mjs';

const CLI = join(ROOT, 'build', 'native', 'stepcalc');
const dir = mkdtempSync(join(tmpdir(), 'stepcalc-e2e-requests-'));
function stepcalc(args) {
  const run = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  return run;
}

// 40 whole requests: three models at TP 1, 2 and 8 on an H100, no coefficients, timed.
const MODELS = [['llama-3.1-8b-instruct', 1], ['llama-2-70b-hf', 2], ['mixtral-8x7b-v0.1', 8]];
const requestLine = (i) => {
  const [model, tp] = MODELS[i % 3];
  return JSON.stringify({ model, gpu: 'h100-sxm', tp, step: { prefill: [{ tokens_this_step: 100 + 7 * i, prompt_tokens: 1024 }],
    decode: [{ context_length: 1000 + 37 * i, count: 1 + (i * 13) % 60 }] }, step_id: `r${i}`, duration_us: 10000 + 977 * i });
};
const wholeFile = join(dir, 'whole.jsonl');
writeFileSync(wholeFile, Array.from({ length: 40 }, (_, i) => requestLine(i)).join('\n'));
// The same, with 20 training-format steps among them.
const mixedFile = join(dir, 'mixed.jsonl');
writeFileSync(mixedFile, Array.from({ length: 60 }, (_, i) => (i % 3 === 2
  ? JSON.stringify({ step_id: i, decode_reqs: [{ context_length: 500 + i }], duration_us: 9000 + 300 * i })
  : requestLine(i))).join('\n'));

const SETTINGS = { model: 'qwen3-14b', gpu: 'l4', coefficients: 'roofline-prior', tp: 4 };
const summary = (steps, requests, tps, format = 'json_lines') => ({ steps, skipped: 0, tp: tps.length === 1 ? tps[0] : null, tps, request_steps: requests, format,
  total_predicted_us: 1, dominant_share: { prefill: 1, decode: 0, weight: 0, tp: 0, per_layer: 0, per_request: 0, constant: 0 }, timed_steps: 0, skipped_errors: [] });

test('what a read used, said part by part: whole requests, training-format steps, both', () => {
  assert.equal(readWithText(summary(40, 40, [1, 2, 8]), SETTINGS),
    'Every step was a whole request, each read with its own model, GPU, TP and coefficients (the default coefficients where a line names none); the calculator\'s settings were not used.');
  assert.equal(readWithText(summary(1, 1, [2]), SETTINGS),
    'The step was a whole request, read with its own model, GPU, TP and coefficients (the default coefficients where a line names none); the calculator\'s settings were not used.');
  assert.equal(readWithText(summary(5, 0, [4]), SETTINGS), 'Read with model qwen3-14b, GPU l4, coefficients roofline-prior, TP 4.');
  assert.equal(readWithText(summary(5, 0, [4], 'document'), { ...SETTINGS, tp: null }), 'Read with model qwen3-14b, GPU l4, coefficients roofline-prior, TP from the file.');
  assert.equal(readWithText(summary(5, 0, [1]), { ...SETTINGS, tp: null }), 'Read with model qwen3-14b, GPU l4, coefficients roofline-prior, TP 1 (JSON Lines steps carry no TP).');
  assert.equal(readWithText(summary(3, 1, [4, 8]), SETTINGS),
    'The 2 steps in the training format were read with model qwen3-14b, GPU l4, coefficients roofline-prior, TP 4; the 1 whole request with its own model, GPU, TP and coefficients (the default coefficients where a line names none).');
  assert.equal(readWithText(summary(3, 2, [4, 8]), SETTINGS),
    'The 1 step in the training format was read with model qwen3-14b, GPU l4, coefficients roofline-prior, TP 4; the 2 whole requests with their own model, GPU, TP and coefficients (the default coefficients where a line names none).');
});

test('the TP sentence names the one rule that applied', () => {
  assert.equal(tpText(summary(40, 40, [1, 2, 8]), SETTINGS), 'TP differs between lines: 1, 2 and 8 (each line\'s own tp).');
  assert.equal(tpText(summary(1, 1, [2]), SETTINGS), 'TP 2 for every step (the line\'s own tp).');
  assert.equal(tpText(summary(9, 0, [4]), SETTINGS), 'TP 4 for every step (the calculator\'s TP).');
  // From the file: a document's tensor_parallelism, or TP 1 for JSON Lines (the summary says which was read).
  assert.equal(tpText(summary(9, 0, [4], 'document'), { ...SETTINGS, tp: null }), 'TP 4 for every step (the document\'s tensor_parallelism).');
  assert.equal(tpText(summary(9, 0, [1], 'document'), { ...SETTINGS, tp: null }), 'TP 1 for every step (the document\'s tensor_parallelism).');
  assert.equal(tpText(summary(9, 0, [1]), { ...SETTINGS, tp: null }), 'TP 1 for every step (JSON Lines steps in the training format are read at TP 1).');
  assert.equal(tpText(summary(9, 3, [4, 8]), SETTINGS),
    'TP differs between lines: 4 and 8 (each whole request\'s own tp, and the calculator\'s TP for the steps in the training format).');
  assert.equal(tpText(summary(9, 3, [1, 8]), { ...SETTINGS, tp: null }),
    'TP differs between lines: 1 and 8 (each whole request\'s own tp, and TP 1 for the steps in the training format).');
  for (const s of [summary(40, 40, [1, 2, 8]), summary(9, 0, [4]), summary(9, 3, [4, 8])]) {
    assert.ok(!/, TP 1 for JSON Lines steps in the training format, and a line/.test(summaryLines(s, SETTINGS).join(' ')));
  }
});

test('the fit\'s "before" names the coefficients the steps were read with, and the λ', () => {
  const report = { beta: [1, 1, 1, 1, 1, 1, 1], steps: { train: 30, test: 10, untimed: 0, skipped: 0 }, lambda: 0,
    before: { mape_pct: 10, rmse_us: 100, mae_us: 90 }, after: { mape_pct: 5, rmse_us: 50, mae_us: 40 }, notes: [] };
  const beforeOf = (s) => fitLines(report, s, SETTINGS).find((l) => l.startsWith('On the held-out steps'));
  assert.match(beforeOf(summary(40, 40, [1])), /^On the held-out steps: before \(each whole request's own coefficients, or the default ones where it names none\) MAPE 10%/);
  assert.match(beforeOf(summary(40, 0, [1])), /^On the held-out steps: before \(coefficients roofline-prior\) MAPE 10%/);
  assert.match(beforeOf(summary(40, 5, [1])), /^On the held-out steps: before \(coefficients roofline-prior for the steps in the training format; each whole request's own coefficients, or the default ones where it names none\) /);
  for (const s of [summary(40, 40, [1]), summary(40, 0, [1]), summary(40, 5, [1])]) {
    assert.ok(!fitLines(report, s, SETTINGS).join(' ').includes('the chosen coefficients'));
  }
  assert.ok(fitLines(report, summary(40, 0, [1]), SETTINGS).includes('Fitted on 30 timed steps, 10 held out to test it, with λ = 0 (no pull of β₁..β₄ towards 1).'));
  assert.ok(fitLines({ ...report, lambda: 1e6 }, summary(40, 0, [1]), SETTINGS).includes('Fitted on 30 timed steps, 10 held out to test it, with λ = 1000000 pulling β₁..β₄ towards 1.'));
});

test('the largest term of each step, said as the Serving view says it', () => {
  const line = (dominant_share) => summaryLines({ ...summary(40, 0, [1]), dominant_share }, SETTINGS).find((l) => l.startsWith('The largest term'));
  const shares = { prefill: 0, decode: 0, weight: 0, tp: 0, per_layer: 0, per_request: 0, constant: 0 };
  assert.equal(line({ ...shares, prefill: 1 }), 'The largest term of each step: prefill (β₁) in every step.');
  assert.equal(line({ ...shares, decode: 0.7803, weight: 0.2197 }), 'The largest term of each step: decode (β₂) in 78.03% of the steps, weight read (β₃) in 21.97%.');
});

test('a roofline term the fit gave no weight is named, once, with what to check', () => {
  const report = { beta: [0, 0, 8, 12, 0, 5, 0], steps: { train: 30, test: 10, untimed: 0, skipped: 0 }, lambda: 0,
    before: { mape_pct: 10, rmse_us: 100, mae_us: 90 }, after: { mape_pct: 5, rmse_us: 50, mae_us: 40 }, notes: [] };
  const lines = (r) => fitLines(r, summary(40, 0, [1]), SETTINGS);
  assert.equal(lines(report).at(-1), 'prefill (β₁) and decode (β₂) came out 0: these β fit these durations best by leaving those terms out of the '
    + 'step time. Before using them elsewhere, check that they should count for nothing; a larger λ pulls β₁..β₄ towards 1.');
  // A coefficient the core's note names is not named again; β₅..β₇ at 0 are not roofline terms.
  const noted = { ...report, beta: [0, 2, 0, 1, 0, 5, 0], lambda: 1e12,
    notes: [{ code: 'fit_collinear', message: 'In this data X₃ = 127.7·X₅ in every step, so β₃ (weights) cannot be told apart from β₅ (per layer): β₃ (weights) is left at 0 …' }] };
  assert.equal(lines(noted).at(-1), 'prefill (β₁) came out 0: these β fit these durations best by leaving that term out of the step time, even with '
    + 'λ = 1e12. Before using them elsewhere, check that it should count for nothing; a larger λ pulls β₁..β₄ towards 1.');
  assert.equal(lines({ ...report, beta: [1, 1, 1, 1, 0, 0, 0] }).filter((l) => /came out 0/.test(l)).length, 0);
});

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const waitForSummary = (page) => page.waitForFunction(() => !document.querySelector('#trace-out').hidden && document.querySelector('#trace-summary').dataset.steps !== '', null, { timeout: 30000 });
const cliTotal = (args) => stepcalc(['trace', ...args]).stdout.trim().split('\n').reduce((sum, line) => sum + JSON.parse(line).step_time_us, 0);

test('a file of whole requests: read with their own settings, not out of date when the calculator changes', async () => {
  const { page, context, errors } = await open(env, '?coef=roofline-prior&model=qwen3-14b&gpu=l4&tp=4');
  await page.selectOption('#trace-tp', 'calculator');
  await page.setInputFiles('#trace-file', wholeFile);
  await waitForSummary(page);
  // The calculator's settings change nothing: the total is the CLI's without any option.
  assert.equal(await page.locator('#trace-summary').getAttribute('data-total-us'), String(cliTotal([wholeFile])));
  assert.equal(await page.locator('#trace-read-with').innerText(),
    'Every step was a whole request, each read with its own model, GPU, TP and coefficients (the default coefficients where a line names none); the calculator\'s settings were not used.');
  assert.match(await page.locator('#trace-summary').innerText(), /\nTP differs between lines: 1, 2 and 8 \(each line's own tp\)\.\n/);
  const stale = () => page.locator('#trace-stale').isVisible();
  await page.selectOption('#model', 'llama-3.1-8b-instruct');
  await page.fill('#tp', '2');
  await page.selectOption('#coef', 'trained-roofline-h100');
  await page.selectOption('#trace-tp', 'file');
  await rendered(page);
  assert.equal(await stale(), false, 'the calculator\'s settings were not used');
  await page.check('#trace-skip-bad');
  await page.waitForSelector('#trace-stale:not([hidden])');
  assert.match(await page.locator('#trace-stale').innerText(), /^“Skip bad steps” has changed since “[^”]+” was read: these figures are out of date\. Read it again$/);
  await page.uncheck('#trace-skip-bad');
  await page.waitForSelector('#trace-stale', { state: 'hidden' });

  // Fit β: "before" is each request's own coefficients, equal to the CLI's; λ is the CLI's --lambda.
  await page.click('#trace-fit-button');
  await page.waitForFunction(() => document.querySelector('#trace-fit').dataset.beta !== '');
  const fit0 = JSON.parse(stepcalc(['fit', wholeFile]).stdout);
  assert.deepEqual(JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta')), fit0.beta);
  assert.match(await page.locator('#trace-fit').innerText(), /before \(each whole request's own coefficients, or the default ones where it names none\) MAPE /);
  await page.fill('#trace-lambda', '250000');
  await page.evaluate(() => { document.querySelector('#trace-fit').dataset.beta = ''; });
  await page.click('#trace-fit-button');
  await page.waitForFunction(() => document.querySelector('#trace-fit').dataset.beta !== '');
  const fitL = JSON.parse(stepcalc(['fit', '--lambda', '250000', wholeFile]).stdout);
  assert.notDeepEqual(fitL.beta, fit0.beta, 'λ changes the fit');
  assert.deepEqual(JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta')), fitL.beta);
  assert.match(await page.locator('#trace-fit').innerText(), /with λ = 250000 pulling β₁\.\.β₄ towards 1\./);
  // A bad λ is named in the page's words; the last fit stays.
  for (const [text, message] of [['-1', 'λ: must be a number from 0 to 1e30, got -1'], ['1,000', 'λ: “1,000” is not a plain number; type digits with an optional decimal point and exponent, e.g. 2.5 or 1e12'], ['2e30', 'λ: must be a number from 0 to 1e30, got 2e30']]) {
    await page.fill('#trace-lambda', text);
    await page.click('#trace-fit-button');
    assert.equal(await page.locator('#trace-lambda-error').innerText(), message);
    assert.equal(await page.locator('#trace-lambda').getAttribute('aria-invalid'), 'true');
  }
  assert.deepEqual(JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta')), fitL.beta);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file mixing whole requests and training-format steps says which part used what', async () => {
  const { page, context, errors } = await open(env, '?model=llama-2-70b-hf&gpu=h100-sxm&tp=4');
  await page.selectOption('#trace-tp', 'calculator');
  await page.setInputFiles('#trace-file', mixedFile);
  await waitForSummary(page);
  assert.equal(await page.locator('#trace-summary').getAttribute('data-total-us'),
    String(cliTotal(['--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', '--tp', '4', mixedFile])));
  assert.equal(await page.locator('#trace-read-with').innerText(),
    'The 20 steps in the training format were read with model Llama 2 70B, GPU H100 SXM, coefficients “Fitted: inference-sim/training (H100 SXM, vLLM)”, TP 4; the 40 whole requests with their own model, GPU, TP and coefficients (the default coefficients where a line names none).');
  assert.match(await page.locator('#trace-summary').innerText(), /\nTP differs between lines: 1, 2 and 4 \(each whole request's own tp, and the calculator's TP for the steps in the training format\)\.\n/);
  // The training-format steps used the calculator's TP: a change of it marks the figures.
  await page.fill('#tp', '2');
  await page.waitForSelector('#trace-stale:not([hidden])');
  assert.match(await page.locator('#trace-stale').innerText(), /^The calculator or the options above have changed since “[^”]+” was read: these figures are out of date\. Read it again$/);
  assert.deepEqual(errors, []);
  await context.close();
});
