// The Trace view against the native CLI on the same generated files: the summary's
// numbers, "Fit β", "Use these β", "Download CSV"; Cancel mid-read with the
// calculator still answering; and what it says for an empty file, a file of bad steps,
// a file without durations and a one-step file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, setup, guardedPage, ready, open, textOf, rendered, cli, waitForStep } from './helpers.mjs';
import { plainDecimal, fitLines, readWithText, lambdaText } from '../../web/src/trace-text.mjs';
import { readField, readBounded } from '../../web/src/fields.mjs';

const CLI = join(ROOT, 'build', 'native', 'stepcalc');
const dir = mkdtempSync(join(tmpdir(), 'stepcalc-e2e-trace-'));
const makeTrace = (steps, out, ...flags) => {
  const run = spawnSync('node', [join(ROOT, 'core/bench/make_trace.mjs'), String(steps), out, ...flags]);
  assert.equal(run.status, 0, String(run.stderr));
  return out;
};
const small = makeTrace(400, join(dir, 'trace-400.json'));
// The page's scenario for these tests, and the same as the CLI's options.
const MODEL = 'llama-2-70b-hf', GPU = 'h100-sxm';
const LINK = `?model=${MODEL}&gpu=${GPU}&tp=2`;
// How the page names them (the caption's names), with the default coefficients.
const NAMES = 'model Llama 2 70B, GPU H100 SXM, coefficients “Fitted: inference-sim/training (H100 SXM, vLLM)”';

function stepcalc(args, input) {
  const run = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 30, input });
  assert.equal(run.status, 0, run.stderr);
  return run;
}

test('fitted β become text the β fields read back as the same numbers', () => {
  for (const beta of [0, 0.7726491335309499, 43.500541908701074, 1.5e-7, 2.220446049250313e-16, 1e21, 1.2345678901234567e25, 123456789012]) {
    const text = plainDecimal(beta);
    assert.equal(readField(text, 'real').value, beta, `${beta} as ${text}`);
  }
});

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const openPage = () => open(env, LINK, { acceptDownloads: true });

async function load(page, file) {
  await page.setInputFiles('#trace-file', file);
}

const summaryData = (page) => page.$eval('#trace-summary', (el) => ({ ...el.dataset }));
const waitForSummary = (page, timeout = 60000) =>
  page.waitForFunction(() => !document.querySelector('#trace-out').hidden && document.querySelector('#trace-summary').dataset.steps !== '', null, { timeout });

test('the fit\'s sentences for a file too small to hold steps out: said once, in the page\'s words', () => {
  const one = join(dir, 'one-step.json');
  writeFileSync(one, JSON.stringify({ model: MODEL, gpu: GPU, step: { decode: [{ context_length: 100 }] }, duration_us: 5000 }));
  const report = JSON.parse(stepcalc(['fit', one]).stdout);
  assert.ok(report.notes.some((note) => note.code === 'fit_no_test_steps'), 'the core notes it');
  const lines = fitLines(report, { steps: 1, skipped: 0, tp: 1, tps: [1], request_steps: 0, total_predicted_us: 1,
    dominant_share: { prefill: 0, decode: 1, weight: 0, tp: 0, per_layer: 0, per_request: 0, constant: 0 }, timed_steps: 1, skipped_errors: [] },
  { model: MODEL, gpu: GPU, coefficients: 'trained-roofline-h100', tp: null });
  assert.equal(lines.filter((line) => /held out/.test(line)).length, 2, lines.join('\n')); // "0 held out to test it", and why
  assert.ok(lines.includes('No step was held out, so there are no before-and-after figures.'));
  assert.ok(!lines.some((line) => /null/.test(line)), lines.join('\n'));
});

