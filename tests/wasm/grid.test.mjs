// calc.grid returns what `stepcalc grid` prints: JSON.stringify of its object is the CLI's
// text, byte for byte, for two models on every preset GPU over TP lists; its errors are the
// CLI's lines. calc.gridScenario (the page's live grid: one batch packed once, every GPU and
// TP in one call into the core) gives the same figures as the CLI's cells, to 1e-9.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { cliPath, loadCalc } from './support.mjs';

const calc = await loadCalc();
const GPUS = calc.presets().gpus.map((/** @type {{ id: string }} */ g) => g.id);

function cliGrid(request) {
  const input = typeof request === 'string' ? request : JSON.stringify(request);
  const result = spawnSync(cliPath, ['grid', '-'], { input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout.trimEnd(), stderr: result.stderr.trimEnd() };
}

const step = {
  prefill: [{ tokens_this_step: 512, prompt_tokens: 4096 }, { tokens_this_step: 2048, prompt_tokens: 2048, count: 2 }],
  decode: [{ context_length: 1024, count: 48 }, { context_length: 30000, count: 3 }],
};
// A dense model and a MoE one; the default lists, odd TPs (Qwen3's 4 KV heads do not split
// 3 ways) and a datasheet without a link (a cell's error past TP 1).
const linkless = { compute: { fp16_tensor_core: 400 }, memory: { bandwidth_tb_s: 2, capacity_gb: 80 } };
const requests = {
  'Llama 3.1 70B, every preset GPU at TP 1, 2, 4, 8 (the defaults)': { model: 'llama-3.1-70b-instruct', step },
  'Qwen3 30B-A3B, every preset GPU at TP 8, 3, 1, β given, 80% of memory': {
    model: 'qwen3-30b-a3b', gpus: GPUS, tps: [8, 3, 1], gpu_memory_utilization: 0.8,
    coefficients: { beta: [1.2, 1, 0.9, 1.1, 1.3, 2, 1] }, step,
  },
  'a datasheet without a link, and an empty step': { model: 'llama-3.1-8b-instruct', gpus: ['h100-sxm', linkless], tps: [1, 2], step: {} },
};

for (const [label, request] of Object.entries(requests)) {
  test(`calc.grid equals the CLI's text, and calc.gridScenario its figures: ${label}`, async () => {
    const cli = cliGrid(request);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.stringify(await calc.grid(request)), cli.stdout);
    assert.equal(JSON.stringify(await calc.grid(JSON.stringify(request))), cli.stdout, 'the same from JSON text');

    const expected = JSON.parse(cli.stdout).cells;
    const { step: rows, ...header } = request;
    const grid = await calc.gridScenario({ gpus: GPUS, tps: [1, 2, 4, 8], ...header });
    try {
      const cells = grid.compute(rows);
      assert.equal(cells.length, expected.length);
      expected.forEach((want, i) => {
        const got = cells[i], at = `cell ${i} (${want.gpu} TP ${want.tp})`;
        assert.deepEqual([got.gpu, got.gpu_index, got.tp, got.error === null, got.fits, got.max_decode_requests],
          [want.gpu, want.gpu_index, want.tp, want.error === null, want.fits, want.max_decode_requests], at);
        for (const figure of ['step_time_us', 'headroom_bytes', 'tokens_per_s', 'tokens_per_s_per_gpu']) {
          if (want[figure] === null) assert.equal(got[figure], null, `${at} ${figure}`);
          else assert.ok(Math.abs(got[figure] - want[figure]) <= 1e-9 * Math.abs(want[figure]), `${at} ${figure}: ${got[figure]} against ${want[figure]}`);
        }
      });
      assert.ok(expected.some((cell) => cell.error === null), 'some cell runs');
    } finally {
      grid.delete();
    }
  });
}

test("calc.grid's errors are the CLI's lines; gridScenario names a bad batch", async () => {
  for (const request of [
    { model: 'llama-3.1-8b-instruct', gpu: 'h100-sxm', step },
    { model: 'llama-3.1-8b-instruct', tps: [2, 2], step },
    { model: 'llama-3.1-8b-instruct', gpus: ['h100-sxm', 'no-such-gpu'], step },
    '{"model": ',
  ]) {
    const cli = cliGrid(request);
    assert.equal(cli.code, 2, `the CLI refuses ${JSON.stringify(request)}`);
    await assert.rejects(calc.grid(request), (error) => error.message === cli.stderr, cli.stderr);
  }
  const grid = await calc.gridScenario({ model: 'llama-3.1-8b-instruct', gpus: ['h100-sxm'], tps: [1, 2] });
  try {
    assert.throws(() => grid.compute({ prefill: [{ tokens_this_step: 9, prompt_tokens: 8 }] }), /step\.prefill\[0\]/);
  } finally {
    grid.delete();
  }
  await assert.rejects(calc.gridScenario({ model: 'no-such-model', gpus: ['h100-sxm'], tps: [1] }), /model/);
});

test('calc.gridScenario gives its memory back', async () => {
  const header = { model: 'llama-3.1-70b-instruct', gpus: GPUS, tps: [1, 2, 4, 8] };
  (await calc.gridScenario(header)).delete(); // warm up: pools and caches
  const before = calc.heapBytesInUse();
  for (let i = 0; i < 20; i++) {
    const grid = await calc.gridScenario(header);
    grid.compute(step);
    grid.delete();
  }
  assert.equal(calc.heapBytesInUse(), before);
});
