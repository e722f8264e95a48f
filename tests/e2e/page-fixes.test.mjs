// The calculator page's defects from the second review (issue 9), each held to the page:
// kv_heads < TP said consistently by the memory line, the phase sentences and the labels;
// the stale line naming the field to fix; a quick scenario leaving a sweep it can draw; the
// sweep legend telling every line apart; totals always true; formulas and compare at 360 px;
// the embed snippet as the README shows it; a difference from 0 explained.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, guardedPage, ready, cli, waitForStep, ROOT, SHOTS, EXAMPLE } from './helpers.mjs';
import { bytes } from '../../web/src/format.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** @param {string} query */
async function open(query, options) {
  const opened = await guardedPage(env.browser, options);
  await opened.page.goto(env.url + query);
  await ready(opened.page);
  return opened;
}
const text = (page, selector) => page.locator(selector).innerText();

const KV_TP = { query: '?model=llama-3.1-70b-instruct&tp=16&prefill=512:2048&decode=1024x32',
  request: { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 16,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } } };

test('kv_heads < TP: the memory line, the phase sentences and the labels each say what they count', async () => {
  const r = cli(KV_TP.request);
  assert.equal(r.sharding.kv_heads_per_gpu, 0);
  assert.equal(r.sharding.kv_heads_stored_per_gpu, 1);
  assert.ok(r.memory.kv_cache_bytes > 0);
  const { page, context, errors } = await open(KV_TP.query);
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  // Memory counts the replicated head, and says so beside its KV figure.
  assert.match(await text(page, '#memory-text'), new RegExp(
    `KV cache ${bytes(r.memory.kv_cache_bytes).replace('.', '\\.')} \\(1 KV head per GPU, replicated as real engines store it; the roofline terms count 0\\)`));
  // The phase sentences count 0 heads "as the seed does", and one sentence puts both side by side.
  const teach = await text(page, '#teach');
  assert.match(teach, /Prefill: .*its KV term counts 0 KV heads per GPU \(⌊kv_heads\/TP⌋ = ⌊8\/16⌋\), so it has no KV bytes to divide by/);
  assert.match(teach, /The roofline terms count 0 KV heads per GPU \(8 KV heads over TP 16\), as the seed does; the memory fit counts the 1 KV head per GPU that real engines keep/);
  assert.doesNotMatch(teach, /key\/value heads per GPU/, 'no bare "0 key/value heads" claim without the memory side');
  // No label claims KV bytes its figure does not count.
  const labels = await page.$$eval('#derived dt', (dts) => dts.map((d) => d.textContent));
  assert.ok(labels.every((l) => !/weights? and KV/.test(l)), labels.join(' | '));
  assert.ok(labels.includes('HBM bandwidth utilisation (weights only; no KV bytes)'), labels.join(' | '));
  assert.ok(labels.includes('Whole-step arithmetic intensity (FLOPs ÷ weight bytes; no KV bytes)'), labels.join(' | '));
  assert.match(await text(page, '#verdict'), /all its HBM traffic \(weights only; no KV bytes, as the roofline terms count 0 KV heads per GPU when kv_heads < TP\)/);
  // Each label stays beside its figure: the label column does not push the values out.
  const overflow = await page.$eval('#derived', (d) => d.scrollWidth - d.clientWidth);
  assert.equal(overflow, 0, 'the derived figures fit their box');
  await page.waitForSelector('#roofline .u-legend');
  assert.equal(await text(page, '#roofline .u-legend .point-step .u-label'), 'Step: FLOPs ÷ weights (no KV bytes)');
  // The same labels with KV bytes counted.
  await page.goto(env.url + EXAMPLE.query);
  await ready(page);
  await waitForStep(page, cli(EXAMPLE.request).step_time_us);
  const withKv = await page.$$eval('#derived dt', (dts) => dts.map((d) => d.textContent));
  assert.ok(withKv.includes('HBM bandwidth utilisation (weights and KV)'), withKv.join(' | '));
  assert.equal(await text(page, '#roofline .u-legend .point-step .u-label'), 'Step: FLOPs ÷ weights + KV');
  assert.doesNotMatch(await text(page, '#memory-text'), /replicated/);
  assert.deepEqual(errors, []);
  await context.close();
});

// The stale line names each field to fix, as a button that focuses it: no "above", which is
// wrong in the embed (controls below) and at 1280 px (controls beside).
for (const [name, query, viewport] of [['full page at 1280 px', '', { width: 1280, height: 900 }], ['embed at 640×480', '&embed=1', { width: 640, height: 480 }]]) {
  test(`stale result (${name}): the line names the field and takes the focus there`, async () => {
    const { page, context } = await open(`?decode=1024x32${query}`, { viewport });
    const count = page.getByLabel('Decode group 1, Count');
    await count.fill('0');
    await page.waitForFunction(() => !document.querySelector('#stale').hidden);
    const stale = await text(page, '#stale');
    assert.equal(stale, 'Showing the last good result; to update it, fix Decode group 1, Count (marked in red).');
    await page.locator('#stale button', { hasText: 'Decode group 1, Count' }).click();
    assert.ok(await count.evaluate((el) => el === document.activeElement), 'the named field has the focus');
    assert.ok(await count.evaluate((el) => { const b = el.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }), 'and is in view');
    await context.close();
  });
}

