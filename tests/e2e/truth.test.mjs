// What the page says about the numbers: the whole-step verdict, badges that say what they
// compare, figures above the hardware peak explained, phases that cannot be placed on the
// roofline, the roofline's β = 1 and fitted points, unrounded integers, extreme values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, setup, open, textOf, cli, waitForStep, EXAMPLE } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });


test('llama-2-70b decode at TP 4: the step is memory-bound (weights), not called compute-bound', async () => {
  const { page, context, errors } = await open(env, '?model=llama-2-70b-hf&tp=4&prefill=&decode=1000x32');
  const r = cli({ model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4, step: { decode: [{ context_length: 1000, count: 32 }] } });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  const verdict = await textOf(page, '#verdict');
  const weightShare = r.contributions_us[2] / r.step_time_us;
  assert.ok(weightShare > 0.6, 'the weight read is the largest part in this case');
  const share = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }).format(weightShare * 100);
  assert.match(verdict, new RegExp(`^Weight read \\(β₃·t_weight\\) is the largest part of the step: ${share}%\\.`));
  assert.match(verdict, /The whole step is memory-bound: 30\.\d+ FLOP per byte of all its HBM traffic \(weights and KV\) is below the ridge point of 295\.4 FLOP\/B\./);
  assert.equal(await page.locator('#verdict').getAttribute('data-bound'), 'memory');
  // The decode badge says what it compares; nothing on the results calls anything compute-bound.
  assert.equal(await textOf(page, '#badge-decode'), 'compute exceeds its KV read');
  assert.equal(await textOf(page, '#badge-prefill'), 'no work');
  assert.doesNotMatch(await textOf(page, '#results'), /compute-bound/);
  assert.match(await textOf(page, '#teach'), /Decode: its compute \([\d.]+ ms at peak\) exceeds its KV read \([\d.]+ µs at full bandwidth\); 425\.4 FLOP per byte of KV read is at or above the ridge point/);
  // The chart: decode on the roof (its KV only), the whole step below the slope (weights and KV).
  const pts = JSON.parse(await page.locator('#roofline').getAttribute('data-points'));
  assert.equal(pts.prefill, null);
  assert.ok(pts.decode[0] > 295.4 && Math.abs(pts.decode[1] - 989.5) < 1e-9);
  assert.ok(pts.step[0] < 295.4 && pts.step[1] <= pts.step[0] * 3.35 * (1 + 1e-12));
  assert.match(await textOf(page, '#roofline-desc'), /decode at 425\.4 FLOP per byte of KV read; the whole step at 30\.\d+ FLOP per byte of all HBM traffic \(weights and KV\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"One long prefill": every figure above 100 % or above the peak says why, and the chart plots β = 1 apart', async () => {
  const { page, context } = await open(env, '');
  await page.click('button[data-scenario="long-prefill"]');
  const r = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1, step: { prefill: [{ tokens_this_step: 8192, prompt_tokens: 8192 }] } });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  // Each derived figure with a percentage above 100 or TFLOPS above the 989.5 peak carries its reason.
  const figures = await page.$$eval('#derived dd', (dds) => dds.map((d) => d.innerText));
  let over = 0;
  for (const f of figures) {
    const percent = [...f.matchAll(/([\d,.]+)%/g)].map((m) => Number(m[1].replaceAll(',', '')));
    const tflops = [...f.matchAll(/([\d,.]+) TFLOPS/g)].map((m) => Number(m[1].replaceAll(',', '')));
    if (percent[0] > 100 || tflops[0] > 989.5) {
      over++;
      assert.match(f, / — above the hardware peak: the fitted β₁ = 0\.7726 \(below 1\) predicts a faster step than the roofline \([\d.]+ ms against [\d.]+ ms at β = 1, where this figure is [\d.]+(%| TFLOPS)\)\./, f);
    }
  }
  assert.equal(over, 2, 'MFU and achieved TFLOPS pass the peak here');
  // Achieved TFLOPS and MFU at the roofline bound are within the hardware.
  const mfu = figures.find((f) => /above the hardware peak/.test(f) && /%/.test(f));
  assert.ok(Number(/where this figure is ([\d.]+)%/.exec(mfu)[1]) <= 100);
  // The roofline: the β = 1 step point at or under the roof, the predicted ring above it and said so.
  const pts = JSON.parse(await page.locator('#roofline').getAttribute('data-points'));
  assert.ok(pts.step[1] <= 989.5 * (1 + 1e-12), `β = 1 point ${pts.step[1]} TFLOPS`);
  assert.ok(pts.predicted[1] > 989.5, `predicted point ${pts.predicted[1]} TFLOPS`);
  assert.match(await textOf(page, '#roofline-desc'), /Prediction \(ring\): 1,2\d\d TFLOPS, above the roof: the fitted β₁ = 0\.7726 \(below 1\) predicts a step faster than the roofline allows\./);
  await context.close();
});