test('a trace file: the summary equals `stepcalc trace`, Fit β equals `stepcalc fit`, Use these β sets the calculator', async () => {
  const { page, context, foreign, errors } = await openPage();
  // The view's worker starts as the view nears the screen, not with the page, and reads a
  // made-up trace before the file is chosen.
  assert.equal(await page.locator('#trace').getAttribute('data-worker'), null);
  assert.equal(page.workers().length, 0);
  await page.locator('#trace').scrollIntoViewIfNeeded();
  await page.waitForSelector('#trace[data-worker="warm"]');
  assert.equal(page.workers().filter((worker) => worker.url().endsWith('/worker.js')).length, 1);
  await load(page, small);
  await waitForSummary(page);

  // TP from the file's tensor_parallelism (4), as the CLI reads it without --tp.
  const run = stepcalc(['trace', '--model', MODEL, '--gpu', GPU, small]);
  const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  const total = records.reduce((sum, r) => sum + r.step_time_us, 0); // the core's sum, in the same order
  assert.match(run.stderr, /^trace: 400 steps, 0 skipped;/);
  assert.deepEqual(await summaryData(page), { steps: '400', skipped: '0', totalUs: String(total) });
  const text = await page.locator('#trace-summary').innerText();
  assert.match(text, /400 steps read, 0 skipped\./);
  assert.match(text, /Against the 400 measured durations: MAPE /);
  assert.match(text, /TP 4 for every step \(the document's tensor_parallelism\)\./);
  // The charts drew: stacked terms, histogram, and predicted against measured.
  for (const id of ['trace-stack', 'trace-hist', 'trace-scatter']) {
    await page.waitForSelector(`#${id} canvas`);
  }

  await page.click('#trace-fit-button');
  await page.waitForFunction(() => document.querySelector('#trace-fit').dataset.beta !== '');
  const fit = JSON.parse(stepcalc(['fit', '--model', MODEL, '--gpu', GPU, small]).stdout);
  const beta = JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta'));
  assert.deepEqual(beta, fit.beta);
  const fitText = await page.locator('#trace-fit').innerText();
  for (const note of fit.notes) assert.ok(fitText.includes(note.message), `note ${note.code} shown`);

  // Use these β: the calculator's coefficients become custom with exactly these values.
  const request = { model: MODEL, gpu: GPU, tp: 2,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } };
  const before = cli(request).step_time_us;
  assert.equal(await waitForStep(page, before), before);
  await page.click('#trace-use-beta');
  const expected = cli({ ...request, coefficients: { beta } }).step_time_us;
  assert.notEqual(expected, before);
  assert.equal(await waitForStep(page, expected), expected);
  assert.equal(await page.locator('#coef').inputValue(), 'custom');
  const fields = await page.$$eval('#beta-fields input', (inputs) => inputs.map((i) => Number(i.value)));
  assert.deepEqual(fields, beta);

  assert.ok(!/NaN|undefined|Infinity/.test(await page.locator('#trace').innerText()), 'no NaN/undefined/Infinity in the Trace view');
  // The figures were read with the preset β, and say so above them now that β changed.
  const readWith = `Read with ${NAMES}, TP from the file.`;
  assert.equal(await page.locator('#trace-read-with').innerText(), readWith);
  await page.waitForSelector('#trace-stale:not([hidden])');
  assert.equal(await page.locator('#trace-stale').innerText(),
    'The calculator or the options above have changed since “trace-400.json” was read: these figures are out of date. Read it again');
  // "Read it again" reads the same file with the β now used: the figures follow, the notice goes.
  const totalBefore = (await summaryData(page)).totalUs;
  await page.click('#trace-read-stale');
  await page.waitForFunction((before) => document.querySelector('#trace-summary').dataset.totalUs !== before
    && document.querySelector('#trace-summary').dataset.totalUs !== '', totalBefore);
  assert.equal(await page.locator('#trace-stale').isHidden(), true);
  assert.equal(await page.locator('#trace-read-with').innerText(), 'Read with model Llama 2 70B, GPU H100 SXM, coefficients “custom β”, TP from the file.');
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the figures say what they were read with, and that they are out of date once the calculator changes', async () => {
  const { page, context, errors } = await openPage();
  await page.selectOption('#trace-tp', 'calculator');
  await load(page, small);
  await waitForSummary(page);
  const stale = () => page.locator('#trace-stale').isVisible();
  assert.equal(await page.locator('#trace-read-with').innerText(), `Read with ${NAMES}, TP 2.`);
  assert.equal(await stale(), false);
  // Each change of what a read uses marks the figures: the calculator's TP, model, the
  // view's own TP choice; changing it back clears the mark.
  await page.fill('#tp', '8');
  await page.waitForSelector('#trace-stale:not([hidden])');
  await page.fill('#tp', '2');
  await page.waitForSelector('#trace-stale', { state: 'hidden' });
  await page.selectOption('#model', 'llama-3.1-8b-instruct');
  await page.waitForSelector('#trace-stale:not([hidden])');
  await page.selectOption('#model', MODEL);
  await page.waitForSelector('#trace-stale', { state: 'hidden' });
  await page.selectOption('#trace-tp', 'file');
  assert.equal(await stale(), true);
  // A change the trace does not read (the batch) leaves it be; reading again clears it.
  await page.selectOption('#trace-tp', 'calculator');
  assert.equal(await stale(), false);
  await page.fill('#util', '0.5');
  await rendered(page);
  assert.equal(await stale(), false, 'the memory utilization is not read by a trace');
  await page.selectOption('#trace-tp', 'file');
  await page.evaluate(() => { document.getElementById('trace-file').value = ''; }); // the same file again
  await load(page, small);
  await page.waitForFunction(() => document.querySelector('#trace-read-with').textContent.endsWith('TP from the file.'));
  assert.equal(await stale(), false);
  // A field a read uses, invalid: named as the page names it elsewhere; one it does not use is not named.
  await page.fill('#util', '2');
  await page.selectOption('#coef', 'custom');
  await page.locator('#beta-fields input').nth(2).fill('x');
  await page.evaluate(() => { document.getElementById('trace-file').value = ''; });
  await load(page, small);
  await page.waitForSelector('#trace-error:not([hidden])');
  assert.equal(await page.locator('#trace-error').innerText(), 'The calculator\'s β₃ weights is not valid: fix it above to read a trace.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Download CSV has the CLI\'s --format csv columns and numbers', async () => {
  const { page, context } = await openPage();
  await load(page, small);
  await waitForSummary(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#trace-csv')]);
  const pageCsv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  const cliCsv = stepcalc(['trace', '--model', MODEL, '--gpu', GPU, '--format', 'csv', small]).stdout.trim().split('\n');
  assert.equal(pageCsv[0], cliCsv[0]);
  assert.equal(pageCsv.length, cliCsv.length);
  const cells = (line) => line.split(',').map((cell) => (cell === '' ? '' : Number(cell)));
  for (let i = 1; i < cliCsv.length; i++) assert.deepEqual(cells(pageCsv[i]), cells(cliCsv[i]), `row ${i}`);
  await context.close();
});

test('Download CSV writes text, fractional and long ids as the CLI does', async () => {
  const { page, context } = await openPage();
  const ids = ['"a7"', '"x,y"', '"say \\"hi\\""', '1.5e3', '12345678901234567890', '', '9'];
  const path = join(dir, 'ids.jsonl');
  writeFileSync(path, ids.map((id) => `{${id ? `"step_id": ${id}, ` : ''}"decode_reqs": [{"context_length": 5}]}`).join('\n'));
  await page.selectOption('#trace-tp', 'calculator');
  await load(page, path);
  await waitForSummary(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#trace-csv')]);
  const pageCsv = readFileSync(await download.path(), 'utf8');
  const cliCsv = stepcalc(['trace', '--model', MODEL, '--gpu', GPU, '--tp', '2', '--format', 'csv', path]).stdout;
  const idCells = (csv) => csv.trim().split('\n').slice(1).map((row) => (row.startsWith('"') ? row.slice(0, row.lastIndexOf('",') + 1) : row.split(',')[0]));
  assert.deepEqual(idCells(pageCsv), ['a7', '"x,y"', '"say ""hi"""', '1500.0', '12345678901234567890', '6', '9']);
  assert.deepEqual(idCells(pageCsv), idCells(cliCsv));
  await context.close();
});

// The worker reads a "held-" file's first chunk and then waits, as on a slow disk, until it
// is ended: the test, not the machine's speed, decides that Cancel comes mid-read. (Before,
// a 600 MB file raced the cancel.) The shim is put in front of the worker's own script.
const HOLDING_READER = `
const streamOf = Blob.prototype.stream;
File.prototype.stream = function () {
  if (!this.name.startsWith('held-')) return streamOf.call(this);
  const reader = streamOf.call(this).getReader();
  let sent = false;
  return new ReadableStream({
    async pull(controller) {
      if (sent) return new Promise(() => {});
      sent = true;
      const { value, done } = await reader.read();
      if (done) controller.close(); else controller.enqueue(value);
    },
  });
};
`;

test('Cancel ends the worker mid-read; the calculator answers meanwhile and the view reads the next file', async () => {
  const held = makeTrace(2000, join(dir, 'held-2000.json'));
  const { page, context, errors } = await guardedPage(env.browser);
  await context.route('**/worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: HOLDING_READER + await response.text() });
  });
  await page.goto(env.url + LINK);
  await ready(page);
  await load(page, held);
  await page.waitForFunction(() => document.querySelector('#trace-progress').value > 0, null, { timeout: 30000 });
  const reader = page.workers().find((worker) => worker.url().endsWith('/worker.js'));
  // An edit of the calculator while the worker reads: the new result is on screen.
  await page.fill('#tp', '8');
  const atTp8 = cli({ model: MODEL, gpu: GPU, tp: 8,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } }).step_time_us;
  assert.equal(await waitForStep(page, atTp8), atTp8);
  assert.equal(await page.locator('#trace-running').isVisible(), true, 'the trace is still running');
  const read = await page.locator('#trace-progress').evaluate((p) => p.value / p.max);
  assert.ok(read < 1, `cancelled before the end (${read})`);
  // Cancel acts in the click's own task: the progress is gone and the message shown.
  const ended = reader.waitForEvent('close', { timeout: 30000 });
  const atCancel = await page.evaluate(() => {
    document.getElementById('trace-cancel').click();
    return { hidden: document.getElementById('trace-running').hidden, message: document.getElementById('trace-error').textContent };
  });
  assert.deepEqual(atCancel, { hidden: true, message: 'Cancelled: nothing of this file is kept; choose it again to read it.' });
  // No late result can turn up: the worker that read the file is gone.
  await ended;
  assert.equal(await page.locator('#trace-out').isHidden(), true);
  await load(page, small);
  await waitForSummary(page);
  assert.equal((await summaryData(page)).steps, '400');
  assert.equal(await page.locator('#trace-error').isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('what the view says for an empty file, bad steps, no durations and one step', async () => {
  const { page, context, errors } = await openPage();
  const file = (name, text) => { const path = join(dir, name); writeFileSync(path, text); return path; };
  const sentences = async () => (await page.$$eval('#trace-summary p', (ps) => ps.map((p) => p.textContent))).join('\n');

  await load(page, file('empty.json', ''));
  await page.waitForSelector('#trace-error:not([hidden])');
  assert.equal(await page.locator('#trace-error').innerText(), '“empty.json” is empty (0 bytes): there is no trace to read.');
  assert.equal(await page.locator('#trace-out').isHidden(), true);

  // A bad line stops the run with the CLI's error; with "Skip bad steps" it is counted.
  const bad = file('bad.jsonl', '{"step_id": 1, "decode_reqs": [{"context_length": -5}]}\n{"step_id": 2, "decode_reqs": [\n');
  const cliError = spawnSync(CLI, ['trace', '--model', MODEL, '--gpu', GPU, bad], { encoding: 'utf8' }).stderr.trim().split('\n').pop();
  await load(page, bad);
  await page.waitForSelector('#trace-error:not([hidden])');
  assert.equal(await page.locator('#trace-error').innerText(), `The trace could not be read: ${cliError.replace(/^error: /, '')}`);
  // Beside it, a button reads the file again with "Skip bad steps" (issue 19).
  assert.equal(await page.locator('#trace-read-again').innerText(), 'Read again, skipping bad steps');
  await page.click('#trace-read-again');
  await waitForSummary(page);
  assert.deepEqual(await summaryData(page), { steps: '0', skipped: '2', totalUs: '0' });
  assert.equal(await page.isChecked('#trace-skip-bad'), true);
  // The same file chosen again after ticking the option is read again; its name stays in view.
  await page.uncheck('#trace-skip-bad');
  await load(page, bad);
  await page.waitForSelector('#trace-error:not([hidden])');
  await page.check('#trace-skip-bad');
  await load(page, bad);
  await waitForSummary(page);
  assert.deepEqual(await summaryData(page), { steps: '0', skipped: '2', totalUs: '0' });
  assert.equal(await page.locator('#trace-file-name').innerText(), 'Last file chosen: “bad.jsonl” (88 B)');
  assert.equal(await sentences(), '0 steps read, 2 skipped.\nEvery step was skipped as bad: there is nothing to chart or fit.');
  const skipped = (await page.$$eval('#trace-skipped li', (items) => items.map((li) => li.textContent))).join('\n');
  // The same errors as the CLI names with --skip-bad.
  const cliSkipped = spawnSync(CLI, ['trace', '--model', MODEL, '--gpu', GPU, '--skip-bad', bad], { encoding: 'utf8' }).stderr
    .split('\n').filter((line) => line.startsWith('skipped: ')).map((line) => line.slice(9));
  assert.equal(cliSkipped.length, 2);
  assert.equal(skipped, cliSkipped.join('\n'));
  assert.equal(await page.locator('#trace-skipped-head').innerText(), 'The skipped steps:'); // a heading, not one of them
  for (const id of ['trace-fit-button', 'trace-csv']) assert.equal(await page.locator(`#${id}`).isHidden(), true, id);
  await page.uncheck('#trace-skip-bad');

  // JSON Lines steps without durations, at the calculator's TP.
  const plain = file('plain.jsonl', '{"step_id": 7, "decode_reqs": [{"context_length": 100}]}\n{"step_id": 8, "prefill_reqs": [{"tokens_this_step": 64, "prompt_tokens": 64}]}\n');
  await page.selectOption('#trace-tp', 'calculator');
  await load(page, plain);
  await waitForSummary(page);
  const plainTotal = stepcalc(['trace', '--model', MODEL, '--gpu', GPU, '--tp', '2', plain]).stdout.trim().split('\n')
    .reduce((sum, line) => sum + JSON.parse(line).step_time_us, 0);
  assert.deepEqual(await summaryData(page), { steps: '2', skipped: '0', totalUs: String(plainTotal) });
  const plainText = await sentences();
  assert.match(plainText, /^2 steps read, 0 skipped\.\nTP 2 for every step \(the calculator's TP\)\./);
  assert.match(plainText, /No step has a measured duration \(duration_us above 0\): no error figures, and nothing to fit β to\.$/);
  assert.equal(await page.locator('#trace-measured-fig').isHidden(), true);
  assert.equal(await page.locator('#trace-fit-button').isHidden(), true);

  // Whole requests at other TPs than the calculator's: the TPs used, not the calculator's.
  const mixed = file('mixed.jsonl', [
    '{"step_id": 1, "decode_reqs": [{"context_length": 100}]}',
    `{"step_id": 2, "model": "${MODEL}", "gpu": "${GPU}", "tp": 8, "step": {"decode": [{"context_length": 100}]}}`,
    `{"step_id": 3, "model": "${MODEL}", "gpu": "${GPU}", "tp": 8, "step": {"decode": [{"context_length": 100}]}}`].join('\n'));
  await load(page, mixed);
  await waitForSummary(page);
  assert.match(await sentences(), /\nTP differs between lines: 2 and 8 \(each whole request's own tp, and the calculator's TP for the steps in the training format\)\.\n/);
  await load(page, file('all-tp8.jsonl', readFileSync(mixed, 'utf8').split('\n').slice(1).join('\n')));
  await waitForSummary(page);
  assert.match(await sentences(), /\nTP 8 for every step \(/);

  // An experiment document without tensor_parallelism needs the calculator's TP.
  await page.selectOption('#trace-tp', 'file');
  await load(page, file('no-tp.json', '{"experiment": "x", "steps": [{"step_id": 1, "decode_reqs": [{"context_length": 100}]}]}'));
  await page.waitForSelector('#trace-error:not([hidden])');
  assert.equal(await page.locator('#trace-error').innerText(),
    'The trace could not be read: tensor_parallelism: the document has none before its steps; pass --tp (here: choose “the calculator\'s TP” under TP)');

  // One step, with a duration, dropped on the drop zone.
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['{"step_id": 1, "decode_reqs": [{"context_length": 100}], "duration_us": 20000}\n'], 'one.jsonl'));
    document.getElementById('trace-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await waitForSummary(page);
  const oneText = await sentences();
  assert.match(oneText, /^1 step read, 0 skipped\./);
  assert.match(oneText, /\nPredicted step time: /);
  assert.match(oneText, /\nAgainst the measured duration: MAPE /);
  assert.ok(!/NaN|undefined|Infinity/.test(await page.locator('#trace').innerText()));
  assert.deepEqual(errors, []);
  await context.close();
});

// What a summary of `steps` steps (`requests` of them whole requests) in `format` was read
// with, for the sentences of trace-text.mjs.
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

  const { page, context, errors } = await open(env, '?model=llama-2-70b-hf&gpu=h100-sxm&tp=4');
  // The option's label is true for both formats.
  assert.equal(await page.locator('#trace-tp option[value="file"]').innerText(), 'the file\'s (a document\'s tensor_parallelism; TP 1 for JSON Lines steps)');
  await page.selectOption('#trace-tp', 'file');
  await page.setInputFiles('#trace-file', makeTrace(30, join(dir, 'steps.jsonl'), '--jsonl'));
  await page.waitForFunction(() => document.querySelector('#trace-summary').dataset.steps === '30');
  assert.equal(await textOf(page, '#trace-read-with'), `Read with ${NAMES}, TP 1 (JSON Lines steps carry no TP).`);
  assert.match(await textOf(page, '#trace-summary'), /TP 1 for every step \(JSON Lines steps in the training format are read at TP 1\)\./);
  assert.deepEqual(errors, []);
  await context.close();
});

test('λ takes e-notation, says its scale, and the page prints every λ in a form the field reads back', async () => {
  for (const lambda of [0, 1, 250000, 1234567, 1e12, 3.5e10, 1.2345678e25, 1e30, 0.25]) {
    const shown = lambdaText(lambda);
    assert.equal(readBounded(shown, 'scientific', 0, 1e30).value, lambda, `${lambda} shown as ${shown}`);
  }
  assert.equal(lambdaText(1e12), '1e12');
  const { page, context, errors } = await open(env, '?model=llama-2-70b-hf&gpu=h100-sxm');
  assert.match(await textOf(page, '#trace-lambda-hint'), /λ is in µs², as the squared errors it is added to/);
  await page.setInputFiles('#trace-file', makeTrace(300, join(dir, 'doc.json')));
  await page.waitForFunction(() => document.querySelector('#trace-summary').dataset.steps === '300');
  await page.fill('#trace-lambda', '1e12');
  await page.click('#trace-fit-button');
  await page.waitForFunction(() => document.querySelector('#trace-fit').dataset.beta !== '');
  const run = spawnSync(join(ROOT, 'build', 'native', 'stepcalc'), ['fit', '--lambda', '1e12', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', join(dir, 'doc.json')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(await page.locator('#trace-fit').getAttribute('data-beta')), JSON.parse(run.stdout).beta);
  assert.match(await textOf(page, '#trace-fit'), /with λ = 1e12 pulling β₁\.\.β₄ towards 1\./);
  assert.equal(await page.locator('#trace-lambda-error').isHidden(), true);
  // Checked as typed, before Fit β: each edit says what is wrong now, and a fit stays shown.
  await page.fill('#trace-lambda', '1,000');
  assert.equal(await textOf(page, '#trace-lambda-error'), 'λ: “1,000” is not a plain number; type digits with an optional decimal point and exponent, e.g. 2.5 or 1e12');
  await page.fill('#trace-lambda', '1e400');
  assert.equal(await textOf(page, '#trace-lambda-error'), 'λ: must be a number from 0 to 1e30, got 1e400');
  await page.click('#trace-fit-button');
  assert.equal(await page.locator('#trace-lambda').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#trace-fit').isVisible(), true, 'the last fit stays');
  await page.fill('#trace-lambda', '0');
  assert.equal(await page.locator('#trace-lambda-error').isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});
