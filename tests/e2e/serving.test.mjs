// The Serving view against `stepcalc simulate`: its summary equals the CLI's for the same
// request, its inputs round-trip through the link (and reach it as they are typed, before
// Simulate), a field error (the simulation's bounds from calc.limits among them) and a
// workload that does not fit are said beside the inputs (which keep their text), the charts
// over time span the run, Cancel ends the worker mid-run, and axe finds nothing serious.
// Its sentences and the reading of a bad link are checked first, without a page, on the
// CLI's own summaries for the edge cases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, SHOTS, setup, guardedPage, ready, open, addressParams, addressBarSettled, cli, waitForStep } from './helpers.mjs';
import { summaryLines, capacityLine, kneeLine, progressLine } from '../../web/src/serving-text.mjs';
import { capacityRate, curveRates, kneeIndex, KNEE_FACTOR } from '../../web/src/serving-curve.mjs';
import { readServingLink, readServing, SERVING_DEFAULTS } from '../../web/src/serving-form.mjs';
import { human, int, num, pct } from '../../web/src/format.mjs';

const CLI = join(ROOT, 'build', 'native', 'stepcalc');
const SCENARIO = { model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, coefficients: 'trained-roofline-h100', gpu_memory_utilization: 0.9 };

function simulate(request) {
  const run = spawnSync(CLI, ['simulate', '-'], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout).summary;
}
const NO_FIGURE = /NaN|undefined|null|Infinity|–/;

