// `stepcalc trace` on whole files: every record equals `stepcalc compute` on the same
// batch, both input formats, bad steps with and without --skip-bad, a file cut mid-step,
// CSV, and bounded memory on a 100,000-step file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = `${root}build/native/stepcalc`;
const dir = mkdtempSync(join(tmpdir(), 'stepcalc-trace-'));

function run(args, input) {
  const result = spawnSync(cli, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function compute(request) {
  const result = run(['compute', '-'], JSON.stringify(request));
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function records(stdout) {
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

// The record of a step must carry exactly the response's basis, features and step time.
function assertSameAsCompute(record, request) {
  const response = compute(request);
  assert.deepStrictEqual(record.basis, response.basis, JSON.stringify(request));
  assert.deepStrictEqual(record.features, response.features);
  assert.equal(record.step_time_us, response.step_time_us);
}

const trainingStep = (id, prefill, decode, extra = {}) => ({
  step_id: id,
  prefill_reqs: prefill.map(([tokens, prompt], i) => ({ request_id: `p${id}-${i}`, tokens_this_step: tokens, prompt_tokens: prompt })),
  decode_reqs: decode.map((context, i) => ({ request_id: `d${id}-${i}`, context_length: context })),
  total_prefill_tokens: prefill.reduce((sum, [tokens]) => sum + tokens, 0),
  total_decode_tokens: decode.length,
  batch_size: prefill.length + decode.length,
  ...extra,
});
const asRequestStep = (step) => ({
  prefill: step.prefill_reqs.map((p) => ({ tokens_this_step: p.tokens_this_step, prompt_tokens: p.prompt_tokens })),
  decode: step.decode_reqs.map((d) => ({ context_length: d.context_length })),
});

const steps = Array.from({ length: 40 }, (_, i) => trainingStep(i + 1,
  Array.from({ length: i % 3 }, (_, j) => [1 + 97 * (i + j) % 2048, 2048 + 13 * i]),
  Array.from({ length: (7 * i) % 50 }, (_, j) => 1 + (577 * i + 31 * j) % 32768),
  i % 4 === 0 ? { duration_us: 10_000 + 37 * i } : {}));

test('an experiment document: each record equals `stepcalc compute` on its batch, TP from the document', () => {
  const file = join(dir, 'experiment.json');
  writeFileSync(file, JSON.stringify({ experiment: 'e', tensor_parallelism: 2, steps, requests: [] }, null, 2));
  const result = run(['trace', '--model', 'mixtral-8x7b-v0.1', '--gpu', 'h100-sxm', file]);
  assert.equal(result.code, 0, result.stderr);
  const out = records(result.stdout);
  assert.equal(out.length, steps.length);
  out.forEach((record, i) => {
    assert.equal(record.step_id, steps[i].step_id);
    assertSameAsCompute(record, { model: 'mixtral-8x7b-v0.1', gpu: 'h100-sxm', tp: 2, step: asRequestStep(steps[i]) });
    if (steps[i].duration_us) {
      assert.equal(record.duration_us, steps[i].duration_us);
      assert.equal(record.error_pct, (record.step_time_us - steps[i].duration_us) / steps[i].duration_us * 100);
    } else {
      assert.ok(!('duration_us' in record) && !('error_pct' in record));
    }
  });
  assert.match(result.stderr, /^trace: 40 steps, 0 skipped; TP 2; predicted total [0-9.]+ s$/m);
  assert.match(result.stderr, /^trace: against 10 measured durations: MAPE [0-9.]+%, RMSE [0-9.e+]+ us, MAE [0-9.e+]+ us$/m);
  // --tp overrides the document.
  const tp8 = run(['trace', '--model', 'mixtral-8x7b-v0.1', '--gpu', 'h100-sxm', '--tp', '8', file]);
  assertSameAsCompute(records(tp8.stdout)[5], { model: 'mixtral-8x7b-v0.1', gpu: 'h100-sxm', tp: 8, step: asRequestStep(steps[5]) });
  assert.match(tp8.stderr, /^trace: 40 steps, 0 skipped; TP 8; predicted total /m);
});

test('JSON Lines of training steps and of whole requests, mixing models, GPUs and TPs', () => {
  const lines = [
    JSON.stringify(steps[3]),
    JSON.stringify({ step_id: 'r1', model: 'qwen3-30b-a3b', gpu: 'mi300x', tp: 8, step: { decode: [{ context_length: 9000, count: 64 }] } }),
    '',
    JSON.stringify({ model: 'llama-2-7b-hf', gpu: 'l4', coefficients: 'roofline-prior', step: { prefill: [{ tokens_this_step: 10, prompt_tokens: 10 }] }, duration_us: 5 }),
    JSON.stringify(steps[7]),
  ].join('\n');
  const result = run(['trace', '--model', 'llama-3.1-8b-instruct', '--gpu', 'h200-sxm', '--tp', '2', '-'], lines);
  assert.equal(result.code, 0, result.stderr);
  const out = records(result.stdout);
  assert.deepStrictEqual(out.map((r) => r.step_id), [4, 'r1', 4, 8]); // a line without an id is named by its line number
  assertSameAsCompute(out[0], { model: 'llama-3.1-8b-instruct', gpu: 'h200-sxm', tp: 2, step: asRequestStep(steps[3]) });
  assertSameAsCompute(out[1], { model: 'qwen3-30b-a3b', gpu: 'mi300x', tp: 8, step: { decode: [{ context_length: 9000, count: 64 }] } });
  assertSameAsCompute(out[2], { model: 'llama-2-7b-hf', gpu: 'l4', coefficients: 'roofline-prior', step: { prefill: [{ tokens_this_step: 10, prompt_tokens: 10 }] } });
  assert.equal(out[2].duration_us, 5);
  // The summary says so when the lines' TPs differ (2 from --tp, 8 and 1 from the requests).
  assert.match(result.stderr, /^trace: 4 steps, 0 skipped; TP 1, 2 and 8 \(per line\); predicted total /m);
  // Whole requests need no --model or --gpu.
  const alone = run(['trace', '-'], lines.split('\n')[1]);
  assert.equal(alone.code, 0, alone.stderr);
  const missing = run(['trace', '-'], lines);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: line 1: a step in the training format needs --model and --gpu$/m);
});

test('a bad line stops the run with its line number; --skip-bad skips, names and counts it', () => {
  const bad = { ...steps[1], total_decode_tokens: 999 };
  const lines = [JSON.stringify(steps[0]), '{"step_id": 2, "decode_reqs": [', JSON.stringify(bad), JSON.stringify(steps[2])].join('\n');
  const args = ['trace', '--model', 'llama-2-7b-hf', '--gpu', 'h100-sxm'];
  const stop = run([...args, '-'], lines);
  assert.equal(stop.code, 2);
  assert.equal(records(stop.stdout).length, 1, 'the records before the bad line were written');
  assert.match(stop.stderr, /^error: line 2, column 32: invalid JSON: syntax error while parsing /m);
  const skip = run([...args, '--skip-bad', '-'], lines);
  assert.equal(skip.code, 0, skip.stderr);
  assert.deepStrictEqual(records(skip.stdout).map((r) => r.step_id), [1, 3]);
  assert.match(skip.stderr, /^skipped: line 2, column 32: invalid JSON: /m);
  assert.match(skip.stderr, /^skipped: line 3, total_decode_tokens: is 999 but the decode entries come to \d+$/m);
  assert.match(skip.stderr, /^trace: 2 steps, 2 skipped; TP 1; /m);
});

test('a file cut mid-step, and other files that are not traces, exit 2 with one line', () => {
  const whole = JSON.stringify({ tensor_parallelism: 1, steps: steps.slice(0, 3) });
  const cases = [
    [whole.slice(0, whole.length - 40), 'error: steps[2]: the file ends inside this step (cut off mid-step?)'],
    ['', 'error: trace: the file is empty; expected an experiment document or JSON Lines'],
    ['[]', "error: trace: expected a JSON object (an experiment document or JSON Lines), got '['"],
    [JSON.stringify({ steps: steps.slice(0, 1) }), 'error: tensor_parallelism: the document has none before its steps; pass --tp'],
  ];
  for (const [input, line] of cases) {
    const result = run(['trace', '--model', 'llama-2-7b-hf', '--gpu', 'h100-sxm', '-'], input);
    assert.equal(result.code, 2, line);
    assert.equal(result.stderr.trim().split('\n').pop(), line);
  }
  assert.equal(run(['trace', '--format', 'xml', '-'], '').stderr.trim(), 'error: --format: expected jsonl or csv, got "xml"');
  assert.equal(run(['trace', '--tp', '0', '-'], '').stderr.trim(), 'error: --tp: must be an integer from 1 to 4096, got "0"');
});

test('CSV has a header and the same numbers as JSONL', () => {
  const file = join(dir, 'csv.json');
  writeFileSync(file, JSON.stringify({ tensor_parallelism: 4, steps: steps.slice(0, 9) }));
  const args = ['trace', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm', file];
  const jsonl = records(run(args).stdout);
  const csv = run([...args.slice(0, 5), '--format', 'csv', file]).stdout.trim().split('\n');
  assert.equal(csv[0], 'step_id,t_pf_compute,t_pf_kv,t_dc_compute,t_dc_kv,t_weight,t_tp,num_layers,batch_size,x1,x2,x3,x4,x5,x6,x7,step_time_us,duration_us,error_pct');
  assert.equal(csv.length, 10);
  csv.slice(1).forEach((row, i) => {
    const cells = row.split(',');
    const r = jsonl[i];
    assert.deepStrictEqual(cells.slice(0, 9).map(Number), [r.step_id, r.basis.t_pf_compute, r.basis.t_pf_kv, r.basis.t_dc_compute, r.basis.t_dc_kv, r.basis.t_weight, r.basis.t_tp, r.basis.num_layers, r.basis.batch_size]);
    assert.deepStrictEqual(cells.slice(9, 16).map(Number), r.features);
    assert.equal(Number(cells[16]), r.step_time_us);
    assert.equal(cells[17], r.duration_us === undefined ? '' : String(r.duration_us));
  });
});

test('a 100,000-step trace (about 350 MB) streams in bounded memory', () => {
  // The generator pipes straight into the CLI: nothing of the size is ever on disk.
  const result = spawnSync('/bin/sh', ['-c',
    `node "${root}core/bench/make_trace.mjs" 100000 /dev/stdout --jsonl | /usr/bin/time -f 'peak %M' "${cli}" trace --model llama-2-70b-hf --gpu h100-sxm --tp 4 -o /dev/null -`],
  { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /^trace: 100000 steps, 0 skipped;/m);
  const peakKb = Number(/^peak (\d+)$/m.exec(result.stderr)[1]);
  assert.ok(peakKb < 64 * 1024, `peak memory ${peakKb} KB`);
});
