// Browser benchmark: input event -> updated numbers and charts, for a 128-request batch and a
// 1,000-row batch; load time and row duplication for the big one; and the bytes the site
// transfers on first load. Run after `node web/build.mjs`.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../serve.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
// STEPCALC_SITE=dir benches an older build of the site kept aside (an A/B in the same conditions).
const SITE = process.env.STEPCALC_SITE ? resolve(process.env.STEPCALC_SITE) : join(ROOT, 'build', 'site');
const EDITS = Number(process.env.EDITS ?? 300);
const LOADS = Number(process.env.LOADS ?? 7);
if (!existsSync(join(SITE, 'index.html'))) {
  console.error('web/bench/run.mjs: build/site is missing; run `node web/build.mjs` first');
  process.exit(1);
}

// 8 prefill chunks and 120 decode requests, one per row: 128 requests, 128 editor rows.
const prefill = Array.from({ length: 8 }, (_, i) => `256:${2048 + 512 * i}`).join(',');
const decode = Array.from({ length: 120 }, (_, i) => `${512 + 64 * i}`).join(',');
const QUERY = `?model=llama-3.1-70b-instruct&gpu=h100-sxm&tp=4&prefill=${prefill}&decode=${decode}`;
// 1,000 rows: 24 prefill chunks and 976 decode groups.
const bigPrefill = Array.from({ length: 24 }, (_, i) => `256:${2048 + 128 * i}`).join(',');
const bigDecode = Array.from({ length: 976 }, (_, i) => `${512 + 7 * i}x${1 + (i % 3)}`).join(',');
const BIG_QUERY = `?model=llama-3.1-70b-instruct&gpu=h100-sxm&tp=4&prefill=${bigPrefill}&decode=${bigDecode}`;