test('the sentences are true on the edge cases: one request, one output token, a run of no time, saturation', () => {
  // One request with one output token: TPOT is 0 by definition, nothing waits.
  const one = simulate({ ...SCENARIO, workload: { requests: 1, prompt_tokens: 100, output_tokens: 1 } });
  const oneLines = summaryLines(one, { outputMin: 1, outputMax: 1, maxSeqs: 256 });
  assert.match(oneLines[0], /^1 request \(100 prompt tokens and 1 output token\) ran in 1 step: /);
  assert.equal(oneLines[3], 'Time per output token (TPOT): every request makes 1 output token, so none has a later token to time; TPOT is 0 by definition.');
  assert.ok(oneLines.includes('At most 1 request ran at once (the limit is 256); no request was left waiting at any step\'s start.'), oneLines.join('\n'));
  // The progress line gives the count of simulations, 'at most' until the curve's rates are known.
  assert.equal(progressLine(1, 10, false, 'Finding the engine\'s capacity…'), 'Finding the engine\'s capacity… (1 of at most 10 simulations done)');
  assert.equal(progressLine(3, 9, true, 'Curve: 2 of 7 rates…'), 'Curve: 2 of 7 rates… (3 of 9 simulations done)');
  // No idle time in a run of one request (its steps' sum and its span differ by rounding only).
  assert.ok(oneLines.includes(`The engine computed for ${human(one.busy_us)} of that time (100%).`), oneLines.join('\n'));
  // A light load leaves the engine idle between arrivals, and says for how long.
  const light = simulate({ ...SCENARIO, workload: { requests: 20, arrival_rate_per_s: 0.5, output_tokens: 4, seed: 1 } });
  assert.ok(summaryLines(light, { outputMin: 4, outputMax: 4, maxSeqs: 256 }).includes(
    `The engine computed for ${human(light.busy_us)} of that time (${pct(light.busy_us / light.makespan_us)}) and sat idle for ${human(light.makespan_us - light.busy_us)}, waiting for requests to arrive.`));
  for (const line of oneLines) assert.doesNotMatch(line, NO_FIGURE, line);

  // All β zero: the run takes no time, so there is no throughput and no curve.
  const zero = simulate({ ...SCENARIO, coefficients: { beta: [0, 0, 0, 0, 0, 0, 0] }, workload: { requests: 3, output_tokens: { min: 1, max: 4 } } });
  assert.equal(zero.throughput_tokens_per_s, null);
  const zeroLines = summaryLines(zero, { outputMin: 1, outputMax: 4, maxSeqs: 256 });
  assert.ok(zeroLines.includes('Throughput: none, as the run took no time (0 µs from the first arrival to the last token).'), zeroLines.join('\n'));
  assert.match(zeroLines[3], /A request with 1 output token counts as 0\.$/);
  assert.ok(!zeroLines.some((line) => /engine computed/.test(line)), 'no share of a run of no time');
  assert.ok(zeroLines.includes('At most 3 requests ran at once (the limit is 256); no request was left waiting at any step\'s start.'), zeroLines.join('\n'));
  assert.equal(capacityRate(zero), null);
  assert.match(capacityLine(zero, null, []), /^No curve: /);

  // A saturating workload: requests wait, and the curve's knee is where TTFT p90 first
  // reaches KNEE_FACTOR times the lowest rate's.
  const workload = { requests: 300, prompt_tokens: { min: 500, max: 3000 }, output_tokens: { min: 50, max: 300 }, seed: 3 };
  const atOnce = simulate({ ...SCENARIO, workload: { ...workload, arrival_rate_per_s: 0 }, scheduler: { max_num_seqs: 32, max_num_batched_tokens: 4096 } });
  const lines = summaryLines(atOnce, { outputMin: 50, outputMax: 300, maxSeqs: 32 });
  assert.ok(lines.includes(`At most 32 requests ran at once (the limit is 32), and at most ${int(atOnce.peak_waiting)} requests were waiting at the start of a step, held back by the running limit, the token budget or the KV cache.`), lines.join('\n'));
  assert.ok(atOnce.peak_waiting > 0);
  const capacity = capacityRate(atOnce);
  const rates = curveRates(capacity);
  assert.equal(rates.length, 8);
  const points = rates.map((rate) => ({ rate, summary: simulate({ ...SCENARIO, workload: { ...workload, arrival_rate_per_s: rate }, scheduler: { max_num_seqs: 32, max_num_batched_tokens: 4096 } }) }));
  const knee = kneeIndex(points);
  assert.ok(knee > 0, `a knee in ${points.map((p) => p.summary.ttft_us.p90)}`);
  assert.ok(points[knee].summary.ttft_us.p90 >= KNEE_FACTOR * points[0].summary.ttft_us.p90);
  assert.ok(points.slice(0, knee).every((p) => p.summary.ttft_us.p90 < KNEE_FACTOR * points[0].summary.ttft_us.p90));
  assert.match(kneeLine(points, knee), new RegExp(`^The knee: at ${rates[knee]} requests per second TTFT p90 is `));
  // The same curve cut below its knee has none, and says so.
  assert.match(kneeLine(points.slice(0, knee), -1), new RegExp(`^No knee up to ${rates[knee - 1]} requests per second: TTFT p90 stays under ${KNEE_FACTOR} times`));
  for (const line of [...lines, capacityLine(atOnce, capacity, rates), kneeLine(points, knee)]) assert.doesNotMatch(line, NO_FIGURE, line);
  // The rate asked for, against the capacity: a share below it, a multiple above, nothing for all at once.
  const asked = (rate) => capacityLine(atOnce, capacity, rates, rate).split('. ').find((part) => part.startsWith('The rate asked for')) ?? '';
  assert.equal(asked(capacity / 2), `The rate asked for, ${num(capacity / 2)} requests per second, is 50% of it`);
  assert.equal(asked(capacity * 4), `The rate asked for, ${num(capacity * 4)} requests per second, is 4× that: requests arrive faster than the engine finishes them all at once`);
  assert.equal(asked(0), '');
  assert.match(capacityLine({ ...atOnce, requests: 1 }, capacity, rates), /\(the one request, at t = 0, finishes in [^)]+\)\./);
  assert.match(capacityLine(atOnce, capacity, rates), new RegExp(`\\(all ${int(atOnce.requests)} requests at t = 0 finish in [^)]+\\)\\.`));
});

