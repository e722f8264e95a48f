// The page at 360 px: chart x labels apart, the ridge label clear of the y axis, the compare
// caption in view, a slider at least 160 px wide, and each model's and GPU's name readable in its select.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, SHOTS, setup, open, EXAMPLE } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const presets = JSON.parse(spawnSync(join(ROOT, 'build', 'native', 'stepcalc'), ['presets'], { encoding: 'utf8' }).stdout);

// Label boxes [text, left, right] in CSS px, as the chart drew them.
async function xLabels(page, chart) {
  const el = page.locator(`${chart} .uplot`);
  return { labels: JSON.parse(await el.getAttribute('data-x-labels')), plot: JSON.parse(await el.getAttribute('data-plot-box')),
    width: await el.evaluate((u) => u.querySelector('canvas').getBoundingClientRect().width) };
}
function assertApart({ labels, width }, what) {
  assert.ok(labels.length >= 2, `${what}: at least two x labels (${JSON.stringify(labels)})`);
  for (let i = 1; i < labels.length; i++) {
    assert.ok(labels[i][1] > labels[i - 1][2], `${what}: "${labels[i - 1][0]}" and "${labels[i][0]}" overlap: ${JSON.stringify(labels)}`);
  }
  assert.ok(labels[0][1] >= 0 && labels.at(-1)[2] <= width, `${what}: labels inside the canvas (${width} px): ${JSON.stringify(labels)}`);
}

test('360 px: chart labels apart, ridge label clear of the axis, slider wide enough', async () => {
  // Scenarios spanning many decades of intensity: a long prefill, a tiny decode, kv_heads < TP.
  for (const query of [EXAMPLE.query, '?model=qwen3-30b-a3b&tp=16&prefill=100000000:100000000&decode=1x1',
    '?model=llama-2-7b-hf&gpu=l4&prefill=1:1&decode=100000000x1&sweep=decode-context']) {
    const { page, context, errors } = await open(env, query, { viewport: { width: 360, height: 800 } });
    await page.waitForFunction(() => document.querySelector('#roofline .uplot')?.dataset.ridgeLabel && document.querySelector('#sweep .uplot')?.dataset.xLabels);
    assertApart(await xLabels(page, '#roofline'), `roofline ${query}`);
    assertApart(await xLabels(page, '#sweep'), `sweep ${query}`);
    const { plot } = await xLabels(page, '#roofline');
    const [left, right] = JSON.parse(await page.locator('#roofline .uplot').getAttribute('data-ridge-label'));
    assert.ok(left >= plot[0], `ridge label starts at ${left}, the plot (and its y axis) at ${plot[0]}`);
    assert.ok(right <= plot[0] + plot[2] + 1, `ridge label ${left}–${right} inside the plot ${JSON.stringify(plot)} (${query})`);
    const slider = await page.locator('#sweep-slider').boundingBox();
    assert.ok(slider.width >= 160, `slider ${slider.width} px wide`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'no sideways scroll');
    assert.deepEqual(errors, []);
    if (query === EXAMPLE.query) await page.screenshot({ path: join(SHOTS, 'truth-360.png'), fullPage: true });
    await context.close();
  }
});

test('360×740: the step time is in the first screen; every preset model and GPU name fits in its select', async () => {
  const { page, context } = await open(env, '', { viewport: { width: 360, height: 740 } });
  // On a phone the answer comes first (issue 19): the step time, with its caption, above the controls.
  const first = await page.evaluate(() => Object.fromEntries(['#scenario-caption', '#step-time', '#scenario'].map((s) => {
    const b = document.querySelector(s).getBoundingClientRect();
    return [s, { top: b.top, bottom: b.bottom }];
  })));
  assert.ok(first['#step-time'].top >= 0 && first['#step-time'].bottom <= 740, `#step-time at ${JSON.stringify(first['#step-time'])}, outside the first 740 px`);
  assert.ok(first['#scenario-caption'].bottom <= first['#step-time'].top, 'the caption above the step time');
  assert.ok(first['#scenario'].top > first['#step-time'].bottom, 'the controls after the result');
  await page.screenshot({ path: join(SHOTS, 'first-screen-360.png') });
  // The TP box has the other fields' fill, the card's, not a disabled button's grey.
  const fills = await page.evaluate(() => ['#tp', '#util', '#scenario'].map((s) => getComputedStyle(document.querySelector(s)).backgroundColor));
  assert.deepEqual(fills, [fills[2], fills[2], fills[2]]);
  for (const [select, items] of [['#model', presets.models], ['#gpu', presets.gpus]]) {
    for (const item of items) {
      await page.selectOption(select, item.id);
      const fit = await page.$eval(select, (el, name) => {
        const style = getComputedStyle(el);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const shown = el.options[el.selectedIndex].textContent;
        // The text box: the select's width less its padding and the arrow (about 20 px).
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
        return { starts: shown.startsWith(name), need: ctx.measureText(name).width, room };
      }, item.name);
      assert.ok(fit.starts, `${item.id}: the option starts with its name`);
      assert.ok(fit.need <= fit.room, `${item.id}: "${item.name}" needs ${fit.need} px, the select has ${fit.room}`);
    }
  }
  await context.close();
});

test('360 px: the compare caption stays in view', async () => {
  const { page, context } = await open(env, EXAMPLE.query, { viewport: { width: 360, height: 800 } });
  await page.click('#pin');
  await page.fill('#tp', '8');
  await page.click('#pin');
  await page.waitForSelector('#compare caption');
  const m = await page.$eval('#compare caption', (c) => {
    const box = c.getBoundingClientRect(), view = c.closest('.scroll').getBoundingClientRect();
    return { left: box.left, right: box.right, viewLeft: view.left, viewRight: view.right, overflow: c.scrollWidth - c.clientWidth };
  });
  assert.ok(m.left >= m.viewLeft - 0.5 && m.right <= m.viewRight + 0.5, `caption ${m.left}–${m.right} within the visible ${m.viewLeft}–${m.viewRight}`);
  assert.ok(m.overflow <= 0);
  await page.locator('#compare').screenshot({ path: join(SHOTS, 'compare-360.png') });
  await context.close();
});

test('360 px: an opened formula has the table width and breaks no name or number', async () => {
  const { page, context } = await open(env, EXAMPLE.query, { viewport: { width: 360, height: 800 } });
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