test('One long prefill leaves the sweep on a variable it can draw; an empty list is said plainly', async () => {
  const { page, context } = await open('');
  await page.click('button[data-scenario="long-prefill"]');
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX === '8192');
  assert.equal(await page.locator('#sweep-var').inputValue(), 'prefill-chunk');
  assert.match(await text(page, '#sweep-desc'), /^Prefill: .* \(now 8,192, dotted line\)/);
  await page.waitForFunction(() => location.search.includes('sweep=prefill-chunk'), null, { timeout: 3000 }); // the link carries it
  // Decode-heavy has no prefill chunk: back to a decode variable.
  await page.click('button[data-scenario="decode-heavy"]');
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX === '64');
  assert.equal(await page.locator('#sweep-var').inputValue(), 'decode-count');
  // Removing every decode row by hand keeps the user's choice, and the chart says why it is empty.
  for (const left of [1, 0]) {
    await page.locator('#decode-rows .row button[data-act="del"]').first().click();
    await page.waitForFunction((n) => document.querySelectorAll('#decode-rows .row').length === n, left);
  }
  assert.equal(await page.locator('#sweep-var').inputValue(), 'decode-count');
  assert.equal(await text(page, '#sweep-desc'),
    'Nothing to sweep, so the chart is empty: this sweep varies the decode requests per group, and the batch has no decode groups. Add one, or choose another sweep variable.');
  await context.close();
});

