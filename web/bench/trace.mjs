// The Trace view against the seed's way on the same file (figures for docs/trace.md; not a
// test). Each round runs, in turn:
//   - the seed's way: python3, json.load, its dataclasses, compute_experiment_basis;
//   - a first read in a fresh page (a new browser context: empty cache, nothing compiled),
//     the file chosen as soon as the page shows its result, the Trace view not yet scrolled
//     to (so nothing of it is loaded: the slowest a first read can be);
//   - a first read as a user meets it, in another fresh page: the Trace view scrolled into
//     view, and the file chosen 1 s later (less than it takes to click "Choose file" and
//     pick a file in the dialog);
//   - a warm read: the same file again in that page.
// Each read is timed from the file chosen (the input's change event) to the summary on
// screen (the animation frame after it is written), and on to the three charts drawn.
// Then one more read with calculator edits made while the worker reads. Run after
// `node web/build.mjs`; STEPCALC_SITE=DIR measures another build of the site.
//   node web/bench/trace.mjs [ROUNDS]
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../serve.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SITE = resolve(process.env.STEPCALC_SITE ?? join(ROOT, 'build', 'site'));
const ROUNDS = Number(process.argv[2] ?? 5);
const USER_PICKS_FILE_MS = 1000;
if (!existsSync(join(SITE, 'index.html'))) {
  console.error(`web/bench/trace.mjs: ${SITE} has no index.html; run \`node web/build.mjs\` first`);
  process.exit(1);
}
mkdirSync(join(ROOT, 'build', 'bench'), { recursive: true });
const file = join(ROOT, 'build', 'bench', 'trace-20k.json');
if (!existsSync(file)) spawnSync('node', [join(ROOT, 'core/bench/make_trace.mjs'), '20000', file], { stdio: 'inherit' });
const model = 'llama-2-70b-hf', gpu = 'h100-sxm';
const config = readFileSync(join(ROOT, 'presets/models', `${model}.json`), 'utf8');
const datasheet = readFileSync(join(ROOT, 'presets/gpus', `${gpu}.json`), 'utf8');

const server = await startServer({ root: SITE, port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

// A fresh page at the calculator's result, with the read's moments recorded.
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}?model=${model}&gpu=${gpu}`);
  await page.waitForSelector('html[data-ready="1"]');
  await page.evaluate(() => {
    const input = /** @type {HTMLInputElement} */ (document.getElementById('trace-file'));
    input.addEventListener('change', () => { window.chosenAt = performance.now(); }, { capture: true });
    addEventListener('stepcalc:trace-summary', () => requestAnimationFrame(() => { window.shownAt = performance.now(); }));
  });
  return { page, close: () => context.close() };
}

// One read of the file: seconds from the file chosen to the summary shown and to the charts.
/** @param {import('playwright-core').Page} page */
async function read(page) {
  await page.evaluate(() => { window.shownAt = null; });
  await page.setInputFiles('#trace-file', file);
  await page.waitForFunction(() => window.shownAt !== null, null, { timeout: 120000 });
  await page.waitForFunction(() => ['trace-stack', 'trace-hist', 'trace-scatter'].every((id) => document.querySelector(`#${id} canvas`)));
  const chartsAt = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(performance.now()))));
  const { chosenAt, shownAt, steps } = await page.evaluate(() => ({ chosenAt: window.chosenAt, shownAt: window.shownAt,
    steps: document.getElementById('trace-summary').dataset.steps }));
  if (steps !== '20000') throw new Error(`the page read ${steps} steps`);
  return { summary: (shownAt - chosenAt) / 1000, charts: (chartsAt - chosenAt) / 1000 };
}

function seedRound() {
  const run = spawnSync('python3', [join(ROOT, 'core/bench/seed_algorithm.py'), 'experiment', file, config, datasheet], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`the seed's way failed: ${run.stderr}`);
  return JSON.parse(run.stdout).total_s;
}

