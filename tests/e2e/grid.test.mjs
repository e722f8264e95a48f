// The GPU × TP grid under the result: its cells are `stepcalc grid`'s for the page's
// scenario (1e-9), a cell that does not fit is greyed with its reason on hover and focus,
// the marks are words and symbols, a click and an Enter select the GPU and TP (result, URL
// and controls follow), axe finds nothing serious, at 360 px it scrolls inside its own box,
// and the embed shows it only with grid=1. A saved custom GPU gets a row of its own (the
// CLI's cells for its datasheet, its name as the caption gives it; a click selects it; an
// edit or a delete follows); one the core refuses says why (no browser). Three page opens
// and an embed pair.
import assert from 'node:assert/strict';
import { test, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setup, open, rendered, addressBarSettled, addressParams, cli, waitForStep, useCustomGpu, ROOT, SHOTS } from './helpers.mjs';
import { gridRows } from '../../web/src/grid-rows.mjs';

const env = await setup();
after(() => env.close());

const request = {
  model: 'llama-3.1-70b-instruct', coefficients: 'trained-roofline-h100', gpu_memory_utilization: 0.9,
  step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048, count: 1 }], decode: [{ context_length: 1024, count: 32 }] },
};
const QUERY = '?model=llama-3.1-70b-instruct&prefill=512:2048&decode=1024x32';

