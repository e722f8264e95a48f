// The module loads in Node with no network and reads only its own files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { modulePath, root } from './support.mjs';

test('loads under the permission model with fs reads limited to build/wasm and no fetch', () => {
  const script = `
    globalThis.fetch = () => { throw new Error('fetch called'); };
    const { default: create } = await import(${JSON.stringify(modulePath)});
    const calc = await create();
    const r = calc.compute({ model: 'llama-2-7b-hf', gpu: 'h100-sxm', step: { decode: [{ context_length: 10 }] } });
    process.stdout.write(String(r.basis.batch_size));
  `;
  const result = spawnSync(process.execPath, [
    '--experimental-permission', `--allow-fs-read=${root}build/wasm/`,
    '--input-type=module', '-e', script,
  ], { encoding: 'utf8', cwd: '/' });
  assert.equal(result.stderr.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, ''), '');
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '1');
});

test('the module does not load when its own directory is not readable (the check above is real)', () => {
  const result = spawnSync(process.execPath, [
    '--experimental-permission', '--allow-fs-read=/nonexistent/',
    '--input-type=module', '-e', `await import(${JSON.stringify(modulePath)});`,
  ], { encoding: 'utf8', cwd: '/' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /ERR_ACCESS_DENIED/);
});

test('an engine without 128-bit SIMD gets an UnsupportedEngineError before anything is loaded', () => {
  // Node 20 always has SIMD; an engine without it validates no SIMD module, as stubbed here.
  const script = `
    WebAssembly.validate = () => false;
    const { default: create } = await import(${JSON.stringify(modulePath)});
    try {
      await create();
      process.stdout.write('loaded');
    } catch (error) {
      process.stdout.write(error.name + ': ' + error.message);
    }
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'UnsupportedEngineError: this WebAssembly engine has no 128-bit SIMD, which the module needs ' +
    '(Chrome and Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)');
});
