// embed=1 fits its frame: at 640×480 the step time, the link back, the verdict, the memory
// fit, the contributions bar and the roofline chart are in view without scrolling; at
// 400×300 it is still usable; the share panel is hidden; tab order follows the screen.
// Sharing from the full page: a blocked clipboard
// leaves the text visible and selected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SHOTS, setup, guardedPage, ready, open, cli, EXAMPLE } from './helpers.mjs';

let env, host, hostUrl;
const QUERY = `${EXAMPLE.query}&embed=1`;
// What the example's number is for, as the embed says it (every wording: caption.test.mjs).
const CAPTION = 'Llama 2 70B on H100 SXM, TP 4 · 1 prefill chunk of 512 (prompt 512) + 32 decodes at 1,000';

before(async () => {
  env = await setup();
  // Another origin, playing the documentation page: /W/H frames the calculator at W×H.
  host = createServer((req, res) => {
    const [, w = '640', h = '480'] = req.url.split('/');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head><body style="margin:0">
<iframe id="calc" src="${env.url}${QUERY}" title="stepcalc" width="${w}" height="${h}" style="border:0;display:block"></iframe></body></html>`);
  });
  await new Promise((r) => host.listen(0, '127.0.0.1', r));
  hostUrl = `http://127.0.0.1:${host.address().port}`;
});
after(async () => {
  host?.closeAllConnections();
  await new Promise((r) => (host ? host.close(r) : r()));
  await env?.close();
});

// The framed page once it has a result, and the boxes of the given elements inside it.
async function framed(page, width, height) {
  await page.goto(`${hostUrl}/${width}/${height}`);
  const inner = await (await page.waitForSelector('#calc')).contentFrame();
  await inner.waitForSelector('html[data-ready="1"]', { timeout: 60000 });
  return inner;
}
async function boxesIn(frame, selectors) {
  return frame.evaluate((sels) => Object.fromEntries(sels.map((s) => {
    const el = document.querySelector(s);
    const b = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return [s, { top: b.top, bottom: b.bottom, left: b.left, right: b.right, shown: b.width > 0 && b.height > 0 && style.visibility !== 'hidden' }];
  })), selectors);
}

// The caption's text is the example's, and its first part (model, GPU and TP, up to the
// first " · ") is drawn inside the frame and not cut off by the caption's line.
async function assertNamedInView(frame, width, height) {
  assert.equal(await frame.locator('#scenario-caption').innerText(), CAPTION);
  const named = await frame.evaluate(() => {
    const caption = document.querySelector('#scenario-caption'), text = caption.firstChild;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, text.data.indexOf(' · '));
    const b = range.getBoundingClientRect(), line = caption.parentElement.getBoundingClientRect();
    const shown = getComputedStyle(caption).visibility !== 'hidden' && b.width > 0;
    return { text: range.toString(), shown, top: b.top, bottom: b.bottom, left: b.left, right: b.right, lineRight: line.right };
  });
  assert.equal(named.text, 'Llama 2 70B on H100 SXM, TP 4');
  assert.ok(named.shown && named.top >= 0 && named.bottom <= height && named.left >= 0 && named.right <= Math.min(width, named.lineRight),
    `model, GPU and TP in view in ${width}×${height}: ${JSON.stringify(named)}`);
}

test('embed at 640×480: step time, link back, verdict, memory, contributions and a chart in view; share hidden', async () => {
  const { page, context, errors, foreign } = await guardedPage(env.browser, { viewport: { width: 800, height: 600 } });
  const frame = await framed(page, 640, 480);
  const expected = cli(EXAMPLE.request);
  await frame.waitForFunction((e) => Number(document.querySelector('#step-time').dataset.us) === e, expected.step_time_us);
  const must = ['#step-time', '#open-full', '#verdict', '#memory-fit', '#stack', '#roofline canvas'];
  const boxes = await boxesIn(frame, must);
  for (const sel of must) {
    const b = boxes[sel];
    assert.ok(b.shown, `${sel} is shown`);
    assert.ok(b.top >= 0 && b.bottom <= 480 && b.left >= 0 && b.right <= 640, `${sel} inside the 640×480 frame: ${JSON.stringify(b)}`);
  }
  // The caption says what the number is for (issue 19): model, GPU and TP in view.
  await assertNamedInView(frame, 640, 480);
  // The link back sits beside the step time and opens the full page for this scenario.
  assert.ok(Math.abs(boxes['#open-full'].top - boxes['#step-time'].top) < 40, 'the link is next to the step time');
  await frame.waitForFunction(() => document.querySelector('#open-full').href.includes('model='));
  const href = new URL(await frame.locator('#open-full').evaluate((a) => a.href));
  assert.equal(href.searchParams.get('model'), 'llama-2-70b-hf');
  assert.equal(href.searchParams.has('embed'), false);
  // The verdict is the whole step's; the share panel and page chrome are gone.
  assert.match(await frame.locator('#verdict').innerText(), /whole step is (compute|memory)-bound/);
  assert.equal(await frame.locator('#share').isVisible(), false, 'share panel hidden');
  assert.equal(await frame.locator('#copy-link').isVisible(), false);
  assert.equal(await frame.locator('header').isVisible(), false);
  // The controls come after the results.
  const order = await boxesIn(frame, ['#results', '#scenario']);
  assert.ok(order['#scenario'].top > order['#results'].bottom);
  assert.equal(await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await page.screenshot({ path: join(SHOTS, 'embed-640x480.png') });
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

// Every plotted point's legend entry (which bytes it counts), the whole chart and its axis
// title inside a 640×480 frame, also with a does-not-fit alert and a note under the step time.
for (const [name, query] of [['the README example', QUERY], ['Llama 3.1 70B on an L4 (does not fit)', '?model=llama-3.1-70b-instruct&gpu=l4&tp=1&embed=1']]) {
  test(`embed at 640×480, ${name}: the roofline chart and each plotted point's legend entry are in the frame`, async () => {
    const { page, context, errors } = await open(env, query, { viewport: { width: 640, height: 480 } });
    await page.waitForFunction(() => document.querySelector('#roofline').dataset.points);
    const seen = await page.evaluate(() => {
      const inFrame = (el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.top >= 0 && b.bottom <= 480 && b.left >= 0 && b.right <= 640; };
      const points = JSON.parse(document.querySelector('#roofline').dataset.points);
      return {
        canvas: inFrame(document.querySelector('#roofline canvas')),
        entries: Object.entries(points).filter(([, pt]) => pt).map(([key]) => {
          const row = document.querySelector(`#roofline .u-legend .point-${key}`);
          return [key, row.innerText.trim(), inFrame(row)];
        }),
      };
    });
    assert.ok(seen.canvas, 'the chart, axis title included, is in the frame');
    assert.ok(seen.entries.some(([key]) => key === 'step'));
    for (const [key, label, inside] of seen.entries) assert.ok(inside, `${key} legend entry "${label}" is in the frame`);
    if (query !== QUERY) assert.ok(await page.locator('#fit-alert').isVisible(), 'the alert is shown');
    await page.screenshot({ path: join(SHOTS, `embed-640x480-${query === QUERY ? 'example' : 'l4'}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('embed at 400×300 stays usable: step time and link back in view, no sideways scroll', async () => {
  const { page, context, errors } = await guardedPage(env.browser, { viewport: { width: 500, height: 400 } });
  const frame = await framed(page, 400, 300);
  const boxes = await boxesIn(frame, ['#step-time', '#open-full', '#verdict']);
  for (const sel of ['#step-time', '#open-full']) {
    const b = boxes[sel];
    assert.ok(b.shown && b.top >= 0 && b.bottom <= 300 && b.right <= 400, `${sel} inside 400×300: ${JSON.stringify(b)}`);
  }
  assert.ok(boxes['#verdict'].top < 300, 'the verdict starts in view');
  await assertNamedInView(frame, 400, 300);
  assert.equal(await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await page.screenshot({ path: join(SHOTS, 'embed-400x300.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('embed: Tab moves through the controls in the order they appear on screen', async () => {
  const { page, context } = await open(env, QUERY, { viewport: { width: 640, height: 480 } });
  const stops = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const b = el.getBoundingClientRect();
      return { id: el.id || el.textContent.trim().slice(0, 30), top: b.top + scrollY, bottom: b.bottom + scrollY, left: b.left };
    });
    if (stops.length && stop?.id === stops[0].id) break; // round the page and back to the top
    if (stop) stops.push(stop);
  }
  assert.equal(stops[0].id, 'open-full', 'the first stop is the link back, at the top');
  assert.ok(stops.length > 30);
  for (let i = 1; i < stops.length; i++) {
    const a = stops[i - 1], b = stops[i];
    const sameLine = b.top < a.bottom && a.top < b.bottom;
    assert.ok(sameLine ? b.left > a.left : b.top >= a.bottom - 1,
      `Tab from ${a.id} (top ${a.top}) to ${b.id} (top ${b.top}) goes against the screen order`);
  }
  await context.close();
});

test('Copy embed code: with the clipboard blocked the text is shown selected', async () => {
  const { page, context } = await guardedPage(env.browser);
  // A browser that refuses clipboard writes (as a frame without permission does).
  await page.addInitScript(() => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new DOMException('blocked', 'NotAllowedError')) } });
  });
  await page.goto(env.url + EXAMPLE.query);
  await ready(page);
  await page.click('#copy-embed');
  await page.waitForFunction(() => document.querySelector('#share-text').value.startsWith('<iframe'));
  const state = await page.evaluate(() => {
    const box = document.querySelector('#share-text');
    const b = box.getBoundingClientRect();
    return { value: box.value, focused: document.activeElement === box, start: box.selectionStart, end: box.selectionEnd, visible: b.width > 0 && b.height > 0 };
  });
  assert.doesNotMatch(state.value, / allow=/, 'the embed needs no permission (see page-fixes.test.mjs)');
  assert.ok(state.visible && state.focused, 'the fallback box is visible and focused');
  assert.deepEqual([state.start, state.end], [0, state.value.length], 'all of it selected');
  assert.match(await page.locator('#share-status').innerText(), /selected in the box below/);
  await context.close();
});

// Mutations tried: the embed's axis and marker sizes back to the full page's (decade 8 px,
// markers 13 px: failed); the h1 left in the hidden header (axe's page-has-heading-one).
for (const [name, query] of [['the default', '?embed=1'], ['Llama 3.1 70B on an L4', '?model=llama-3.1-70b-instruct&gpu=l4&tp=1&embed=1']]) {
  test(`embed at 640×480, ${name}: a readable roofline (a decade taller than a label and a marker, the ridge label above the roof) and an h1`, async () => {
    const { page, context, errors } = await open(env, query, { viewport: { width: 640, height: 480 }, bypassCSP: true });
    await page.waitForFunction(() => document.querySelector('#roofline .uplot')?.dataset.decadePx);
    const chart = await page.$eval('#roofline .uplot', (u) => ({ ...u.dataset }));
    const decade = Number(chart.decadePx), marker = Number(chart.markerPx);
    assert.ok(decade >= 16, `a decade is ${decade} px: the 10 px y labels need more than their height`);
    assert.ok(marker < decade, `markers ${marker} px, smaller than a decade (${decade} px)`);
    const [, , top, bottom] = JSON.parse(chart.ridgeLabel);
    assert.ok(bottom < Number(chart.roofY) && top >= JSON.parse(chart.plotBox)[1] - 1, `ridge label ${top}–${bottom} above the roof at ${chart.roofY}, inside the plot`);
    const canvas = await page.locator('#roofline canvas').boundingBox();
    assert.ok(canvas.y + canvas.height <= 480, 'the chart is in the frame');
    await page.screenshot({ path: join(SHOTS, `embed-640x480-roofline-${query.length}.png`) });
    await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
    const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => v.id));
    assert.deepEqual(violations, []);
    assert.equal(await page.locator('h1').count(), 1);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('embed at 400×300: the roofline legend goes under the chart, leaving the plot most of the width', async () => {
  const { page, context } = await open(env, '?embed=1', { viewport: { width: 400, height: 300 } });
  await page.waitForFunction(() => document.querySelector('#roofline .uplot')?.dataset.plotBox);
  const [, , width] = JSON.parse(await page.$eval('#roofline .uplot', (u) => u.dataset.plotBox));
  assert.ok(width >= 250, `plot ${width} px wide`);
  const legend = await page.locator('#roofline .u-legend').boundingBox(), canvas = await page.locator('#roofline canvas').boundingBox();
  assert.ok(legend.y >= canvas.y + canvas.height - 1, 'legend under the chart');
  await context.close();
});

test('the documented embed snippet (docs/links-and-embedding.md) is what Copy embed code makes, and the embed has no copy button', async () => {
  const doc = readFileSync(join(ROOT, 'docs', 'links-and-embedding.md'), 'utf8');
  const snippet = /## Embedding\s+```html\n([\s\S]*?)\n```/.exec(doc)[1].replace(/\n\s+/g, ' ');
  const { page, context } = await open(env, EXAMPLE.query, { ownContext: true }); // it grants the clipboard to its context
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#copy-embed');
  await page.waitForFunction(() => document.querySelector('#share-text').value.startsWith('<iframe'));
  const made = (await page.locator('#share-text').inputValue()).replace(env.url.replace(/\/$/, ''), 'https://YOUR-HOST/stepcalc');
  assert.equal(made, snippet);
  await context.close();
  // The frame asks for no clipboard permission because nothing in it copies.
  const b = await open(env, `${EXAMPLE.query}&embed=1`);
  const copyButtons = await b.page.$$eval('button', (bs) => bs.filter((x) => x.offsetParent !== null && /copy/i.test(x.textContent)).length);
  assert.equal(copyButtons, 0);
  assert.equal(made.includes('clipboard-write'), copyButtons > 0, 'the snippet allows the clipboard exactly when the embed can copy');
  await b.context.close();
});