function cliGrid(gridRequest) {
  const run = spawnSync(join(ROOT, 'build', 'native', 'stepcalc'), ['grid', '-'], { input: JSON.stringify(gridRequest), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`stepcalc grid failed: ${run.stderr}`);
  return JSON.parse(run.stdout).cells;
}

// The grid in view, with its cells drawn for the scenario on screen.
async function gridInView(page) {
  await page.locator('#grid-card').scrollIntoViewIfNeeded();
  await page.waitForSelector('#gpu-grid td[data-step-time-us]:not([data-step-time-us=""])');
  await rendered(page);
}

// The page's cells against `stepcalc grid`'s for the same request, figures to 1e-9.
function sameAsCli(cells, expected, ids = expected.map((want) => want.gpu)) {
  assert.equal(cells.length, expected.length);
  expected.forEach((want, i) => {
    const got = cells[i], at = `${ids[i]} TP ${want.tp}`;
    assert.deepEqual([got.gpu, got.tp], [ids[i], want.tp]);
    assert.equal(got.fits, want.error !== null ? 'error' : String(want.fits ?? 'unknown'), at);
    for (const [figure, text] of [['step_time_us', got.us], ['tokens_per_s_per_gpu', got.perGpu]]) {
      if (want[figure] === null) assert.equal(text, '', `${at} ${figure}`);
      else assert.ok(Math.abs(Number(text) - want[figure]) <= 1e-9 * Math.abs(want[figure]), `${at} ${figure}: ${text} against ${want[figure]}`);
    }
  });
}

// ★ on the fastest fitting cell, ▲ on each GPU's best tokens/s per GPU among its fitting cells.
function marksRight(cells) {
  const fitting = cells.filter((c) => c.fits !== 'false' && c.fits !== 'error');
  const fastest = cells.filter((c) => c.mark.includes('★ fastest'));
  assert.equal(fastest.length, 1);
  assert.equal(Number(fastest[0].us), Math.min(...fitting.map((c) => Number(c.us))));
  for (const gpu of new Set(cells.map((c) => c.gpu))) {
    const own = fitting.filter((c) => c.gpu === gpu);
    const marked = cells.filter((c) => c.gpu === gpu && c.mark.includes('▲'));
    assert.equal(marked.length, own.length ? 1 : 0, gpu);
    if (own.length) assert.equal(Number(marked[0].perGpu), Math.max(...own.map((c) => Number(c.perGpu))), gpu);
  }
}

const cellsOf = (page) => page.$$eval('#gpu-grid td[data-gpu]', (tds) => tds.map((td) => ({
  gpu: td.dataset.gpu, tp: Number(td.dataset.tp), fits: td.dataset.fits, us: td.dataset.stepTimeUs,
  perGpu: td.dataset.tokensPerSPerGpu, out: td.classList.contains('gg-out'), mark: td.querySelector('.gg-mark').textContent,
})));

test('the grid: the CLI\'s cells, greyed cells with their reason, marks, click and Enter select', async () => {
  const { page, context, errors } = await open(env, QUERY);
  await gridInView(page);

  const expected = cliGrid({ ...request, tps: [1, 2, 4, 8] });
  const cells = await cellsOf(page);
  sameAsCli(cells, expected);

  // 70B at TP 1 on an H100 does not fit: greyed, marked in words, its reason on focus and hover.
  const h100tp1 = cells.find((c) => c.gpu === 'h100-sxm' && c.tp === 1);
  assert.equal(h100tp1.fits, 'false');
  assert.ok(h100tp1.out && h100tp1.mark.includes('✕ does not fit'), JSON.stringify(h100tp1));
  const cell = '#gpu-grid td[data-gpu="h100-sxm"][data-tp="1"]', why = page.locator(`${cell} .gg-why`);
  // The row's height, and whether the reason is drawn on top of what it covers (a tooltip).
  const shown = () => page.$eval(cell, (td) => {
    const box = td.querySelector('.gg-why').getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return { row: td.parentElement.getBoundingClientRect().height, onTop: box.width > 0 && td.querySelector('.gg-why').contains(top) };
  });
  const rowHeight = (await shown()).row;
  assert.equal(await why.isVisible(), false);
  await page.focus(`${cell} button`);
  assert.equal(await why.isVisible(), true, 'the reason shows on focus');
  assert.match(await why.innerText(), /^Does not fit: needs [\d.]+ GB more per GPU than the 90% of memory the server may use\.$/);
  assert.deepEqual(await shown(), { row: rowHeight, onTop: true }, 'the reason overlays, the row keeps its height');
  await page.keyboard.press('Escape');
  assert.equal(await why.isVisible(), false, 'Escape hides the reason');
  await page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement).blur());
  assert.equal(await why.isVisible(), false, 'the reason hides again');
  await page.hover(`${cell} button`);
  assert.equal(await why.isVisible(), true, 'the reason shows on hover');
  assert.deepEqual(await shown(), { row: rowHeight, onTop: true }, 'on hover too');
  await page.keyboard.press('Escape'); // the keyboard's focus is not in the cell
  assert.equal(await why.isVisible(), false, 'Escape hides a reason shown by hover');
  // In the last rows (L40S is the ninth of ten) it opens above its cell, inside the grid's box.
  const low = '#gpu-grid td[data-gpu="l40s"][data-tp="1"]';
  assert.equal(await page.locator(`${low}.gg-out`).count(), 1);
  await page.focus(`${low} button`);
  const placed = await page.$eval(low, (td) => {
    const box = td.closest('.grid-scroll').getBoundingClientRect(), tip = td.querySelector('.gg-why').getBoundingClientRect();
    return { above: tip.bottom <= td.getBoundingClientRect().top + 1, inBox: tip.top >= box.top && tip.left >= box.left && tip.right <= box.right + 1 };
  });
  assert.deepEqual(placed, { above: true, inBox: true });

  marksRight(cells);

  // A custom GPU, once saved (and chosen), gets a row after the presets: named as the caption
  // names it, its cells `stepcalc grid`'s for the datasheet the page stored, the marks over all rows.
  await useCustomGpu(page, 'Lab card');
  await page.locator('#grid-card').scrollIntoViewIfNeeded(); // the form is far above: the grid computes near the view only
  const labCard = '#gpu-grid td[data-gpu="custom:lab-card"]';
  await page.waitForSelector(`${labCard}[data-tp="1"] button[aria-pressed="true"]`);
  const datasheet = await page.evaluate(() => JSON.parse(localStorage.getItem('stepcalc.custom.v1')).gpus['lab-card'].datasheet);
  const withCustom = await cellsOf(page);
  sameAsCli(withCustom, [...expected, ...cliGrid({ ...request, gpus: [datasheet], tps: [1, 2, 4, 8] })],
    [...expected.map((want) => want.gpu), ...[1, 2, 4, 8].map(() => 'custom:lab-card')]);
  marksRight(withCustom);
  const nameCell = page.locator('#gpu-grid tr.gg-custom th');
  assert.equal(await nameCell.innerText(), 'Lab card (custom)');
  assert.match(await page.locator('#scenario-caption').innerText(), /on Lab card \(custom\), TP 1/);

  // A click selects: the result, the controls and the URL follow.
  await page.click('#gpu-grid td[data-gpu="a100-sxm-80gb"][data-tp="4"] button');
  // The result is the CLI's for that GPU (id, or its datasheet for a custom one) and TP, and
  // the controls and the URL say them.
  const selected = async (id, gpu, tp) => {
    const want = cli({ ...request, gpu, tp });
    assert.equal(await waitForStep(page, want.step_time_us), want.step_time_us);
    assert.equal(await page.inputValue('#gpu'), id);
    assert.equal(await page.inputValue('#tp'), String(tp));
    await addressBarSettled(page);
    const params = await addressParams(page);
    assert.deepEqual([params.get('gpu'), params.get('tp')], [id, String(tp)]);
  };
  await selected('a100-sxm-80gb', 'a100-sxm-80gb', 4);
  // The grid follows the result a frame later (grid.mjs): wait for its mark.
  await page.waitForSelector('#gpu-grid td[data-gpu="a100-sxm-80gb"][data-tp="4"] button[aria-pressed="true"]');
  assert.match(await page.locator('#gpu-grid td[data-gpu="a100-sxm-80gb"][data-tp="4"] .gg-mark').innerText(), /● shown above/);

  // Enter on a focused cell selects too.
  await page.focus('#gpu-grid td[data-gpu="h100-sxm"][data-tp="8"] button');
  await page.keyboard.press('Enter');
  await selected('h100-sxm', 'h100-sxm', 8);

  // A click on the custom GPU's row selects that custom GPU and TP.
  await page.click(`${labCard}[data-tp="2"] button`);
  await selected('custom:lab-card', datasheet, 2);
  await page.waitForSelector(`${labCard}[data-tp="2"] button[aria-pressed="true"]`);
  // Edited in place, its row follows; deleted, its row goes.
  await page.fill('#cg-hbm', '5');
  await page.click('#cg-use');
  const faster = cli({ ...request, gpu: { ...datasheet, memory: { bandwidth_tb_s: 5 } }, tp: 2 });
  assert.equal(await waitForStep(page, faster.step_time_us), faster.step_time_us);
  await page.locator('#grid-card').scrollIntoViewIfNeeded();
  await page.waitForFunction(([cell, us]) => Math.abs(Number(document.querySelector(cell)?.dataset.stepTimeUs) - us) <= 1e-9 * us,
    [`${labCard}[data-tp="2"]`, faster.step_time_us]);
  await page.click('#cg-delete');
  await page.locator('#grid-card').scrollIntoViewIfNeeded();
  await page.waitForFunction((cell) => !document.querySelector(cell), labCard);
  assert.equal(await nameCell.count(), 0);

  await page.screenshot({ path: join(SHOTS, 'grid-1280.png'), fullPage: false });
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 360 px the grid scrolls sideways inside its own box, not the page; axe finds nothing serious in it', async () => {
  // The page's CSP forbids inline scripts, so the axe injection needs bypassCSP.
  const { page, context } = await open(env, QUERY, { viewport: { width: 360, height: 740 }, bypassCSP: true });
  await gridInView(page);
  const sizes = await page.evaluate(() => {
    const box = /** @type {HTMLElement} */ (document.querySelector('.grid-scroll'));
    return { box: box.clientWidth, table: box.scrollWidth, page: document.documentElement.scrollWidth };
  });
  assert.ok(sizes.table > sizes.box, `the table (${sizes.table} px) is wider than its box (${sizes.box} px)`);
  assert.ok(sizes.page <= 360, `the page is ${sizes.page} px wide`);
  // Scrolled to its right end, the GPU names are still at the box's left edge.
  const names = await page.evaluate(() => {
    const box = /** @type {HTMLElement} */ (document.querySelector('.grid-scroll'));
    box.scrollLeft = box.scrollWidth;
    const th = /** @type {HTMLElement} */ (document.querySelector('#gpu-grid th[scope="row"]'));
    return { scrolled: box.scrollLeft, box: box.getBoundingClientRect().left, name: th.getBoundingClientRect().left };
  });
  assert.ok(names.scrolled > 0 && Math.abs(names.name - names.box) < 2, JSON.stringify(names));
  // A greyed cell's reason past the first TP column stays inside the box, however it is scrolled.
  for (const scrollLeft of [0, 1e6]) {
    await page.evaluate((scrollLeft) => { /** @type {HTMLElement} */ (document.querySelector('.grid-scroll')).scrollLeft = scrollLeft; }, scrollLeft);
    await page.focus('#gpu-grid td.gg-out:not([data-tp="1"]) button'); // the browser scrolls it into view
    const placed = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
      const box = /** @type {HTMLElement} */ (document.querySelector('.grid-scroll'));
      const td = /** @type {HTMLElement} */ (document.querySelector('#gpu-grid td.gg-out:not([data-tp="1"])'));
      const tip = td.querySelector('.gg-why').getBoundingClientRect(), edges = box.getBoundingClientRect();
      done({ cell: `${td.dataset.gpu} TP ${td.dataset.tp}`, left: tip.left - edges.left, right: edges.right - tip.right });
    }))));
    assert.ok(placed.left >= -1 && placed.right >= -1, `the reason of ${placed.cell} is cut by the box: ${JSON.stringify(placed)}`);
  }
  await page.locator('.grid-scroll').screenshot({ path: join(SHOTS, 'grid-360.png') });
  // Light and dark, a greyed cell's reason showing.
  await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
  await page.focus('#gpu-grid td[data-gpu="h100-sxm"][data-tp="1"] button');
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run('#grid-card', { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
    assert.deepEqual(violations, [], colorScheme);
  }
  await context.close();
});