test('sweep legend: compute and KV lines, and the current value, each have their own swatch', async () => {
  const { page, context } = await open('');
  await page.waitForSelector('#sweep .u-legend');
  const markers = await page.$$eval('#sweep .u-legend tr', (rows) => rows.map((tr) => {
    const m = tr.querySelector('.u-marker');
    const s = m && getComputedStyle(m);
    return { label: tr.querySelector('.u-label')?.textContent, swatch: s && `${s.borderTopColor} ${s.borderTopStyle} ${s.backgroundColor}` };
  }).filter((e) => e.label && e.label !== 'x'));
  const by = Object.fromEntries(markers.map((m) => [m.label, m.swatch]));
  assert.deepEqual(Object.keys(by), ['step time', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv', 't_weight', 't_tp', 'current value']);
  assert.equal(new Set(Object.values(by)).size, markers.length, `every swatch differs: ${JSON.stringify(by)}`);
  assert.match(by.t_pf_kv, /dashed/);
  assert.match(by['current value'], /dotted/);
  // The drawn line's colour is the current value's swatch colour, and no term's.
  const colour = by['current value'].split(' ').slice(0, 3).join(' ');
  for (const [label, swatch] of Object.entries(by)) if (label !== 'current value') assert.ok(!swatch.startsWith(colour), `${label} shares ${colour}`);
  await context.close();
});

test('totals are always true: the last valid batch named as such, or none yet', async () => {
  const { page, context } = await open(EXAMPLE.query);
  const good = cli(EXAMPLE.request);
  await waitForStep(page, good.step_time_us);
  const totalsOf = (r) => `${(r.work.prefill.tokens + r.work.decode.tokens).toLocaleString('en-US')} tokens this step ` +
    `(${r.work.prefill.tokens.toLocaleString('en-US')} prefill, ${r.work.decode.tokens} decode) · batch size ${r.basis.batch_size} requests · ` +
    `${r.work.decode.context_tokens.toLocaleString('en-US')} decode context tokens`;
  assert.equal(await text(page, '#totals'), `Totals: ${totalsOf(good)}`);
  // An invalid row: the totals are the last valid batch's, and say so.
  await page.getByLabel('Decode group 1, Count').fill('0');
  await page.waitForFunction(() => /last valid/.test(document.querySelector('#totals').textContent));
  assert.equal(await text(page, '#totals'),
    `Totals of the last valid batch, not of the rows on screen, until Decode group 1, Count is fixed: ${totalsOf(good)}`);
  await page.getByLabel('Decode group 1, Count').fill('32');
  // An invalid TP with the batch unchanged: the totals are this batch's.
  await page.fill('#tp', '0');
  await page.waitForFunction(() => !document.querySelector('#stale').hidden);
  assert.equal(await text(page, '#totals'), `Totals: ${totalsOf(good)}`);
  await context.close();
  // A link whose row is invalid from the start: no totals to show, and it says so.
  const b = await open('?prefill=512:2048,4096:1024');
  assert.equal(await text(b.page, '#totals'), 'Totals: none yet, as nothing could be computed since the page opened; fix Prefill chunk 2, Tokens this step.');
  assert.equal(await text(b.page, '#stale'), 'No result yet; to compute one, fix Prefill chunk 2, Tokens this step (marked in red).');
  await b.context.close();
});

test('360 px: an opened formula has the table width and breaks no name or number', async () => {
  const { page, context } = await open(EXAMPLE.query, { viewport: { width: 360, height: 800 } });
  for (const label of ['Prefill compute', 'Weight read']) {
    await page.getByLabel(`Show the formula for ${label}`).click();
  }
  await page.waitForFunction(() => [...document.querySelectorAll('.terms pre')].filter((p) => p.textContent.includes('µs')).length === 2);
  const checks = await page.$$eval('.terms details[open] pre', (pres) => pres.map((pre) => {
    const table = pre.closest('table').getBoundingClientRect().width;
    // Every name and number is on one line: one client rect per word.
    const node = pre.firstChild, broken = [];
    for (const m of node.data.matchAll(/[A-Za-z_][A-Za-z_0-9]*|[\d.,]+(e\d+)?/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
    return { width: pre.getBoundingClientRect().width, table, broken, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  }));
  for (const c of checks) {
    assert.deepEqual(c.broken, [], 'names and numbers broken across lines');
    assert.ok(c.width >= 0.9 * c.table, `formula ${c.width} px wide in a ${c.table} px table`);
    assert.equal(c.overflow, 0, 'no sideways scroll of the page');
  }
  await page.screenshot({ path: join(SHOTS, 'formula-360.png'), fullPage: true });
  await context.close();
});

test('360 px: compare says which pins are off to the side', async () => {
  const { page, context } = await open('', { viewport: { width: 360, height: 800 } });
  await page.click('#pin');
  await page.click('#tp-quick button[data-tp="2"]');
  await page.click('#pin');
  await page.waitForFunction(() => document.querySelectorAll('#compare-out thead th').length === 4);
  await page.waitForFunction(() => !document.querySelector('#compare-scroll-hint').hidden);
  assert.match(await text(page, '#compare-scroll-hint'), /^(Pin 1 and pin 2 are|Pin 2 is) off to the right: scroll the table sideways \(→\)\.$/);
  await page.screenshot({ path: join(SHOTS, 'compare-360-hint.png'), fullPage: true });
  await page.locator('#compare-out .scroll').evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  await page.waitForFunction(() => !/right/.test(document.querySelector('#compare-scroll-hint').textContent));
  const atEnd = await page.locator('#compare-scroll-hint').evaluate((p) => (p.hidden ? '' : p.textContent));
  if (atEnd) assert.match(atEnd, /^The current scenario.* off to the left: scroll the table sideways \(←\)\.$/);
  await context.close();
});

test('compare: a change from a current 0 says why it has no percent', async () => {
  const { page, context } = await open('');
  await page.click('#pin');
  // The current scenario has no prefill: its prefill terms are 0, the pin's are not.
  await page.click('button[data-scenario="decode-heavy"]');
  await page.waitForFunction(() => document.querySelector('#compare-t_pf_compute td:nth-of-type(2)'));
  const cells = await page.$$eval('#compare-t_pf_compute td', (tds) => tds.map((td) => td.innerText));
  assert.equal(cells[0], '0');
  assert.match(cells[1], /^[\d,.]+\n– \(the current value is 0, so no percent\)$/, `pin cell: ${cells[1]}`);
  await context.close();
});

test('the README embed snippet is what Copy embed code makes, and the embed has no copy button', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippet = /### Embedding\s+```html\n([\s\S]*?)\n```/.exec(readme)[1].replace(/\n\s+/g, ' ');
  const { page, context } = await open(EXAMPLE.query);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#copy-embed');
  await page.waitForFunction(() => document.querySelector('#share-text').value.startsWith('<iframe'));
  const made = (await page.locator('#share-text').inputValue()).replace(env.url.replace(/\/$/, ''), 'https://YOUR-HOST/stepcalc');
  assert.equal(made, snippet);
  await context.close();
  // The frame asks for no clipboard permission because nothing in it copies.
  const b = await open(`${EXAMPLE.query}&embed=1`);
  const copyButtons = await b.page.$$eval('button', (bs) => bs.filter((x) => x.offsetParent !== null && /copy/i.test(x.textContent)).length);
  assert.equal(copyButtons, 0);
  assert.equal(made.includes('clipboard-write'), copyButtons > 0, 'the snippet allows the clipboard exactly when the embed can copy');
  await b.context.close();
});
