// Shared set-up for the browser tests: a server on a free port, Debian's Chromium,
// the native CLI as the reference, and a guard that fails on any off-origin request.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../web/serve.mjs';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const SITE = join(ROOT, 'build', 'site');
export const SHOTS = join(ROOT, 'build', 'screenshots');
const CLI = join(ROOT, 'build', 'native', 'stepcalc');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function setup() {
  if (!existsSync(join(SITE, 'index.html'))) throw new Error('build/site is missing: run `node web/build.mjs` first');
  if (!existsSync(CLI)) throw new Error('build/native/stepcalc is missing: cmake --preset native && cmake --build --preset native');
  mkdirSync(SHOTS, { recursive: true });
  const server = await startServer({ root: SITE, port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    server, browser, url: server.url,
    async close() { await browser.close(); await server.close(); },
  };
}

// Fails any request off 127.0.0.1 (it goes into foreign()), and collects page errors.
function guard(context, page, sink) {
  return Promise.all([
    context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
      sink().foreign.push(u.href);
      return route.abort();
    }),
    page.on('pageerror', (e) => sink().errors.push(e.message)),
    page.on('console', (m) => { if (m.type() === 'error') sink().errors.push(m.text()); }),
  ]);
}

// A page in a context of its own, whose every request must stay on 127.0.0.1; page
// errors are collected too.
const DEFAULT_VIEWPORT = { width: 1280, height: 900 };
export async function guardedPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: DEFAULT_VIEWPORT, ...options });
  const page = await context.newPage();
  const opened = { context, page, foreign: [], errors: [] };
  await guard(context, page, () => opened);
  return opened;
}

// The page is whole. The timeouts here are safety nets for a page that never gets there,
// generous so that a loaded machine (or two test files at once) does not trip them.
export async function ready(page) {
  await page.waitForSelector('html[data-ready="1"]', { timeout: 60000 });
}

// The one way the browser tests open the calculator: a guarded page at `query`, once the
// page is whole. With options other than `viewport` (guardedPage's, or ownContext: true for
// a test that uses the context itself) it is a page in a new context. Otherwise it is the
// test file's one shared page, set to the viewport and navigated anew: a new context costs
// about 3 s of CPU time here (a renderer process, the page compiled again), a navigation
// about 1.2 s (docs/testing.md). Each open is then a fresh document with the origin's
// storage emptied, its own foreign and errors lists, and a `context.close()` that only
// ends its turn.
export async function open(env, query = '', options = {}) {
  const { ownContext, viewport = DEFAULT_VIEWPORT, ...contextOptions } = options;
  if (ownContext || Object.keys(contextOptions).length > 0) {
    const opened = await guardedPage(env.browser, { viewport, ...contextOptions });
    await opened.page.goto(env.url + query);
    await ready(opened.page);
    return opened;
  }
  if (!env.shared) {
    const context = await env.browser.newContext({ viewport: DEFAULT_VIEWPORT });
    const page = await context.newPage();
    env.shared = { context, page, turn: { foreign: [], errors: [] } };
    const shared = env.shared;
    await guard(context, page, () => shared.turn);
    // An empty document of the site's origin, from which its storage is emptied.
    await context.route('**/__empty__', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>empty</title>' }));
  }
  const { page } = env.shared;
  // Leave the last test's document (its pagehide may still store a draft), then empty the
  // storage from an empty document of the same origin, before the new one reads it.
  await page.goto(new URL('/__empty__', env.url).href);
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  const turn = { context: { close: async () => {} }, page, foreign: [], errors: [] };
  env.shared.turn = turn;
  await page.setViewportSize(viewport);
  await page.goto(env.url + query);
  await ready(page);
  return turn;
}

export const textOf = (page, selector) => page.locator(selector).innerText();
export const noticeText = (page) => page.locator('#notices').innerText();
export const addressParams = async (page) => new URLSearchParams(await page.evaluate(() => location.search));

// Waiting for the page, never for a time. Each resolves once something the page does has
// happened, so a slow machine only makes them take longer, never pass wrongly.

// Every change made so far is rendered: the page renders an action at once, or, when it
// comes in the middle of a frame, in that frame's animation-frame callback (main.mjs,
// frameEnd), which runs before the callbacks asked for after it.
export async function rendered(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

// The address bar has followed the last valid state (share.mjs sets data-address-bar
// to "pending" while its pause runs); it holds whatever it will hold.
export async function addressBarSettled(page) {
  await page.waitForSelector('html:not([data-address-bar="pending"])', { state: 'attached' });
}

// Slider gestures on the test's terms (sweep.mjs ends one after a pause between key
// presses): holdGesture keeps the coming key presses one gesture however slowly they
// arrive; endGesture ends the current one now, as the pause would, and waits for it.
export async function holdGesture(page) {
  await page.evaluate(() => { globalThis.stepcalcGesturePauseMs = 3_600_000; });
}
export async function endGesture(page) {
  await page.evaluate(() => {
    globalThis.stepcalcGesturePauseMs = 0;
    document.getElementById('sweep-slider').dispatchEvent(new Event('change'));
  });
  await page.waitForSelector('#sweep-slider:not([data-gesture])', { state: 'attached' });
}

// The CLI's answer for a request (the reference every page number is checked against).
export function cli(request) {
  const run = spawnSync(CLI, ['compute', '-'], { input: JSON.stringify(request), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`stepcalc compute failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

export async function stepUs(page) {
  return Number(await page.locator('#step-time').getAttribute('data-us'));
}

// Waits until #step-time shows exactly `expected` µs; returns what it shows at the end.
export async function waitForStep(page, expected, timeout = 30000) {
  try {
    await page.waitForFunction((e) => Number(document.querySelector('#step-time').dataset.us) === e, expected, { timeout });
  } catch { /* the caller's assertion reports the mismatch */ }
  return stepUs(page);
}

export async function basisFromPage(page) {
  return page.$$eval('[data-basis]', (els) => Object.fromEntries(els.map((e) => [e.dataset.basis, Number(e.dataset.us)])));
}

// A small custom model named `name`, checked and chosen through its editor.
export async function useCustomModel(page, name) {
  await page.click('#custom-model summary');
  await page.fill('#config-text', JSON.stringify({ _name_or_path: name, num_hidden_layers: 4, hidden_size: 512,
    num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1536 }));
  await page.click('#config-use');
  await page.waitForFunction(() => document.querySelector('#model').value.startsWith('custom:'));
}

// A custom GPU named `name`, without a memory capacity, checked and chosen through its editor.
export async function useCustomGpu(page, name) {
  await page.click('#custom-gpu summary');
  await page.fill('#cg-name', name);
  await page.fill('#cg-tflops', '400');
  await page.fill('#cg-hbm', '2.5');
  await page.fill('#cg-link', '300');
  await page.click('#cg-use');
  await page.waitForFunction(() => document.querySelector('#gpu').value.startsWith('custom:'));
}

// The README's example scenario, as a link and as the request the CLI gets for it;
// `at(tp)` is the same request at another TP degree.
export const EXAMPLE = {
  query: '?model=llama-2-70b-hf&gpu=h100-sxm&tp=4&prefill=512:512&decode=1000x32',
  request: { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 512 }], decode: [{ context_length: 1000, count: 32 }] } },
  at(tp) { return { ...this.request, tp }; },
};
