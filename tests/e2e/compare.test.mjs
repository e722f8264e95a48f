// Compare: 0 against 0 is "0%", a change from a current 0 says why it has no percent, and at
// 360 px the table says which pins are off to the side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { difference } from '../../web/src/compare-table.mjs';
import { ROOT, SHOTS, setup, open, textOf } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('Compare: 0 against 0 is "0%" (no change), as docs/page.md says; a current 0 against another figure has no percent', async () => {
  assert.equal(difference(0, 0), '0%');
  assert.equal(difference(5, 0), '– (the current value is 0, so no percent)');
  const doc = readFileSync(join(ROOT, 'docs', 'page.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(doc.includes('"0%" where the two are equal, 0 against 0 included'), 'docs/page.md says what the page does');
  assert.ok(doc.includes('where only the current figure is 0, "– (the current value is 0, so no percent)"'));
  const { page, context, errors } = await open(env, '?pin=tp%3D2%26decode%3Dabc&pin=tp%3D4&pin=gpu%3Dl4&pin=tp%3D8');
  await page.waitForFunction(() => document.querySelectorAll('#compare-t_tp td').length === 4);
  const cells = await page.$$eval('#compare-t_tp td', (tds) => tds.map((td) => td.innerText));
  assert.equal(cells[0], '0'); // TP 1: no all-reduce
  assert.equal(cells[2], '0\n0%'); // the L4 pin, at TP 1 too
  assert.match(cells[1], /^[\d,.]+\n– \(the current value is 0, so no percent\)$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare: a change from a current 0 says why it has no percent', async () => {
  const { page, context } = await open(env, '');
  await page.click('#pin');
  // The current scenario has no prefill: its prefill terms are 0, the pin's are not.
  await page.click('button[data-scenario="decode-heavy"]');
  await page.waitForFunction(() => document.querySelector('#compare-t_pf_compute td:nth-of-type(2)'));
  const cells = await page.$$eval('#compare-t_pf_compute td', (tds) => tds.map((td) => td.innerText));
  assert.equal(cells[0], '0');
  assert.match(cells[1], /^[\d,.]+\n– \(the current value is 0, so no percent\)$/, `pin cell: ${cells[1]}`);
  await context.close();
});

test('360 px: compare says which pins are off to the side', async () => {
  const { page, context } = await open(env, '', { viewport: { width: 360, height: 800 } });
  await page.click('#pin');
  await page.click('#tp-quick button[data-tp="2"]');
  await page.click('#pin');
  await page.waitForFunction(() => document.querySelectorAll('#compare-out thead th').length === 4);
  await page.waitForFunction(() => !document.querySelector('#compare-scroll-hint').hidden);
  assert.match(await textOf(page, '#compare-scroll-hint'), /^(Pin 1 and pin 2 are|Pin 2 is) off to the right: scroll the table sideways \(→\)\.$/);
  await page.screenshot({ path: join(SHOTS, 'compare-360-hint.png'), fullPage: true });
  await page.locator('#compare-out .scroll').evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  await page.waitForFunction(() => !/right/.test(document.querySelector('#compare-scroll-hint').textContent));
  const atEnd = await page.locator('#compare-scroll-hint').evaluate((p) => (p.hidden ? '' : p.textContent));
  if (atEnd) assert.match(atEnd, /^The current scenario.* off to the left: scroll the table sideways \(←\)\.$/);
  await context.close();
});
