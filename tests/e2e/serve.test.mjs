// The static server: MIME types, index.html for /, nothing outside build/site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer } from '../../web/serve.mjs';
import { SITE } from './helpers.mjs';

let srv;
before(async () => { srv = await startServer({ root: SITE, port: 0 }); });
after(async () => { await srv?.close(); });

// Raw paths (no URL normalisation by a client library).
function get(path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the site with correct MIME types', async () => {
  const index = await get('/?model=x');
  assert.equal(index.status, 200);
  assert.match(index.type, /^text\/html/);
  assert.match(index.body, /<title>stepcalc/);
  assert.match((await get('/app.js')).type, /^text\/javascript/);
  assert.match((await get('/wasm/stepcalc.mjs')).type, /^text\/javascript/);
  assert.equal((await get('/wasm/stepcalc.wasm')).type, 'application/wasm');
  assert.match((await get('/app.css')).type, /^text\/css/);
  assert.equal((await get('/nope.txt')).status, 404);
});

test('refuses paths outside build/site', async () => {
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/wasm/..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/%00']) {
    const res = await get(path);
    assert.ok(res.status === 403 || res.status === 404, `${path} -> ${res.status}`);
    assert.doesNotMatch(res.body, /"name": "stepcalc"/, path);
  }
});