test('kv_heads < TP: each phase without KV bytes gets a sentence saying why it is not placed', async () => {
  const { page, context, errors } = await open(env, '?model=llama-3.1-70b-instruct&tp=16&prefill=512:2048&decode=1024x32');
  const request = { model: 'llama-3.1-70b-instruct', gpu: 'h100-sxm', tp: 16,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } };
  const r = cli(request);
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  assert.equal(r.work.prefill.kv_bytes, 0);
  const teach = await textOf(page, '#teach');
  for (const phase of ['Prefill', 'Decode']) {
    assert.match(teach, new RegExp(`${phase}: its compute takes [\\d.]+ (µs|ms) and its KV (write|read) 0 µs; it cannot be placed on the roofline because ` +
      'its KV term counts 0 KV heads per GPU \\(⌊kv_heads/TP⌋ = ⌊8/16⌋\\), so it has no KV bytes to divide by\\.'));
  }
  for (const sel of ['#teach', '#verdict', '#roofline-desc']) assert.doesNotMatch(await textOf(page, sel), /–|NaN|undefined/, sel);
  assert.match(await textOf(page, '#roofline-desc'), /The prefill point is not plotted: it has no KV bytes/);
  const pts = JSON.parse(await page.locator('#roofline').getAttribute('data-points'));
  assert.equal(pts.prefill, null);
  assert.equal(pts.decode, null);
  assert.ok(pts.step[0] > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a zero term stays in the contributions legend with its reason; t_tp substitutes T', async () => {
  const { page, context } = await open(env, EXAMPLE.query);
  const r = cli(EXAMPLE.request);
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  const items = await page.$$eval('#stack-legend li', (lis) => lis.map((li) => ({ text: li.innerText, hidden: li.hidden || li.offsetParent === null })));
  assert.equal(items.length, 7);
  assert.ok(items.every((i) => !i.hidden), 'every term is listed');
  assert.equal(r.contributions_us[3], 0);
  assert.equal(items[3].text, 'TP all-reduce (β₄·t_tp): 0 µs, because β₄ = 0 in these coefficients');
  assert.equal(items[6].text, 'Constant overhead (β₇): 0 µs, because β₇ = 0 in these coefficients');
  await page.getByLabel('Show the formula for TP all-reduce').click();
  // The text is filled in on the toggle event, after the click returns.
  await page.waitForFunction(() => document.querySelector('tr:has([data-basis="t_tp"]) pre').textContent.includes('µs'));
  const tp = await page.locator('tr:has([data-basis="t_tp"]) pre').innerText();
  assert.match(tp, /T = T_pf \+ T_dc = 512 \+ 32 = 544/);
  assert.match(tp, /^= 80·2·2·\(544·8192·2\) \/ \(900·1e3\)$/m);
  for (const line of tp.split('\n').filter((l) => l.startsWith('= '))) assert.doesNotMatch(line, /T/, 'T is substituted');
  await context.close();
});

test('extreme values use scientific notation and integers are not rounded', async () => {
  // 1,000 prefill chunks of 100,000,000 tokens: a step of about 10¹³ s.
  const { page, context } = await open(env, '?model=llama-3.1-8b-instruct&prefill=100000000:100000000x1000&decode=');
  const r = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 1,
    step: { prefill: [{ tokens_this_step: 100000000, prompt_tokens: 100000000, count: 1000 }] } });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  assert.match(await textOf(page, '#step-time'), /^\d\.\d+e\d+ s$/);
  const all = await textOf(page, '#results') + await textOf(page, '#charts');
  assert.doesNotMatch(all, /\d[\d,]{10,}/, 'no run of more than ten digits');
  assert.doesNotMatch(all, /0\.0000/, 'no long run of leading zeros');
  await context.close();

  // The decode-count sweep runs to 16,384 and says so exactly.
  const b = await open(env, '?decode=1024x4096&prefill=');
  await b.page.waitForFunction(() => /16,384/.test(document.querySelector('#sweep-desc').textContent));
  assert.match(await textOf(b.page, '#sweep-desc'), /over the whole range, 1 to 16,384 decode requests per group \(now 4,096, dotted line\)\./);
  await b.page.screenshot({ path: join(SHOTS, 'truth-big-decode.png'), fullPage: true });
  await b.context.close();
});