/** @type {Record<'seed' | 'atOnce' | 'asUser' | 'warm', number[]>} */
const summary = { seed: [], atOnce: [], asUser: [], warm: [] };
/** @type {Record<'atOnce' | 'asUser' | 'warm', number[]>} */
const charts = { atOnce: [], asUser: [], warm: [] };
const record = (/** @type {'atOnce' | 'asUser' | 'warm'} */ what, /** @type {{ summary: number, charts: number }} */ times) => {
  summary[what].push(times.summary);
  charts[what].push(times.charts);
};
let lastPage = null;
for (let round = 0; round < ROUNDS; round++) {
  summary.seed.push(seedRound());
  const first = await freshPage();
  record('atOnce', await read(first.page));
  await first.close();
  const user = await freshPage();
  await user.page.evaluate(() => document.getElementById('trace').scrollIntoView());
  await user.page.waitForTimeout(USER_PICKS_FILE_MS);
  record('asUser', await read(user.page));
  record('warm', await read(user.page));
  if (lastPage) await lastPage.close();
  lastPage = user;
  const s = (/** @type {number[]} */ xs) => xs.at(-1)?.toFixed(2);
  console.error(`round ${round + 1}: seed ${s(summary.seed)} s; to the summary: at once ${s(summary.atOnce)} s, as a user ${s(summary.asUser)} s, warm ${s(summary.warm)} s`);
}

// One more read of the file, with calculator edits (TP 2, 4, 2, ...) made in the page as
// web/bench/run.mjs makes them (set the value, dispatch an input event) while the worker
// reads: each edit's time until the new result is rendered and laid out, and whether it
// was painted in the next animation frame. The same edits with no trace running first.
const page = lastPage.page;
const timeEdits = (/** @type {boolean} */ untilSummary) => page.evaluate(async (untilSummary) => {
  const tp = /** @type {HTMLInputElement} */ (document.getElementById('tp'));
  const latencies = [];
  let missed = 0;
  for (let i = 0; untilSummary ? window.shownAt === null : i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const rendered = new Promise((r) => addEventListener('stepcalc:rendered', () => queueMicrotask(() => {
      void document.body.offsetHeight;
      r(performance.now());
    }), { once: true }));
    const frame = new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    const t0 = performance.now();
    tp.value = i % 2 ? '4' : '2';
    tp.dispatchEvent(new Event('input', { bubbles: true }));
    const [done, painted] = await Promise.all([rendered, frame]);
    latencies.push(done - t0);
    if (done > painted) missed++;
  }
  return { latencies, missed };
}, untilSummary);
const idleEdits = await timeEdits(false);
await page.evaluate(() => { window.shownAt = null; });
await page.setInputFiles('#trace-file', file);
const traceEdits = await timeEdits(true);
await lastPage.close();
await browser.close();
await server.close();

const median = (/** @type {number[]} */ xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const span = (/** @type {number[]} */ xs, /** @type {number} */ digits) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const seconds = (/** @type {number[]} */ xs) => `| ${median(xs).toFixed(2)} s | ${span(xs, 2)} s |`;
const ratio = (/** @type {number[]} */ xs) => `${(median(summary.seed) / median(xs)).toFixed(1)}×`;
console.log(`${(statSync(file).size / 1e6).toFixed(1)} MB, 20,000 steps, ${model} on ${gpu}; ${ROUNDS} rounds`);
console.log('| what | median | range |');
console.log('| --- | --- | --- |');
console.log(`| the seed's way, end to end ${seconds(summary.seed)}`);
console.log(`| first read in a fresh page, file chosen at once: file chosen → summary shown ${seconds(summary.atOnce)}`);
console.log(`| first read in a fresh page, Trace view in view ${USER_PICKS_FILE_MS / 1000} s before the file is chosen: → summary shown ${seconds(summary.asUser)}`);
console.log(`| warm read (the same file again in that page): → summary shown ${seconds(summary.warm)}`);
console.log(`| file chosen → the three charts drawn: at once / as a user / warm | ${[charts.atOnce, charts.asUser, charts.warm].map((xs) => median(xs).toFixed(2)).join(' / ')} s | |`);
console.log(`| ratio, the seed's way ÷ the page to the summary: at once / as a user / warm (target ≥ 10×) | ${ratio(summary.atOnce)} / ${ratio(summary.asUser)} / ${ratio(summary.warm)} | |`);
const editRow = (/** @type {string} */ what, /** @type {{ latencies: number[], missed: number }} */ { latencies, missed }) => {
  const sorted = latencies.slice().sort((a, b) => a - b);
  console.log(`| ${what}: input → rendered and laid out, p50 (${latencies.length} edits; ${missed} missed the next frame) | ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms | max ${sorted.at(-1).toFixed(1)} ms |`);
};
editRow('an edit of the calculator, no trace running', idleEdits);
editRow('an edit of the calculator while the worker reads', traceEdits);