test('a serve= link with every item bad gives one notice naming each part; the simulation\'s bounds are the core\'s', async () => {
  const calc = await (await import(join(ROOT, 'build', 'wasm', 'stepcalc.mjs'))).default();
  const { limits } = calc;
  assert.equal(limits.max_simulation_requests, 100000);
  assert.equal(limits.min_arrival_rate, 0.001);
  assert.equal(limits.max_simulation_steps, 10000000);
  const bad = ['requests:abc', 'rate:-1', 'prompt:x', 'output:5-2', 'seed:1.5', 'batched:0', 'seqs:0', 'foo:1'];
  const { values, notice } = readServingLink(bad.join(','), limits);
  assert.deepEqual(values, SERVING_DEFAULTS);
  assert.match(notice, /^The link's parameter "serve" has 8 parts that could not be used \(its items are requests, rate, prompt, output, seed, batched, seqs, each as name:value\): /);
  for (const part of bad) assert.ok(notice.includes(`“${part}”`), `${part} named in: ${notice}`);
  assert.ok(notice.includes('“output:5-2” is not valid (Output tokens, max: must be at least the min (5), got 2), so the default output:256 is used'), notice);
  assert.ok(notice.includes('“rate:-1” is not valid (Arrival rate, req/s: must be 0 (every request at once) or a number from 0.001 to 1e9, got -1), so the default rate:10 is used'), notice);
  // Items each valid but not together: the item the rule is on goes back to its default.
  const together = readServingLink('batched:100,seqs:200', limits);
  assert.equal(together.notice, 'The link\'s parameter "serve" has a part that could not be used: “batched:100” is not valid (Max batched tokens: must be at least Max sequences (200), got 100), so the default batched:8192 is used.');
  assert.equal(together.values.seqs, '200');
  assert.equal(readServingLink('requests:5,rate:0', limits).notice, null);
  // The bounds the core holds for a run are judged as typed, in the page's words.
  const at = (edit) => readServing({ ...SERVING_DEFAULTS, ...edit }, limits).errors;
  assert.deepEqual(at({ requests: '100001' }), [{ where: 'workload.requests', what: 'must be an integer from 1 to 100,000, got 100001' }]);
  assert.deepEqual(at({ rate: '0.0001' }), [{ where: 'workload.arrival_rate_per_s', what: 'must be 0 (every request at once) or a number from 0.001 to 1e9, got 0.0001' }]);
  assert.deepEqual(at({ rate: '0' }), []);
  assert.deepEqual(at({ requests: '100000', rate: '0.001' }), []);
});

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const phase = (page) => page.locator('#serving').getAttribute('data-phase');
const waitForPhase = (page, value) => page.waitForSelector(`#serving[data-phase="${value}"]`, { state: 'attached', timeout: 120000 });
const summaryData = (page) => page.$eval('#serving-summary', (el) => ({ ...el.dataset }));
const cliData = (summary) => ({ requests: String(summary.requests), ttftP50Us: String(summary.ttft_us.p50),
  tpotP50Us: String(summary.tpot_us.p50), throughputTokS: String(summary.throughput_tokens_per_s) });
const fieldValues = (page) => page.$$eval('#serving-form input', (inputs) => inputs.map((i) => i.value));

const LINKED = 'requests:200,rate:20,prompt:100-2000,output:10-200,seed:7,batched:4096,seqs:64';
const LINKED_WORKLOAD = { requests: 200, arrival_rate_per_s: 20, prompt_tokens: { min: 100, max: 2000 }, output_tokens: { min: 10, max: 200 }, seed: 7 };
const LINKED_SCHEDULER = { max_num_batched_tokens: 4096, max_num_seqs: 64 };

test('a linked Serving scenario: the CLI\'s summary, the curve, the link back; field errors, a workload that does not fit; axe', async () => {
  const { page, context, errors, foreign } = await open(env, `?serve=${LINKED}`, { bypassCSP: true });
  await waitForPhase(page, 'done');
  // A link that asks for the Serving view brings it into view.
  await page.waitForFunction(() => { const top = document.getElementById('serving').getBoundingClientRect().top; return top >= -2 && top < innerHeight / 2; });
  assert.deepEqual(await fieldValues(page), ['200', '20', '100', '2000', '10', '200', '7', '4096', '64']);
  assert.deepEqual(await summaryData(page), cliData(simulate({ ...SCENARIO, workload: LINKED_WORKLOAD, scheduler: LINKED_SCHEDULER })));
  // The model, GPU and coefficients by the names the caption gives them, not their ids.
  const names = 'model Llama 3.1 8B Instruct, GPU H100 SXM, TP 1, coefficients Fitted: inference-sim/training (H100 SXM, vLLM)';
  assert.equal(await page.locator('#serving-scenario').innerText(), `For the calculator's ${names} and GPU memory utilization 0.9; change them above.`);
  assert.equal(await page.locator('#serving-read-with').innerText(), `Simulated with ${names}, GPU memory utilization 0.9.`);
  assert.match(await page.locator('#scenario-caption').innerText(), /^Llama 3\.1 8B Instruct on H100 SXM, TP 1 · /);
  const text = await page.locator('#serving-out').innerText();
  assert.doesNotMatch(text, /NaN|undefined|null|Infinity/);
  assert.match(text, /^200 requests \(/m);
  assert.match(text, /Capacity for this workload: /);
  assert.match(text, /(The knee: at|No knee up to) /);
  assert.equal(await page.locator('#serving-curve-table tbody tr').count(), 8);
  for (const id of ['serving-queue', 'serving-steps', 'serving-curve']) await page.waitForSelector(`#${id} canvas`);
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), LINKED);
  // Hiding the view takes it out of the link; opening it again brings it back, results and all.
  await page.click('#serving-open');
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).has('serve'), false);
  assert.equal(await page.locator('#serving-body').isHidden(), true);
  await page.click('#serving-open');
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), LINKED);
  assert.equal(await phase(page), 'done');
  await page.screenshot({ path: join(SHOTS, 'serving-1280.png'), fullPage: true });

  // axe on the view with its results, field errors and all.
  await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
  const axe = async () => (await page.evaluate(async () => (await window.axe.run(document.getElementById('serving'), { resultTypes: ['violations'] })).violations))
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  assert.deepEqual(await axe(), []);

  // Other inputs, one output token each: the summary follows, TPOT is said to be 0, the link follows.
  await page.fill('#serving-requests', '50');
  await page.fill('#serving-outputMin', '1');
  await page.fill('#serving-outputMax', '1');
  await page.click('#serving-run');
  await waitForPhase(page, 'done');
  const workload = { ...LINKED_WORKLOAD, requests: 50, output_tokens: 1 };
  assert.deepEqual(await summaryData(page), cliData(simulate({ ...SCENARIO, workload, scheduler: LINKED_SCHEDULER })));
  assert.match(await page.locator('#serving-summary').innerText(), /TPOT is 0 by definition/);
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), 'requests:50,rate:20,prompt:100-2000,output:1,seed:7,batched:4096,seqs:64');

  // One request, one step: the charts over time span that step (in µs or ms), not 0–100 s.
  await page.fill('#serving-requests', '1');
  await page.fill('#serving-promptMax', '100');
  await page.click('#serving-run');
  await waitForPhase(page, 'done');
  const single = simulate({ ...SCENARIO, workload: { ...workload, requests: 1, prompt_tokens: 100 }, scheduler: LINKED_SCHEDULER });
  assert.equal(single.steps, 1);
  const [perUnit] = [[1e6, 's'], [1e3, 'ms'], [1, 'µs']].find(([size]) => single.makespan_us >= size);
  for (const id of ['serving-queue', 'serving-steps']) {
    await page.waitForSelector(`#${id} .uplot[data-x-labels]`);
    const labels = JSON.parse(await page.$eval(`#${id} .uplot`, (el) => el.dataset.xLabels)).map(([label]) => Number(label));
    const span = single.makespan_us / perUnit, top = Math.max(...labels);
    assert.ok(labels.every(Number.isFinite) && top <= span * (1 + 1e-9) && top >= span / 2, `${id}: labels ${labels} for a run of ${span} (${single.makespan_us} µs)`);
  }

  // An edit reaches the link as typed, before Simulate: Copy link carries it.
  await page.fill('#serving-requests', '40');
  await page.click('#copy-link');
  assert.equal(new URL(await page.locator('#share-text').inputValue()).searchParams.get('serve'), 'requests:40,rate:20,prompt:100,output:1,seed:7,batched:4096,seqs:64');
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), 'requests:40,rate:20,prompt:100,output:1,seed:7,batched:4096,seqs:64');

  // A field that cannot be read: its error beside it, no run, and no link made of it.
  await page.fill('#serving-seed', '1.5');
  await page.waitForSelector('#serving-seed-error:not([hidden])');
  assert.equal(await page.locator('#serving-seed-error').innerText(), 'Seed: “1.5” is not a whole number; type digits only, without a decimal point');
  assert.equal(await page.locator('#serving-seed').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#serving-stale').isVisible(), true);
  await page.click('#serving-run');
  assert.equal(await page.locator('#serving-error').innerText(), 'Fix Seed above to simulate.');
  await page.click('#copy-link');
  assert.match(await page.locator('#share-status').innerText(), /^The link was not made, as it would not carry your scenario: a field is not valid\. Fix Seed: “1\.5” is not a whole number/);
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), 'requests:40,rate:20,prompt:100,output:1,seed:7,batched:4096,seqs:64', 'the last valid inputs');
  assert.deepEqual(await axe(), []);
  // The text in error survives a reload in the tab (draft.mjs, as the calculator's does),
  // with its error, over a run of the link's last valid inputs.
  await page.reload();
  await ready(page);
  await waitForPhase(page, 'done');
  await page.waitForSelector('#serving-seed-error:not([hidden])');
  assert.deepEqual(await fieldValues(page), ['40', '20', '100', '100', '1', '1', '1.5', '4096', '64']);
  assert.equal((await summaryData(page)).requests, '40');
  assert.equal(await page.locator('#serving-stale').isVisible(), true);
  assert.equal((await addressParams(page)).get('serve'), 'requests:40,rate:20,prompt:100,output:1,seed:7,batched:4096,seqs:64');

  // A workload that does not fit: the core's message, and every input keeps its text.
  await page.fill('#serving-seed', '7');
  await page.fill('#serving-promptMin', '3000000');
  await page.fill('#serving-promptMax', '3000000');
  const typed = await fieldValues(page);
  await page.click('#serving-run');
  await waitForPhase(page, 'failed');
  assert.match(await page.locator('#serving-error').innerText(),
    /^The simulation cannot run this workload: request 0 \(generated\) needs 3,000,001 tokens of KV cache \(prompt 3,000,000 \+ output 1\) but at most [\d,]+ fit beside the weights; it could never run$/);
  assert.deepEqual(await fieldValues(page), typed);
  assert.equal(await page.locator('#serving-out').isHidden(), true, 'no figures of another workload stay');
  // The simulation's bounds (calc.limits) are checked as they are typed, beside their fields.
  await page.fill('#serving-promptMin', '100');
  await page.fill('#serving-promptMax', '100');
  await page.fill('#serving-requests', '100001');
  await page.fill('#serving-rate', '0.0001');
  assert.equal(await page.locator('#serving-requests-error').innerText(), 'Requests: must be an integer from 1 to 100,000, got 100,001');
  assert.equal(await page.locator('#serving-rate-error').innerText(), 'Arrival rate, req/s: must be 0 (every request at once) or a number from 0.001 to 1e9, got 0.0001');
  assert.equal(await phase(page), 'failed', 'no run');

  // Embedded, a Serving link shows the view first. With every β 0 the run takes no time:
  // with every request at t = 0, no chart over time, and the view says why.
  await page.goto(`${env.url}?embed=1&beta=0,0,0,0,0,0,0&serve=requests:20,rate:0`);
  await ready(page);
  await waitForPhase(page, 'done');
  assert.equal(await page.$eval('#app', (app) => app.firstElementChild.id), 'serving');
  assert.equal(await page.locator('#serving-summary').isVisible(), true);
  assert.equal((await summaryData(page)).requests, '20');
  assert.equal(await page.locator('#serving-no-records').innerText(), 'No charts over time: the run took no time (every step took 0 µs), so there is no time to draw its steps on.');
  assert.equal(await page.locator('#serving-queue-fig').isHidden(), true);
  assert.equal(await page.locator('#serving-steps-fig').isHidden(), true);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