test('the embed hides the grid unless the link says grid=1, and keeps grid=1 in its address', async () => {
  const hiddenEmbed = await open(env, `${QUERY}&embed=1`);
  assert.equal(await hiddenEmbed.page.isVisible('#grid-card'), false);
  await hiddenEmbed.context.close();
  const { page, context } = await open(env, `${QUERY}&embed=1&grid=1`, { viewport: { width: 640, height: 480 } });
  // The grid the link asks for is on the frame's first screen, under the step time, unscrolled.
  await page.waitForSelector('#gpu-grid td[data-step-time-us]:not([data-step-time-us=""])');
  const first = await page.evaluate(() => ({
    scrolled: scrollY, step: document.getElementById('step-time').getBoundingClientRect().bottom,
    heading: document.getElementById('grid-h').getBoundingClientRect().bottom,
    row: /** @type {HTMLElement} */ (document.querySelector('#gpu-grid tbody tr')).getBoundingClientRect().top,
  }));
  assert.ok(first.scrolled === 0 && first.step < first.heading && first.row + 20 <= 480, JSON.stringify(first));
  await gridInView(page);
  assert.equal(await page.locator('#gpu-grid td[data-gpu]').count(), (await cellsOf(page)).length);
  assert.ok((await cellsOf(page)).length >= 8);
  await page.click('#gpu-grid td[data-gpu="h100-sxm"][data-tp="4"] button');
  await addressBarSettled(page);
  const params = await addressParams(page);
  assert.deepEqual([params.get('embed'), params.get('grid'), params.get('tp')], ['1', '1', '4']);
  await context.close();
});

