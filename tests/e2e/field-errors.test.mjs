// Field errors in the page's words: its labels and number format, never request paths; the
// value echoed as typed; several fields in error at once, each beside its field; the stale
// line naming the field to fix and taking the focus there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pageWords } from '../../web/src/messages.mjs';
import { setup, open, ready, textOf } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('field errors in the page\'s words: its labels and number format, no request paths', async () => {
  const { page, context, errors } = await open(env, '?prefill=512:2048&decode=1024x32');
  const visible = (id) => page.waitForSelector(`#${id}:not([hidden])`);
  await page.fill('#prefill-rows .row:first-child input[data-field="t"]', '4096');
  await page.waitForFunction(() => /exceeds/.test(document.querySelector('#prefill-rows .row:first-child .error').textContent));
  assert.equal(await page.locator('#prefill-rows .row:first-child .error').innerText(), 'Prefill chunk 1, Tokens this step: 4,096 exceeds prompt tokens 2,048');
  await page.fill('#tp', '1.5');
  await visible('tp-error');
  assert.equal(await textOf(page, '#tp-error'), 'Tensor parallel (TP): “1.5” is not a whole number; type digits only, without a decimal point');
  await page.fill('#util', '5');
  await visible('util-error');
  assert.equal(await textOf(page, '#util-error'), 'GPU memory utilization: must be a number from 0.001 to 1, got 5');

  await page.click('#custom-gpu summary');
  await page.fill('#cg-tflops', '0');
  await page.click('#cg-use');
  await visible('cg-error');
  assert.match(await textOf(page, '#cg-error'), /must be a number from 0\.001 to 1e9, got 0/);
  assert.doesNotMatch(await textOf(page, '#cg-error'), /e\+|\(gpu\./);

  await page.click('#custom-model summary');
  await page.fill('#config-text', '  ');
  await page.click('#config-use');
  await visible('config-error');
  assert.equal(await textOf(page, '#config-error'), 'The config.json box is empty: paste a config.json or choose the file. The model in use is unchanged.');
  await page.fill('#config-text', JSON.stringify({ num_hidden_layers: 4, hidden_size: -1, num_attention_heads: 8, num_key_value_heads: 2, intermediate_size: 1536 }));
  await page.click('#config-use');
  await page.waitForFunction(() => /hidden_size/.test(document.querySelector('#config-error').textContent));
  assert.equal(await textOf(page, '#config-error'), 'config.json\'s hidden_size: must be an integer from 1 to 1e7, got -1. The model in use is unchanged.');

  // A picture chosen as a trace.
  await page.setInputFiles('#trace-file', { name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) });
  await visible('trace-error');
  assert.equal(await textOf(page, '#trace-error'),
    'The trace could not be read: “pic.png” is not a JSON file (its first byte is 0x89); a trace is an experiment document or JSON Lines');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a field\'s error echoes the value exactly, never rounded to read like the bound', async () => {
  assert.equal(pageWords('must be an integer from 1 to 100000000, got 100000001'), 'must be an integer from 1 to 1e8, got 100,000,001');
  assert.equal(pageWords('got 99999999999999999999'), 'got 99,999,999,999,999,999,999'); // past 2^53: the digits typed
  assert.equal(pageWords('hidden_size: must be an integer from 1 to 10000000, got 10000001'), 'hidden_size: must be an integer from 1 to 1e7, got 10,000,001');
  const { page, context, errors } = await open(env, '?coef=custom&beta=1,1,1,1,0,0,0&decode=1024x32');
  await page.fill('[data-where="step.decode[0].context_length"]', '100000001');
  await page.fill('[data-where="step.decode[0].count"]', '99999999999');
  await page.fill('[data-where="coefficients.beta[2]"]', '99999999999');
  await page.waitForFunction(() => /β₃/.test(document.querySelector('#coef-error').textContent));
  const row = await page.locator('#decode-rows .row:first-child .error').innerText();
  assert.match(row, /Decode group 1, Context length: must be an integer from 1 to 1e8, got 100,000,001/);
  assert.match(row, /Decode group 1, Count: must be an integer from 1 to 1,000,000, got 99,999,999,999/);
  assert.match(await textOf(page, '#coef-error'), /β₃ [^:]*: must be a number from 0 to 1e9, got 99,999,999,999/);
  assert.deepEqual(errors, []);
  await context.close();
});

// Mutation tried: buildRequest() reading TP and β without their ranges (only the core's
// first error then showed, and Copy link named one field).
test('several invalid fields each show their own error at once, and the refusals name them all', async () => {
  const { page, context } = await open(env);
  const decodeErr = page.locator('#decode-rows .row:first-child .error');
  await page.fill('#tp', '1.5');
  await page.fill('[data-where="step.decode[0].context_length"]', '');
  await page.waitForFunction(() => document.querySelector('#tp').getAttribute('aria-invalid') === 'true' &&
    document.querySelector('[data-where="step.decode[0].context_length"]').getAttribute('aria-invalid') === 'true');
  assert.match(await page.locator('#tp-error').innerText(), /^Tensor parallel \(TP\): “1\.5” is not a whole number; type digits only/);
  assert.match(await decodeErr.innerText(), /^Decode group 1, Context length: is empty/);
  await page.click('#copy-link');
  const link = await page.locator('#share-status').innerText();
  assert.match(link, /2 fields are not valid/);
  assert.match(link, /Tensor parallel \(TP\): “1\.5”/);
  assert.match(link, /Decode group 1, Context length: is empty/);

  await page.fill('[data-where="step.decode[0].context_length"]', '1024');
  await page.fill('#tp', '0');
  await page.fill('[data-where="step.prefill[0].tokens_this_step"]', '5000');
  await page.waitForFunction(() => document.querySelector('[data-where="step.prefill[0].tokens_this_step"]').getAttribute('aria-invalid') === 'true' &&
    document.querySelector('#tp').getAttribute('aria-invalid') === 'true');
  assert.match(await page.locator('#tp-error').innerText(), /Tensor parallel \(TP\): must be an integer from 1 to 4,096, got 0$/);
  assert.match(await page.locator('#prefill-rows .row:first-child .error').innerText(), /Prefill chunk 1, Tokens this step: 5,000 exceeds prompt tokens 2,048/);
  await page.click('#pin');
  assert.match(await page.locator('#compare-status').innerText(), /^Nothing was pinned: 2 fields are not valid\. Fix .*Tensor parallel.*Prefill chunk 1, Tokens this step/);

  await page.fill('#tp', '1');
  await page.fill('[data-where="step.prefill[0].tokens_this_step"]', '512');
  await page.selectOption('#coef', 'custom');
  await page.fill('[data-where="coefficients.beta[0]"]', '-1');
  await page.fill('[data-where="coefficients.beta[1]"]', 'abc');
  await page.waitForFunction(() => /abc/.test(document.querySelector('#coef-error').textContent));
  const coef = await page.locator('#coef-error').innerText();
  assert.match(coef, /β₁ prefill max: must be a number from 0 to 1e9, got -1/);
  assert.match(coef, /β₂ decode max: “abc” is not a plain number/);
  await page.click('#copy-embed');
  assert.match(await page.locator('#share-status').innerText(), /2 fields are not valid\. Fix β₁ prefill max.*; β₂ decode max/);
  await context.close();
});

// The stale line names each field to fix, as a button that focuses it: no "above", which is
// wrong in the embed (controls below) and at 1280 px (controls beside).
for (const [name, query, viewport] of [['full page at 1280 px', '', { width: 1280, height: 900 }], ['embed at 640×480', '&embed=1', { width: 640, height: 480 }]]) {
  test(`stale result (${name}): the line names the field and takes the focus there`, async () => {
    const { page, context } = await open(env, `?decode=1024x32${query}`, { viewport });
    const count = page.getByLabel('Decode group 1, Count');
    await count.fill('0');
    await page.waitForFunction(() => !document.querySelector('#stale').hidden);
    const stale = await textOf(page, '#stale');
    assert.equal(stale, 'Showing the last good result; to update it, fix Decode group 1, Count (marked in red).');
    await page.locator('#stale button', { hasText: 'Decode group 1, Count' }).click();
    assert.ok(await count.evaluate((el) => el === document.activeElement), 'the named field has the focus');
    assert.ok(await count.evaluate((el) => { const b = el.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }), 'and is in view');
    await context.close();
  });
}

// Issue 19: what was typed survives a reload in the tab while it is invalid, with its error;
// the link keeps the last valid scenario; another link opened in the tab is not overwritten.
test('an invalid field\'s text survives a reload, with its error; the link keeps the last valid value', async () => {
  const { page, context, errors } = await open(env, '?tp=2&decode=1024x32&prefill=');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('tp') === '2' && document.documentElement.dataset.addressBar === 'current');
  const linkStep = await page.locator('#step-time').getAttribute('data-us');
  await page.fill('#tp', 'abc');
  await page.fill('[data-where="step.decode[0].count"]', '64');
  await page.waitForSelector('#tp-error:not([hidden])');
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelector('#tp').value !== '2'); // put back once its check is loaded
  assert.equal(await page.inputValue('#tp'), 'abc');
  assert.equal(await page.inputValue('[data-where="step.decode[0].count"]'), '64');
  assert.equal(await textOf(page, '#tp-error'), 'Tensor parallel (TP): “abc” is not a plain number; type digits only, without commas, spaces or letters');
  assert.equal(new URL(page.url()).searchParams.get('tp'), '2', 'the link holds the last valid TP');
  // The link's scenario is the last good result on screen.
  assert.equal(await page.locator('#step-time').getAttribute('data-us'), linkStep);
  assert.match(await textOf(page, '#stale'), /^Showing the last good result; to update it, fix Tensor parallel \(TP\)/);
  // Another link opened in the tab shows its own scenario.
  await page.goto(`${env.url}?tp=8`);
  await ready(page);
  assert.equal(await page.inputValue('#tp'), '8');
  // Once valid, a reload shows the link's scenario, which now holds the value.
  await page.goBack();
  await ready(page);
  await page.waitForFunction(() => document.querySelector('#tp').value !== '2');
  assert.equal(await page.inputValue('#tp'), 'abc', 'back at the address it was typed at');
  await page.fill('#tp', '4');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('tp') === '4' && document.documentElement.dataset.addressBar === 'current');
  await page.reload();
  await ready(page);
  assert.equal(await page.inputValue('#tp'), '4');
  assert.equal(await page.locator('#tp-error').isHidden(), true);
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('stepcalc.draft:')).length), 0, 'nothing kept once valid');
  assert.deepEqual(errors, []);
  await context.close();
});
