// The page runs under a strict Content-Security-Policy: no 'unsafe-eval' (the Embind glue
// is built without new Function) and no 'unsafe-inline' for scripts or styles, and using
// it (every chart, the formula view, the custom editors, the embed) triggers no
// violation. Mutation that made this fail once: an element given a style attribute with
// setAttribute('style', ...) in results.mjs (a style-src-attr violation).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, before, after } from 'node:test';

import { setup, guardedPage, ready, SITE } from './helpers.mjs';

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
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
    await page.goto(env.url + query);
    await ready(page);
    // Open what builds DOM late: every formula, the step formula, the custom editors.
    for (const details of await page.locator('details').all()) {
      if (await details.isVisible()) await details.locator('summary').first().click();
    }
    await page.waitForTimeout(300);
    const violations = await page.evaluate(() => window.__violations);
    assert.deepStrictEqual(violations, [], `${query}: ${violations.join('; ')}`);
    assert.deepStrictEqual(errors.filter((e) => /Content Security Policy|Refused to/.test(e)), []);
    await context.close();
  }
});
