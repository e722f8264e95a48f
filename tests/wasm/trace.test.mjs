// calc.trace and calc.fit: the same numbers as `stepcalc trace` and `stepcalc fit` on the
// same file, whatever pieces the file arrives in; bad steps; memory returned.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { cliPath, loadCalc, root } from './support.mjs';

const calc = await loadCalc();
const { StepCalcError } = await import('../../build/wasm/stepcalc.mjs');
const dir = mkdtempSync(join(tmpdir(), 'stepcalc-wasm-trace-'));
const file = join(dir, 'trace.json');
spawnSync('node', [`${root}core/bench/make_trace.mjs`, '300', file]);
const text = readFileSync(file, 'utf8');
const bytes = readFileSync(file);
const options = { model: 'mixtral-8x7b-v0.1', gpu: 'h200-sxm' };

const cliRecords = spawnSync(cliPath, ['trace', '--model', options.model, '--gpu', options.gpu, file], { encoding: 'utf8', maxBuffer: 1 << 28 })
  .stdout.trim().split('\n').map((line) => JSON.parse(line));

function assertColumnsEqualCli(columns) {
  assert.equal(columns.step_time_us.length, cliRecords.length);
  cliRecords.forEach((record, i) => {
    assert.equal(columns.step_id[i], record.step_id);
    for (const term of ['t_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv', 't_weight', 't_tp', 'num_layers', 'batch_size']) {
      assert.equal(columns[term][i], record.basis[term], `${term} of step ${i}`);
    }
    record.features.forEach((x, k) => assert.equal(columns[`x${k + 1}`][i], x));
    assert.equal(columns.step_time_us[i], record.step_time_us);
    assert.equal(columns.duration_us[i], record.duration_us);
    assert.equal(columns.error_pct[i], record.error_pct);
  });
}

test('calc.trace equals `stepcalc trace` record for record, from text, bytes and odd pieces', async () => {
  const pieces = (size) => (function* () { for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size); })();
  // Pieces of 1, 2, …, 61 bytes in turn: cuts fall at every offset of every token, one
  // byte apart in places, in 34,000 pieces (one byte a piece, 1 MB was a million pieces
  // and 35 s of CPU time).
  const ragged = (function* () { for (let at = 0, size = 1; at < bytes.length; at += size, size = size % 61 + 1) yield bytes.subarray(at, at + size); })();
  const textPieces = async function* () { for (let at = 0; at < text.length; at += 997) yield text.slice(at, at + 997); };
  for (const source of [text, bytes, ragged, pieces(4096), textPieces(), new Blob([bytes])]) {
    const progress = [];
    const result = await calc.trace(source, options, { onProgress: (p) => progress.push(p) });
    assertColumnsEqualCli(result.columns);
    assert.equal(result.summary.steps, 300);
    assert.ok(progress.length >= 1 && progress.at(-1).bytes === bytes.length);
    result.release();
  }
});

test('the summary names the TP, the format read and the whole-request steps', async () => {
  const fromFile = await calc.trace(text, options); // make_trace.mjs writes tensor_parallelism 4
  assert.equal(fromFile.summary.tp, 4);
  assert.deepStrictEqual(fromFile.summary.tps, [4]);
  assert.equal(fromFile.summary.format, 'document');
  assert.equal(fromFile.summary.request_steps, 0);
  fromFile.release();
  const lines = [
    '{"step_id": 1, "decode_reqs": [{"context_length": 5}]}',
    '{"step_id": 2, "model": "llama-2-7b-hf", "gpu": "l4", "tp": 8, "step": {"decode": [{"context_length": 5}]}}',
    '{"step_id": 3, "model": "llama-2-7b-hf", "gpu": "l4", "step": {"decode": [{"context_length": 5}]}}',
  ].join('\n');
  const mixed = await calc.trace(lines, { model: 'llama-2-7b-hf', gpu: 'l4', tp: 2 });
  assert.equal(mixed.summary.tp, null);
  assert.deepStrictEqual(mixed.summary.tps, [1, 2, 8]);
  assert.equal(mixed.summary.format, 'json_lines');
  assert.equal(mixed.summary.request_steps, 2);
  mixed.release();
  const none = await calc.trace('{"step_id": 1, "decode_reqs": [7]}', { ...options, skipBad: true });
  assert.equal(none.summary.steps, 0);
  assert.equal(none.summary.tp, null);
  assert.deepStrictEqual(none.summary.tps, []);
  none.release();
});