test('the formula view for a MoE model at TP 3: each shown substitution evaluates to the CLI term', async () => {
  const query = '?model=qwen3-30b-a3b&tp=3&prefill=512:2048x2,101:101&decode=1024x32,300x5';
  const { page, context } = await open(env, query);
  const r = cli({ model: 'qwen3-30b-a3b', gpu: 'h100-sxm', tp: 3, step: {
    prefill: [{ tokens_this_step: 512, prompt_tokens: 2048, count: 2 }, { tokens_this_step: 101, prompt_tokens: 101 }],
    decode: [{ context_length: 1024, count: 32 }, { context_length: 300, count: 5 }] } });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  assert.ok(r.arch.is_moe && r.arch.H % 3 !== 0, 'a MoE model whose heads do not divide by TP 3');
  for (const [term, label] of [['t_pf_compute', 'Prefill compute'], ['t_pf_kv', 'Prefill KV write'], ['t_dc_compute', 'Decode compute'],
    ['t_dc_kv', 'Decode KV read'], ['t_weight', 'Weight read'], ['t_tp', 'TP all-reduce']]) {
    await page.getByLabel(`Show the formula for ${label}`).click();
    const pre = page.locator(`tr:has([data-basis="${term}"]) pre`);
    await pre.filter({ hasText: 'µs' }).waitFor();
    const shown = await pre.innerText();
    // The first "= " line is the formula with the core's operands put in: plain arithmetic.
    const line = shown.split('\n').find((l) => l.startsWith('= ')).slice(2).replaceAll('·', '*');
    assert.match(line, /^[\d.e+*/() ]+$/, `${term}: ${shown}`);
    const value = Function(`"use strict"; return (${line});`)();
    assert.ok(Math.abs(value - r.basis[term]) <= 1e-9 * r.basis[term], `${term}: shows ${value}, the CLI ${r.basis[term]}\n${shown}`);
  }
  await context.close();
});

test('Llama 3.1 70B on an L4: a prediction shorter than the roofline bound is said next to the step time', async () => {
  const { page, context, errors } = await open(env, '?model=llama-3.1-70b-instruct&gpu=l4&tp=1');
  const r = cli({ model: 'llama-3.1-70b-instruct', gpu: 'l4', tp: 1,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } });
  assert.equal(await waitForStep(page, r.step_time_us), r.step_time_us);
  const roofline = r.features.slice(0, 4).reduce((a, b) => a + b, 0);
  assert.ok(r.step_time_us < roofline, 'the fitted step is shorter than the bound here');
  const note = page.locator('#below-roofline');
  assert.ok(await note.isVisible());
  const sig4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
  assert.equal(await note.innerText(), `Shorter than the roofline bound (${sig4.format(roofline / 1e6)} s at β = 1): ` +
    'the fitted β₁ = 0.7726 (below 1) predicts a faster step than the roofline.');
  // Next to the figure: inside the step time's box, below it.
  const [n, st] = await Promise.all([note.boundingBox(), page.locator('#step-time').boundingBox()]);
  assert.ok(n.y > st.y && n.y - (st.y + st.height) < 30, 'the note sits under the step time');
  assert.match(await textOf(page, '#roofline-desc'), /Prediction \(ring\): [\d.,]+ TFLOPS, under the roof, above the β = 1 point: the fitted β₁ = 0\.7726 \(below 1\) predicts a step shorter than the roofline bound \([\d.]+ ms against [\d.]+ s\)\./);
  // With the roofline prior nothing is said about fitting, and nothing is shorter than the bound.
  await page.selectOption('#coef', 'roofline-prior');
  await page.waitForFunction(() => document.querySelector('#below-roofline').hidden);
  assert.doesNotMatch(await textOf(page, '#results') + await textOf(page, '#roofline-desc'), /fit(ted)? (β|prediction)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('custom β are called "your β", not "the fitted β"', async () => {
  const { page, context } = await open(env, '?beta=0.5,0.5,1,1,0,0,0&prefill=8192:8192&decode=');
  await page.waitForFunction(() => !document.querySelector('#below-roofline').hidden);
  const all = await textOf(page, '#results') + await textOf(page, '#roofline-desc');
  assert.match(all, /your β₁ = 0\.5 \(below 1\) predicts/);
  assert.doesNotMatch(all, /fitted β/);
  await context.close();
});

test('data-need-bytes is whole bytes at TP 3', async () => {
  const { page, context } = await open(env, '?model=llama-3.1-8b-instruct&tp=3');
  await page.waitForFunction(() => document.querySelector('#memory-fit').dataset.needBytes !== '');
  const r = cli({ model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', tp: 3,
    step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }], decode: [{ context_length: 1024, count: 32 }] } });
  const need = r.memory.weight_bytes + r.memory.kv_cache_bytes;
  assert.ok(!Number.isInteger(need), `the core's figure is fractional here: ${need}`);
  assert.equal(await page.locator('#memory-fit').getAttribute('data-need-bytes'), String(Math.round(need)));
  await context.close();
});

test('a disabled button looks disabled', async () => {
  const { page, context } = await open(env, '');
  const look = (sel) => page.locator(sel).evaluate((b) => {
    const s = getComputedStyle(b);
    return { disabled: b.disabled, color: s.color, border: s.borderColor, opacity: Number(s.opacity), cursor: s.cursor };
  });
  const undo = await look('#undo'), pin = await look('#pin');
  assert.equal(undo.disabled, true);
  assert.equal(pin.disabled, false);
  assert.equal(pin.cursor, 'pointer');
  assert.notEqual(undo.cursor, 'pointer');
  assert.ok(undo.opacity < 1);
  assert.notEqual(undo.color, pin.color);
  assert.notEqual(undo.border, pin.border);
  await context.close();
});
