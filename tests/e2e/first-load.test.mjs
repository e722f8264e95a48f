// The default page's first load stays within its byte budget: every response body
// (uncompressed) until the page shows its result and the network is idle, in Chromium with
// a cold cache (web/bench/first-load.mjs measures it; docs/size.md reports it). Bytes do
// not depend on the machine's speed. And the code that only the Trace view's worker runs
// (its module, its wasm, the view's charts) is not among them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureFirstLoad, FIRST_LOAD_BUDGET } from '../../web/bench/first-load.mjs';

const { files, total } = await measureFirstLoad();
const list = files.map((file) => `${file.path} ${file.bytes}`).join(', ');

test(`the default page's first load is at most ${FIRST_LOAD_BUDGET} bytes`, () => {
  assert.ok(total <= FIRST_LOAD_BUDGET, `${total} bytes: ${list}`);
});

test('the first load fetches none of the worker-only code, nor the Trace or Serving view', () => {
  const paths = files.map((file) => file.path);
  for (const workerOnly of [/stepcalc_worker/, /\/worker\.js/, /trace-view/, /serving-view/]) {
    assert.ok(!paths.some((path) => workerOnly.test(path)), `${workerOnly} fetched: ${list}`);
  }
  assert.ok(paths.includes('/wasm/stepcalc.wasm'), `the calculator's module was not fetched: ${list}`);
});