const server = await startServer({ root: SITE, port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const f = (x) => x.toFixed(2);

// Loads a link and times it with the page's own marks: navigation start -> first result
// (`stepcalc:ready`); and the page's own work, from the WASM module loaded (`stepcalc:start`)
// to that result, to the end of the frame that paints it with its charts
// (`stepcalc:painted`: a task queued from that frame's animation-frame callbacks, so after
// its style, layout and paint; raster and display on the compositor come after), and to
// the whole page (`stepcalc:whole`: the task after that frame adds the charts below the
// fold and a long batch's rows after the first 40 of each list).
async function load(context, query) {
  const page = await context.newPage();
  await page.goto(server.url + query, { waitUntil: 'load' });
  // Waits with a small observer in the page: waitForSelector would first evaluate
  // playwright's injected script on the page's main thread, next to the timed work.
  await page.evaluate(() => new Promise((resolveReady) => {
    const ready = () => document.documentElement.dataset.ready === '1';
    if (ready()) resolveReady(undefined);
    else new MutationObserver((_, observer) => { if (ready()) { observer.disconnect(); resolveReady(undefined); } }).observe(document.documentElement, { attributes: true });
  }));
  const times = await page.evaluate(() => {
    const mark = (/** @type {string} */ name) => performance.getEntriesByName(name)[0].startTime;
    const start = mark('stepcalc:start'), ready = mark('stepcalc:ready');
    return { ready, pageCode: ready - start, pagePainted: mark('stepcalc:painted') - start, pageWhole: mark('stepcalc:whole') - start };
  });
  return { page, times };
}

// EDITS edits of the inputs matching `selector`, one per input event at a random point of a
// frame; returns the latency figures and the renders a burst of 20 events in one frame costs.
function measureEdits(page, selector, edits) {
  return page.evaluate(async ({ selector, edits }) => {
    const inputs = [...document.querySelectorAll(selector)];
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const latency = [], work = [], toFrame = [];
    let missed = 0;
    for (let i = 0; i < edits + 20; i++) {
      const input = inputs[(i * 7) % inputs.length];
      await nextFrame();
      const done = new Promise((resolveDone) => {
        addEventListener('stepcalc:rendered', (e) => {
          // uPlot draws in a microtask queued during the update; ours runs after it.
          queueMicrotask(() => {
            void document.body.offsetHeight; // include style and layout of the new numbers
            resolveDone({ end: performance.now(), start: e.detail.start, ok: e.detail.ok });
          });
        }, { once: true });
      });
      // Edits land at a random point of the frame, as typing does.
      await new Promise((r) => setTimeout(r, Math.random() * 16));
      input.value = String(600 + ((i * 37) % 7000));
      const t0 = performance.now();
      const frame = new Promise((res) => requestAnimationFrame(() => res(performance.now())));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const r = await done;
      const frameAt = await frame;
      if (!r.ok) throw new Error('an edit failed to compute');
      if (i >= 20) { // the first 20 warm up the JIT
        latency.push(r.end - t0);
        work.push(r.end - r.start);
        toFrame.push(frameAt - t0);
        if (r.end > frameAt) missed++;
      }
    }
    // A burst of 20 edits inside one frame: how many renders does it cost?
    await nextFrame();
    const before = Number(document.documentElement.dataset.renders);
    for (let i = 0; i < 20; i++) {
      inputs[i].value = String(700 + i);
      inputs[i].dispatchEvent(new Event('input', { bubbles: true }));
    }
    await nextFrame();
    await nextFrame();
    const burstRenders = Number(document.documentElement.dataset.renders) - before;
    return { latency, work, toFrame, missed, burstRenders };
  }, { selector, edits });
}

// Click -> rows changed, result updated and laid out, for Duplicate and Remove on the first
// decode row (the worst place: every row after it is renumbered).
function measureRowButtons(page, rounds = 20) {
  return page.evaluate(async (rounds) => {
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const out = { dup: [], del: [] };
    for (let i = 0; i < rounds; i++) {
      for (const act of ['dup', 'del']) {
        await nextFrame();
        const done = new Promise((r) => addEventListener('stepcalc:rendered', () => queueMicrotask(() => {
          void document.body.offsetHeight;
          r(performance.now());
        }), { once: true }));
        const t0 = performance.now();
        document.querySelector(`#decode-rows .row button[data-act="${act}"]`).click();
        out[act].push((await done) - t0);
      }
    }
    return out;
  }, rounds);
}

function printEdits(name, result) {
  console.log(`${name}: ${result.work.length} edits (decode context lengths, one per input event)`);
  console.log(`  update work (render start -> numbers, basis, bar, roofline, sweep drawn and laid out): p50 ${f(q(result.work, 0.5))} ms, p95 ${f(q(result.work, 0.95))} ms, max ${f(Math.max(...result.work))} ms`);
  console.log(`  input event -> numbers and charts updated and laid out: p50 ${f(q(result.latency, 0.5))} ms, p95 ${f(q(result.latency, 0.95))} ms, max ${f(Math.max(...result.latency))} ms`);
  console.log(`  input event -> next animation frame (when the update is painted): p50 ${f(q(result.toFrame, 0.5))} ms, p95 ${f(q(result.toFrame, 0.95))} ms; updates that missed that frame: ${result.missed} of ${result.latency.length}`);
  console.log(`  burst of 20 input events in one frame: ${result.burstRenders} renders`);
}

try {
  console.log(`stepcalc browser benchmark (Chromium ${browser.version()}, headless)`);
  // First load with an empty cache: count every response body.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const bodies = [];
  context.on('response', (r) => bodies.push(r.body().then((b) => ({ url: r.url(), bytes: b.length })).catch(() => ({ url: r.url(), bytes: 0 }))));
  const { page, times } = await load(context, QUERY);
  await page.waitForLoadState('networkidle');
  const responses = await Promise.all(bodies);
  const total = responses.reduce((s, r) => s + r.bytes, 0);
  const wasm = responses.filter((r) => r.url.endsWith('.wasm')).reduce((s, r) => s + r.bytes, 0);
  const off = responses.filter((r) => !r.url.startsWith(server.url));
  console.log(`128-request batch: ${(await page.locator('#totals').textContent()).trim()}`);
  console.log(`  load (cold cache): navigation -> first result ${f(times.ready)} ms; module loaded -> first result ${f(times.pageCode)} ms, -> painted ${f(times.pagePainted)} ms, -> whole page (every row and chart) ${f(times.pageWhole)} ms`);
  printEdits('128-request batch', await measureEdits(page, '#decode-rows input[data-field="c"]', EDITS));
  console.log(`first load: ${total} bytes in ${responses.length} responses (wasm ${wasm} bytes), ${off.length} off-origin`);
  for (const r of responses) console.log(`  ${String(r.bytes).padStart(7)}  ${r.url.replace(server.url, '/').replace(/\?.*/, '')}`);
  await page.close();

  // The 1,000-row batch, loaded LOADS times (warm cache: the page's own cost, not the network).
  const loads = [];
  let big;
  for (let i = 0; i < LOADS; i++) {
    await big?.page.close();
    big = await load(context, BIG_QUERY);
    loads.push(big.times);
  }
  const rows = await big.page.locator('#prefill-rows .row, #decode-rows .row').count();
  console.log(`1,000-row batch: ${rows} editor rows; ${(await big.page.locator('#totals').textContent()).trim()}`);
  const spread = (key) => `median ${f(q(loads.map((t) => t[key]), 0.5))} ms (${f(Math.min(...loads.map((t) => t[key])))}–${f(Math.max(...loads.map((t) => t[key])))})`;
  console.log(`  load, ${LOADS} times: navigation -> first result ${spread('ready')}`);
  console.log(`  module loaded -> first result ${spread('pageCode')}; -> painted ${spread('pagePainted')}; -> whole page (every row and chart) ${spread('pageWhole')}`);
  // The edits run with the Charts card centred in the view, and so, on a build that has it,
  // the GPU × TP grid just above it (it computes only when near the view: web/src/grid.mjs).
  await big.page.evaluate(() => document.getElementById('charts').scrollIntoView({ block: 'center' }));
  if (await big.page.locator('#gpu-grid').count()) await big.page.waitForSelector('#gpu-grid td[data-step-time-us]');
  printEdits('1,000-row batch', await measureEdits(big.page, '#decode-rows input[data-field="c"]', EDITS));
  const buttons = await measureRowButtons(big.page);
  for (const act of ['dup', 'del']) {
    console.log(`  ${act === 'dup' ? 'Duplicate' : 'Remove'} on row 1 -> rows renumbered, result updated and laid out: p50 ${f(q(buttons[act], 0.5))} ms, max ${f(Math.max(...buttons[act]))} ms (${buttons[act].length} clicks)`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
