// The page runs under a strict Content-Security-Policy: no 'unsafe-eval' (the Embind glue
// is built without new Function) and no 'unsafe-inline' for scripts or styles, and using
// it (every chart, the formula view, the custom editors, the embed) triggers no
// violation. Mutation that made this fail once: an element given a style attribute with
// setAttribute('style', ...) in results.mjs (a style-src-attr violation); for the hostile
// inputs, notices written with insertAdjacentHTML instead of as text.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, before, after } from 'node:test';

import { SITE, setup, guardedPage, ready, rendered } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

const policy = () => /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(readFileSync(join(SITE, 'index.html'), 'utf8'))[1];

test("the policy has no 'unsafe-eval' or 'unsafe-inline', and WebAssembly runs under 'wasm-unsafe-eval'", () => {
  const csp = policy();
  assert.doesNotMatch(csp, /'unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /style-src 'self'(;|$)/);
});

test('using the page reports no CSP violation', async () => {
  for (const query of ['', '?model=llama-3.1-70b-instruct&gpu=l4&tp=1', '?prefill=8192:8192&decode=&embed=1', '?model=qwen3-30b-a3b&tp=3&sweep=decode-context']) {
    const { context, page, errors } = await guardedPage(env.browser);
    await page.addInitScript(() => {
      window.__violations = [];
      window.__toggles = 0;
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
      document.addEventListener('toggle', () => { window.__toggles += 1; }, true);
    });
    await page.goto(env.url + query);
    await ready(page);
    // Open what builds DOM late: every formula, the step formula, the custom editors.
    let opened = 0;
    for (const details of await page.locator('details').all()) {
      if (!(await details.isVisible())) continue;
      await details.locator('summary').first().click();
      opened += 1;
    }
    // Each details builds its content in its toggle event; a violation is reported in a
    // task queued as it happens, so it is in by the frames after the last toggle.
    await page.waitForFunction((n) => window.__toggles >= n, opened);
    await rendered(page);
    const violations = await page.evaluate(() => window.__violations);
    assert.deepStrictEqual(violations, [], `${query}: ${violations.join('; ')}`);
    assert.deepStrictEqual(errors.filter((e) => /Content Security Policy|Refused to/.test(e)), []);
    await context.close();
  }
});

test('hostile link parameters and configs render as inert text with a notice', async () => {
  const { context, page, errors } = await guardedPage(env.browser);
  const dialogs = [];
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
  });
  const hostile = new URLSearchParams({
    model: '<script>alert(1)</script>', gpu: 'javascript:alert(2)', tp: '1e400',
    decode: '<img src=x onerror=alert(3)>x2,1024x8', coef: '&lt;b&gt;', pin: '__proto__=x&constructor=y',
  });
  await page.goto(`${env.url}?${hostile}`);
  await ready(page);
  const notices = await page.locator('#notices').innerText();
  // Each hostile value is named, as text, in its notice.
  for (const shown of ['"model" (“<script>alert(1)</script>”)', '"gpu" (“javascript:alert(2)”)', '"tp" (“1e400”)',
    '"coef" (“&lt;b&gt;”)', '(“<img src=x onerror=alert(3)>x2”) is not valid and was left out', 'pin (“__proto__=x&constructor=y”) was left out']) {
    assert.ok(notices.includes(shown), `${shown} in ${notices}`);
  }
  assert.equal(await page.locator('script').count(), 1, 'only the page\'s own module script');
  assert.equal(await page.locator('#notices img, #notices script').count(), 0);
  assert.ok(Number(await page.locator('#step-time').getAttribute('data-us')) > 0, 'the page still computes');
  // A pasted config that tries prototype pollution is data, not a way into Object.prototype.
  await page.locator('#custom-model summary').click();
  await page.fill('#config-text', '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "num_hidden_layers": 2, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 16}');
  await page.click('#config-use');
  await page.waitForFunction(() => document.querySelector('#model').value.startsWith('custom:'));
  await rendered(page);
  assert.equal(await page.evaluate(() => ({}).polluted), undefined);
  assert.deepStrictEqual(dialogs, []);
  assert.deepStrictEqual(await page.evaluate(() => window.__violations), []);
  assert.deepStrictEqual(errors.filter((e) => /Refused to|Content Security Policy/.test(e)), []);
  await context.close();
});