test('an empty batch makes no tokens: no cell is marked best tokens/s per GPU, the fastest still is', async () => {
  const { page, context } = await open(env, '?model=llama-3.1-8b-instruct&gpu=h100-sxm&tp=1&prefill=&decode=');
  await gridInView(page);
  const cells = await cellsOf(page);
  assert.ok(cells.length >= 8);
  assert.deepEqual(cells.filter((c) => c.mark.includes('▲')), []);
  assert.equal(cells.filter((c) => c.mark.includes('★')).length, 1);
  await context.close();
});

test('a custom GPU the core refuses gets a row saying why, in the page\'s words; the others run (no browser)', async () => {
  const calc = await (await import(join(ROOT, 'build', 'wasm', 'stepcalc.mjs'))).default();
  // calc.mjs's outcome, for the module loaded here.
  const checkGpu = (datasheet) => {
    try {
      return { ok: true, value: calc.checkGpu(datasheet) };
    } catch (e) {
      return { ok: false, input: true, where: e.where, what: e.what, message: e.message };
    }
  };
  const good = { compute: { fp16_tensor_core: 400, with_sparsity: false }, memory: { bandwidth_tb_s: 2.5 } };
  const custom = { models: {}, gpus: { mine: { name: 'Mine', datasheet: good }, broken: { name: 'Broken', datasheet: { ...good, memory: { bandwidth_tb_s: -1 } } } } };
  const presets = calc.presets();
  const rows = gridRows(custom, presets, checkGpu);
  assert.deepEqual(rows.slice(0, presets.gpus.length).map((r) => [r.id, r.name, r.custom, r.error]), presets.gpus.map((g) => [g.id, g.name, false, null]));
  const [mine, broken] = rows.slice(presets.gpus.length);
  assert.deepEqual(mine, { id: 'custom:mine', name: 'Mine (custom)', custom: true, gpu: good, error: null });
  assert.deepEqual([broken.id, broken.name], ['custom:broken', 'Broken (custom)']);
  assert.match(broken.error, /^HBM bandwidth: .+/);
});