// The worker passes on its first result (the workload's summary) and holds the rest for
// ever, as a run that never ends: the test, not the machine's speed, decides that Cancel
// comes mid-run. The shim is put in front of the worker's own script.
const HOLD_AFTER_FIRST_RESULT = `
const postToPage = globalThis.postMessage.bind(globalThis);
let simulated = 0;
globalThis.postMessage = (message, options) => {
  if (message?.type === 'simulated' && ++simulated > 1) return;
  postToPage(message, options);
};
`;

test('10,000 requests in the worker; Cancel ends it mid-run, the calculator answers meanwhile; a bad link item is dropped', async () => {
  const { page, context, errors } = await guardedPage(env.browser, { viewport: { width: 360, height: 740 } });
  await context.route('**/worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: HOLD_AFTER_FIRST_RESULT + await response.text() });
  });
  await page.goto(`${env.url}?serve=requests:10000,rate:50,foo:1,seed:x,batched:1e4,seqs:-1`);
  await ready(page);
  await page.waitForFunction(() => document.querySelector('#serving-summary')?.dataset.requests === '10000', null, { timeout: 120000 });
  // The view (loaded after the page is whole) read the link before it ran: one notice in the
  // view, which the link brought into view, names every bad part; the defaults run in their place.
  assert.equal(await page.locator('#notices p').count(), 0, 'not at the top of the page');
  const shownAt = await page.locator('#serving-notices p').evaluate((p) => p.getBoundingClientRect().top);
  assert.ok(shownAt >= 0 && shownAt < 740, `the notice is on screen (top at ${shownAt} px)`);
  const notices = await page.locator('#serving-notices p').allInnerTexts();
  assert.equal(notices.length, 1, notices.join('\n'));
  assert.match(notices[0], /^The link's parameter "serve" has 4 parts that could not be used \(its items are [^)]*\): “foo:1” is not one of its items and was left out; “seed:x” is not valid \(Seed: “x” is not a plain number[^)]*\), so the default seed:0 is used; “batched:1e4” is not valid \(.*\), so the default batched:8192 is used; “seqs:-1” is not valid \(Max sequences: must be an integer from 1 to 4,096, got -1\), so the default seqs:256 is used\. Dismiss$/);
  assert.equal(await phase(page), 'running', 'the curve is still running');
  assert.deepEqual(await summaryData(page), cliData(simulate({ ...SCENARIO, workload: { requests: 10000, arrival_rate_per_s: 50, prompt_tokens: 1024, output_tokens: 256, seed: 0 },
    scheduler: { max_num_batched_tokens: 8192, max_num_seqs: 256 } })));
  await addressBarSettled(page);
  assert.equal((await addressParams(page)).get('serve'), 'requests:10000,rate:50,prompt:1024,output:256,seed:0,batched:8192,seqs:256');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 360 px`);
  await page.locator('#serving').screenshot({ path: join(SHOTS, 'serving-360.png') });

  // The calculator answers while the worker holds the run.
  await page.fill('#tp', '2');
  const atTp2 = cli({ ...SCENARIO, tp: 2, step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } }).step_time_us;
  assert.equal(await waitForStep(page, atTp2), atTp2);
  assert.equal(await phase(page), 'running');

  // Cancel acts in the click's own task, and the worker that ran is gone.
  const worker = page.workers().find((w) => w.url().endsWith('/worker.js'));
  const ended = worker.waitForEvent('close', { timeout: 30000 });
  const atCancel = await page.evaluate(() => {
    document.getElementById('serving-cancel').click();
    return { running: document.getElementById('serving-running').hidden, message: document.getElementById('serving-error').textContent };
  });
  assert.deepEqual(atCancel, { running: true, message: 'Cancelled: the summary and charts above are complete, the latency–throughput curve was not finished; press Simulate to run it again.' });
  await ended;
  assert.equal(await phase(page), 'cancelled');
  assert.equal(await page.locator('#serving-curve-table').isHidden(), true);
  assert.equal(await page.locator('#serving-stale').isVisible(), true, 'TP changed since the run');
  // Simulate starts a new worker (its first result comes, the shim holds the rest).
  await page.fill('#serving-requests', '20');
  await page.click('#serving-run');
  await page.waitForFunction(() => document.querySelector('#serving-summary')?.dataset.requests === '20', null, { timeout: 60000 });
  assert.equal(await page.locator('#serving-error').isHidden(), true);
  assert.deepEqual(errors, []);
  await context.close();
});
