// The sweep's slider and chart: one undo step per gesture (the test ends gestures itself, so
// a slow machine cannot split or join them), the rows' ratios kept from the batch before the
// slider moved them, what the slider announces, a sweep variable the chart can draw, and a
// legend that tells every line apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, open, textOf, rendered, holdGesture, endGesture, cli } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const decodeParam = (page) => new URL(page.url()).searchParams.get('decode');

test('the slider scales rows from the batch before it moved them: Home, a pause, End keeps 32:2; so does the chart', async () => {
  const { page, context, errors } = await open(env, '?prefill=&decode=1024x32,8192x2');
  await page.focus('#sweep-slider');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024,8192');
  // The chart sweeps the rows as the slider will move them: from 32:2, not from 1:1.
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX === '1');
  const desc = await textOf(page, '#sweep-desc');
  assert.match(desc, /The other decode rows scale with decode group 1, keeping the ratios they had before the slider moved them, as the slider moves them\./);
  // Where the chart says the batch stops fitting is where it does with group 2 at 2/32 of group 1 (the CLI).
  const [, fitsAt, stopsAt] = /stops fitting in GPU memory between ([\d,]+) and ([\d,]+) decode requests in decode group 1/.exec(desc);
  const fits = (n) => cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { decode: [{ context_length: 1024, count: n }, { context_length: 8192, count: Math.max(1, Math.round((2 * n) / 32)) }] } }).memory.fits;
  assert.equal(fits(Number(fitsAt.replaceAll(',', ''))), true);
  assert.equal(fits(Number(stopsAt.replaceAll(',', ''))), false);
  await endGesture(page); // the next move is a new gesture
  await page.keyboard.press('End');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') !== '1024,8192');
  assert.equal(decodeParam(page), '1024x4096,8192x256');
  // Two mouse moves (each released): left end, then right end.
  await page.locator('#sweep-slider').fill('0');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024,8192');
  await endGesture(page);
  await page.locator('#sweep-slider').fill('1000');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') !== '1024,8192');
  assert.equal(decodeParam(page), '1024x4096,8192x256');
  // An edit of a row starts again from the rows on screen.
  await page.fill('[data-where="step.decode[1].count"]', '4096');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('decode') === '1024x4096*2' || new URL(location.href).searchParams.get('decode') === '1024x4096,8192x4096');
  await holdGesture(page); // the sentence while the slider moves the rows
  await page.focus('#sweep-slider');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => /^1024(x1)?,8192(x1)?$/.test(new URL(location.href).searchParams.get('decode')));
  await rendered(page);
  assert.match(await textOf(page, '#sweep-desc'), /keeping the ratios they had before the slider moved them/);
  assert.deepEqual(errors, []);
  await context.close();
});

// The test holds the gesture open while it presses the keys and then ends it, so a slow
// machine cannot split it. Mutation tried: the slider's change event ending the gesture at
// once instead of after the pause (each key step was its own undo step: one Ctrl+Z went
// back one step only).
test('five arrow-key steps of the slider are one undo step', async () => {
  const { page, context } = await open(env);
  const count = () => page.inputValue('[data-where="step.decode[0].count"]');
  await page.focus('#sweep-slider');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('[data-where="step.decode[0].count"]').value === '4096');
  await endGesture(page); // the next keys are a new gesture
  await holdGesture(page);
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => Number(document.querySelector('[data-where="step.decode[0].count"]').value) < 4000);
  await endGesture(page);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('[data-where="step.decode[0].count"]').value === '4096', null, { timeout: 30000 });
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('[data-where="step.decode[0].count"]').value === '32', null, { timeout: 30000 });
  assert.equal(await count(), '32');
  await context.close();
});

// Mutations tried: no aria-valuetext on the slider; no aria-pressed update; no aria-label on
// the row inputs (each failed its assertion).
test('the slider announces its value, TP buttons their state, and row fields their row', async () => {
  const { page, context } = await open(env);
  assert.equal(await page.getAttribute('#sweep-slider', 'aria-valuetext'), '32');
  await page.focus('#sweep-slider');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('[data-where="step.decode[0].count"]').value === '4096');
  assert.equal(await page.getAttribute('#sweep-slider', 'aria-valuetext'), '4,096');
  assert.equal(await page.getAttribute('#tp-quick button[data-tp="1"]', 'aria-pressed'), 'true');
  await page.click('#tp-quick button[data-tp="4"]');
  await page.waitForFunction(() => document.querySelector('#tp-quick button[data-tp="4"]').getAttribute('aria-pressed') === 'true');
  assert.equal(await page.getAttribute('#tp-quick button[data-tp="1"]', 'aria-pressed'), 'false');
  await page.click('#add-decode');
  await page.click('#add-decode');
  assert.equal(await page.getByRole('textbox', { name: 'Decode group 3, Context length', exact: true }).count(), 1);
  assert.equal(await page.getByRole('textbox', { name: 'Prefill chunk 1, Prompt tokens', exact: true }).count(), 1);
  await context.close();
});

test('One long prefill leaves the sweep on a variable it can draw; an empty list is said plainly', async () => {
  const { page, context } = await open(env, '');
  await page.click('button[data-scenario="long-prefill"]');
  await page.waitForFunction(() => document.querySelector('#sweep').dataset.currentX === '8192');
  assert.equal(await page.locator('#sweep-var').inputValue(), 'prefill-chunk');
  assert.match(await textOf(page, '#sweep-desc'), /^Prefill: .* \(now 8,192, dotted line\)/);
  await page.waitForFunction(() => location.search.includes('sweep=prefill-chunk'), null, { timeout: 30000 }); // the link carries it
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
  assert.equal(await textOf(page, '#sweep-desc'),
    'Nothing to sweep, so the chart is empty: this sweep varies the decode requests per group, and the batch has no decode groups. Add one, or choose another sweep variable.');
  await context.close();
});

test('sweep legend: compute and KV lines, and the current value, each have their own swatch', async () => {
  const { page, context } = await open(env, '');
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
