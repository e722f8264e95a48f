// WebAssembly memory does not grow over 100,000 calls after warm-up.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCalc } from './support.mjs';

test('no growth of wasm memory over 100,000 calls', async () => {
  const calc = await loadCalc();
  const decode = Array.from({ length: 128 }, (_, i) => ({ context_length: 512 + 37 * i }));
  const requests = [
    { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4, step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }, { tokens_this_step: 256, prompt_tokens: 256 }], decode } },
    { model: 'qwen3-30b-a3b', gpu: 'mi300x', tp: 8, step: { decode: [{ context_length: 8000, count: 64 }] } },
    JSON.stringify({ model: 'mixtral-8x7b-v0.1', gpu: 'a100-sxm-80gb', tp: 2, step: { prefill: [{ tokens_this_step: 100, prompt_tokens: 100 }] } }),
    { model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 0, step: {} }, // an error path
  ];
  const cycle = (n) => {
    for (let i = 0; i < n; i++) {
      const request = requests[i % requests.length];
      try {
        calc.compute(request);
      } catch (error) {
        if (error.name !== 'StepCalcError') throw error;
      }
      if (i % 100 === 0) calc.sweep(requests[0], 'decode[*].context_length', [128, 1024, 8192]);
    }
  };
  cycle(5_000);
  const before = calc.memoryBytes();
  cycle(100_000);
  assert.equal(calc.memoryBytes(), before, 'WebAssembly memory grew');
});