test('ids that are not plain integers come as the CLI writes them in its CSV', async () => {
  const ids = ['"a7"', '"x,y"', '"say \\"hi\\""', '"\\u00e9t\\u00e9"', '1.5e3', '12345678901234567890', '-4', '', '7'];
  const lines = ids.map((id) => `{${id ? `"step_id": ${id}, ` : ''}"decode_reqs": [{"context_length": 5}]}`).join('\n');
  const cli = spawnSync(cliPath, ['trace', '--model', 'llama-2-7b-hf', '--gpu', 'l4', '--format', 'csv', '-'], { input: lines, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const cliIds = cli.stdout.trim().split('\n').slice(1).map((row) => (row.startsWith('"') ? row.slice(0, row.lastIndexOf('",') + 1) : row.split(',')[0]));
  const result = await calc.trace(lines, { model: 'llama-2-7b-hf', gpu: 'l4' });
  const { rows, cells } = result.stepIdCells;
  const pageIds = [...result.columns.step_id].map((id, i) => {
    const k = rows.indexOf(i);
    return k >= 0 ? cells[k] : String(id);
  });
  assert.deepStrictEqual(pageIds, cliIds);
  assert.deepStrictEqual(cliIds, ['a7', '"x,y"', '"say ""hi"""', 'été', '1500.0', '12345678901234567890', '-4', '8', '7']);
  assert.deepStrictEqual([...rows], [0, 1, 2, 3, 4, 5]); // the rest are plain integers
  result.release();
});

test('calc.fit equals `stepcalc fit` on the same file', async () => {
  const cli = JSON.parse(spawnSync(cliPath, ['fit', '--model', options.model, '--gpu', options.gpu, '--lambda', '1000', file], { encoding: 'utf8' }).stdout);
  const report = await calc.fit(text, { ...options, lambda: 1000 });
  assert.equal(JSON.stringify(report), JSON.stringify(cli));
  const result = await calc.trace(text, options);
  assert.equal(JSON.stringify(result.fit(1000)), JSON.stringify(cli));
  result.release();
  assert.throws(() => result.fit(), /released/);
});

test('a bad step stops with the CLI error line, or is skipped and counted with skipBad', async () => {
  const lines = ['{"step_id": 1, "decode_reqs": [{"context_length": 5}]}', '{"step_id": 2, "decode_reqs": [', '{"step_id": 3, "decode_reqs": []}'].join('\n');
  const cli = spawnSync(cliPath, ['trace', '--model', 'llama-2-7b-hf', '--gpu', 'l4', '-'], { input: lines, encoding: 'utf8' });
  await assert.rejects(calc.trace(lines, { model: 'llama-2-7b-hf', gpu: 'l4' }),
    (error) => error instanceof StepCalcError && error.message === cli.stderr.trim().split('\n').pop());
  const skipped = await calc.trace(lines, { model: 'llama-2-7b-hf', gpu: 'l4', skipBad: true });
  assert.deepStrictEqual([...skipped.columns.step_id], [1, 3]);
  assert.equal(skipped.summary.skipped, 1);
  assert.match(skipped.summary.skipped_errors[0], /^line 2, column 32: invalid JSON: /);
  skipped.release();
  // A broken first line is JSON Lines' bad line 1, in pieces too, as the CLI reads it.
  const badFirst = ['{"step_id": 0, oops', ...lines.split('\n').filter((_, i) => i !== 1)].join('\n');
  const cliFirst = spawnSync(cliPath, ['trace', '--model', 'llama-2-7b-hf', '--gpu', 'l4', '-'], { input: badFirst, encoding: 'utf8' });
  await assert.rejects(calc.trace(badFirst, { model: 'llama-2-7b-hf', gpu: 'l4' }),
    (error) => error.message === cliFirst.stderr.trim().split('\n').pop() && /^error: line 1, column 16: invalid JSON: /.test(error.message));
  const pieces = [...badFirst].map((c) => new TextEncoder().encode(c)); // one byte (or character) a chunk
  const skippedFirst = await calc.trace(pieces, { model: 'llama-2-7b-hf', gpu: 'l4', skipBad: true });
  assert.deepStrictEqual([...skippedFirst.columns.step_id], [1, 3]);
  assert.match(skippedFirst.summary.skipped_errors[0], /^line 1, column 16: invalid JSON: /);
  skippedFirst.release();
  await assert.rejects(calc.trace(lines, {}), { message: 'error: line 1: a step in the training format needs a model and a GPU' });
  // A document cut inside a step: the CLI's line; with skipBad the steps before it stand.
  const cut = text.slice(0, 5000);
  const cliCut = spawnSync(cliPath, ['trace', '--model', options.model, '--gpu', options.gpu, '--skip-bad', '-'], { input: cut, encoding: 'utf8' });
  const cutStep = /^skipped: (steps\[(\d+)\]: the file ends inside this step \(cut off mid-step\?\))$/m.exec(cliCut.stderr);
  assert.ok(cutStep, cliCut.stderr);
  await assert.rejects(calc.trace(cut, options), { message: `error: ${cutStep[1]}` });
  const kept = await calc.trace(cut, { ...options, skipBad: true });
  assert.equal(kept.summary.steps, Number(cutStep[2]));
  assert.equal(kept.summary.skipped, 1);
  assert.deepStrictEqual(kept.summary.skipped_errors, [cutStep[1]]);
  kept.release();
  await assert.rejects(calc.trace(42, options), { message: 'error: trace: expected text, bytes, a Blob, a stream or an iterable of chunks' });
});

test('a cancelled trace stops and frees its memory; released results free theirs', async () => {
  for (let i = 0; i < 3; i++) (await calc.trace(text, options)).release();
  const before = calc.heapBytesInUse();
  for (let i = 0; i < 20; i++) (await calc.trace(text, options)).release();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(calc.trace(text, options, { signal: controller.signal }), { name: 'AbortError' });
  assert.ok(Math.abs(calc.heapBytesInUse() - before) <= 1024, `${calc.heapBytesInUse() - before} bytes kept`);
});
