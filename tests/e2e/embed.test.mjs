// embed=1 inside an iframe on another origin: compact view, results first, postMessage out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { SHOTS, setup, guardedPage, ready, open, cli, EXAMPLE } from './helpers.mjs';

let env, host, hostUrl;
const QUERY = `${EXAMPLE.query}&embed=1`;

before(async () => {
  env = await setup();
  // A second origin (another port) playing the documentation page that embeds the calculator.
  host = createServer((req, res) => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head><body>
<h1>Docs page</h1>
<iframe id="calc" src="${env.url}${QUERY}" title="stepcalc" width="640" height="480" style="border:0"></iframe>
<script>
window.__messages = [];
addEventListener('message', (e) => { window.__messages.push({ origin: e.origin, data: e.data }); });
</script></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((r) => host.listen(0, '127.0.0.1', r));
  hostUrl = `http://127.0.0.1:${host.address().port}/`;
});
after(async () => {
  host?.closeAllConnections();
  await new Promise((r) => (host ? host.close(r) : r()));
  await env?.close();
});

test('embed=1 in a cross-origin iframe posts its result to the parent', async () => {
  const { page, context, foreign, errors } = await guardedPage(env.browser, { viewport: { width: 800, height: 600 } });
  await page.goto(hostUrl);
  await page.waitForFunction(() => window.__messages.some((m) => m.data?.type === 'stepcalc:result'), null, { timeout: 60000 });
  const expected = cli(EXAMPLE.request);
  const msg = (await page.evaluate(() => window.__messages)).find((m) => m.data?.type === 'stepcalc:result');
  assert.equal(msg.origin, env.url.replace(/\/$/, ''));
  assert.equal(msg.data.step_time_us, expected.step_time_us);
  assert.deepEqual(msg.data.basis, expected.basis);
  assert.deepEqual(msg.data.scenario, expected.scenario);
  assert.deepEqual(msg.data.bottleneck, expected.bottleneck);
  const link = new URL(msg.data.url);
  assert.equal(link.searchParams.get('model'), 'llama-2-70b-hf');
  assert.equal(link.searchParams.has('embed'), false, 'the posted link opens the full page');

  const frame = page.frameLocator('#calc');
  await frame.locator('#step-time').waitFor();
  await page.screenshot({ path: join(SHOTS, 'embed.png') });

  // Editing inside the frame posts again with the new numbers.
  await frame.locator('#tp').fill('8');
  const tp8 = cli(EXAMPLE.at(8));
  await page.waitForFunction((e) => window.__messages.some((m) => m.data?.step_time_us === e), tp8.step_time_us);

  // Compact view: no page chrome, the results come first and fit the 640×480 frame's width.
  assert.equal(await frame.locator('header').isVisible(), false);
  const resultsBox = await frame.locator('#results').boundingBox();
  const scenarioBox = await frame.locator('#scenario').boundingBox();
  assert.ok(resultsBox.y < scenarioBox.y, 'results above the controls');
  assert.ok(await frame.locator('#step-time').isVisible());
  const inner = page.frames().find((f) => f.url().includes('embed=1'));
  const overflow = await inner.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the embed scrolls sideways by ${overflow}px`);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Copy link and Copy embed code produce the scenario link and an iframe snippet', async () => {
  const { page, context } = await open(env, '?model=qwen3-30b-a3b&gpu=b200&tp=2&decode=4096x16&prefill=');
  await page.click('#copy-link');
  await page.waitForFunction(() => document.querySelector('#share-text').value !== '');
  const link = new URL(await page.inputValue('#share-text'));
  assert.equal(link.searchParams.get('model'), 'qwen3-30b-a3b');
  assert.equal(link.searchParams.get('gpu'), 'b200');
  assert.equal(link.searchParams.get('decode'), '4096x16');
  assert.equal(link.searchParams.get('prefill'), '');
  assert.match(await page.locator('#share-status').textContent(), /Link (copied|is selected)/);

  await page.click('#copy-embed');
  await page.waitForFunction(() => document.querySelector('#share-text').value.startsWith('<iframe'));
  const snippet = await page.inputValue('#share-text');
  const src = /src="([^"]+)"/.exec(snippet)[1].replaceAll('&amp;', '&');
  const embedUrl = new URL(src);
  assert.equal(embedUrl.searchParams.get('embed'), '1');
  assert.equal(embedUrl.searchParams.get('model'), 'qwen3-30b-a3b');
  assert.match(snippet, /title="[^"]+"/);

  // The snippet's URL opens the same scenario.
  const expected = cli({ model: 'qwen3-30b-a3b', gpu: 'b200', tp: 2, step: { decode: [{ context_length: 4096, count: 16 }] } });
  await page.goto(src);
  await ready(page);
  assert.equal(Number(await page.locator('#step-time').getAttribute('data-us')), expected.step_time_us);
  assert.ok(await page.locator('#open-full').isVisible());
  await context.close();
});
