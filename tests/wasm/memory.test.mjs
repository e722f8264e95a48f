// No path of the module leaks: the bytes malloc has handed out (not the size of
// WebAssembly memory, which only ever grows in 64 KiB pages and so hides small leaks)
// are the same before and after 11,000 calls, errors included.
// Mutations that made this fail once: a `new char[8]` left in Scenario::compute; not
// deleting the session calc.compute evicts from its cache; not giving the rows' heap
// block back when a header getter throws.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCalc } from './support.mjs';

const calc = await loadCalc();
const decode = Array.from({ length: 128 }, (_, i) => ({ context_length: 512 + 37 * i }));
const prefill = [{ tokens_this_step: 512, prompt_tokens: 2048 }, { tokens_this_step: 256, prompt_tokens: 256 }];
const big = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4, step: { prefill, decode } };
const packedPrefill = new Float64Array([512, 2048, 1, 256, 256, 1]);
const packedDecode = new Float64Array(decode.flatMap((row) => [row.context_length, 1]));
const models = calc.presets().models.map((m) => m.id); // more headers than calc.compute keeps open

function ignoreInputErrors(call) {
  try {
    call();
  } catch (error) {
    if (error.name !== 'StepCalcError') throw error;
  }
}

const scenario = calc.scenario({ model: 'qwen3-30b-a3b', gpu: 'mi300x', tp: 8 });
const paths = {
  'calc.compute(object)': (i) => calc.compute(big),
  'calc.compute(JSON text)': (i) => calc.compute(JSON.stringify({ ...big, tp: 1 + (i % 4) })),
  'calc.compute over more headers than it keeps open': (i) => calc.compute({ ...big, model: models[i % models.length] }),
  'scenario.compute': () => scenario.compute({ decode: [{ context_length: 8000, count: 64 }] }),
  'scenario.computePacked': () => scenario.computePacked(packedPrefill, packedDecode),
  'errors on the quick and full paths': (i) => ignoreInputErrors(() => calc.compute(i % 2 ? { ...big, tp: 0 } : { ...big, step: { decode: [{ context_length: -1 }] } })),
  'packed errors': () => ignoreInputErrors(() => scenario.computePacked([5, 1, 1], [])),
  'sweeps, and their errors': (i) => ignoreInputErrors(() => calc.sweep(big, i % 2 ? 'decode[*].context_length' : 'decode[9].count', [128, 1024, 8192])),
  'scenarios opened and deleted': (i) => calc.scenario({ model: models[i % models.length], gpu: 'l4' }).delete(),
  // The rows are in the heap when the header's getter throws.
  'a header getter that throws': () => {
    const request = { get model() { throw new RangeError('from a getter'); }, gpu: 'l4', step: { prefill, decode } };
    assert.throws(() => calc.compute(request), RangeError);
  },
};

// Call counts are multiples of every cycle above (4 TPs, 11 models, 2 kinds of error), so
// both measurements see the same sessions in the same state.
// 11,000 calls catch any leak of one 16-byte block per 170 calls or more often (every
// mutation above leaked on each call); 100,100 took 50 s of CPU time for no more of them.
const WARM_UP = 2_200, CALLS = 11_000;
for (const [label, call] of Object.entries(paths)) {
  test(`${label}: no heap growth over ${CALLS.toLocaleString('en-US')} calls`, () => {
    assert.equal(CALLS % 44, 0); assert.equal(models.length, 11); // 44 = lcm(4, 11, 2)
    for (let i = 0; i < WARM_UP; i++) call(i);
    const before = calc.heapBytesInUse();
    for (let i = WARM_UP; i < WARM_UP + CALLS; i++) call(i);
    // malloc may hand out a free chunk a few bytes larger than asked (±8 to 32 bytes from
    // call to call); a leak of even one 16-byte block per 170 calls is 1 KB here.
    const growth = calc.heapBytesInUse() - before;
    assert.ok(Math.abs(growth) <= 1024, `${growth} bytes still allocated after the calls`);
  });
}
