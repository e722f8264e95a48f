// calc.simulate returns what `stepcalc simulate` prints: JSON.stringify of its object is
// the CLI's text, byte for byte (the core writes numbers as JSON.stringify does), generated
// workloads included: the generator and its logarithm give the same bits in WebAssembly as
// natively. Its errors are the CLI's.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { cliPath, loadCalc } from './support.mjs';

const calc = await loadCalc();

function cliSimulate(request) {
  const input = typeof request === 'string' ? request : JSON.stringify(request);
  const result = spawnSync(cliPath, ['simulate', '-'], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: result.status, stdout: result.stdout.trimEnd(), stderr: result.stderr.trimEnd() };
}

const header = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4 };
const requests = {
  'one request': { ...header, workload: { requests: [{ arrival_us: 0, prompt_tokens: 2048, output_tokens: 1 }] } },
  'a chunked prompt and a late arrival, with step records': {
    ...header, step_records: true,
    workload: { requests: [{ prompt_tokens: 20000, output_tokens: 30 }, { arrival_us: 123456.789, prompt_tokens: 300, output_tokens: 40 }] },
  },
  '3,000 Poisson requests': {
    ...header,
    workload: { requests: 3000, arrival_rate_per_s: 40, prompt_tokens: { min: 100, max: 4000 }, output_tokens: { min: 1, max: 400 }, seed: 2026 },
  },
  'a MoE model at TP 2, memory binding, custom coefficients, max_num_seqs': {
    model: 'mixtral-8x7b-v0.1', gpu: 'h100-sxm', tp: 2, gpu_memory_utilization: 0.62,
    coefficients: { beta: [0.5, 1.5, 1, 2, 10, 20, 30] }, step_records: true,
    workload: { requests: 300, arrival_rate_per_s: 7.5, prompt_tokens: { min: 1000, max: 30000 }, output_tokens: { min: 1, max: 60 }, seed: 3 },
    scheduler: { max_num_batched_tokens: 4096, max_num_seqs: 16 },
  },
};

for (const [label, request] of Object.entries(requests)) {
  test(`calc.simulate equals the CLI's text: ${label}`, async () => {
    const cli = cliSimulate(request);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = cli.stdout;
    assert.equal(JSON.stringify(JSON.parse(expected)), expected, "the CLI's text is JSON.stringify's");
    assert.equal(JSON.stringify(await calc.simulate(request)), expected);
    assert.equal(JSON.stringify(await calc.simulate(JSON.stringify(request))), expected, 'the same from JSON text');
  });
}

test("calc.simulate's errors are the CLI's lines", async () => {
  const bad = [
    { ...header },
    { ...header, workload: { requests: 0 } },
    { ...header, workload: { requests: [{ prompt_tokens: 600000, output_tokens: 1 }] } },
    { ...header, workload: { requests: 2 }, scheduler: { max_num_seqs: 300, max_num_batched_tokens: 256 } },
    '{"model": "llama-2-70b-hf", "gpu": "h100-sxm", "workload": {"requests": 1}, "workload": {"requests": 2}}',
    '{"model": ',
  ];
  for (const request of bad) {
    const cli = cliSimulate(request);
    assert.equal(cli.code, 2, `${JSON.stringify(request)}: the CLI refuses it`);
    await assert.rejects(calc.simulate(request), (error) => error.name === 'StepCalcError' && error.message === cli.stderr,
      `${JSON.stringify(request)}: ${cli.stderr}`);
  }
});

test('calc.simulate leaves no heap behind', async () => {
  const request = requests['a chunked prompt and a late arrival, with step records'];
  await calc.simulate(request);
  const before = calc.heapBytesInUse();
  for (let i = 0; i < 20; i++) await calc.simulate(request);
  await assert.rejects(calc.simulate({ ...header }));
  assert.equal(calc.heapBytesInUse(), before);
});
