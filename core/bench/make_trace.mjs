// Writes a synthetic experiment document in the training pipeline's reconstruct format,
// for the trace benchmark and tests: STEPS steps of 32 to 96 decodes and 0 to 2 prefill
// chunks, each with a measured-looking duration_us; deterministic (seeded).
//   node core/bench/make_trace.mjs STEPS OUT.json [--jsonl]

import { createWriteStream } from 'node:fs';

const [stepsArg, out, flag] = process.argv.slice(2);
const steps = Number(stepsArg);
if (!Number.isInteger(steps) || steps < 1 || !out) {
  console.error('usage: node core/bench/make_trace.mjs STEPS OUT.json [--jsonl]');
  process.exit(2);
}
const jsonl = flag === '--jsonl';

let state = 20261126;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const integer = (min, max) => min + Math.floor(random() * (max - min + 1));

const file = createWriteStream(out);
const write = (text) => (file.write(text) ? Promise.resolve() : new Promise((resolve) => file.once('drain', resolve)));

if (!jsonl) {
  await write(`{"experiment": "synthetic-${steps}", "tensor_parallelism": 4, "max_num_batched_tokens": 2048, "num_steps": ${steps},\n "steps": [\n`);
}
let request = 0;
for (let i = 0; i < steps; i++) {
  const prefill = Array.from({ length: integer(0, 2) }, () => {
    const prompt = integer(128, 8192);
    return { request_id: `req-${String(request++).padStart(7, '0')}`, tokens_this_step: integer(1, Math.min(prompt, 2048)), prompt_tokens: prompt };
  });
  const decode = Array.from({ length: integer(32, 96) }, () => ({ request_id: `req-${String(integer(0, request + 1000)).padStart(7, '0')}`, context_length: integer(64, 16384) }));
  const step = {
    step_id: i,
    prefill_reqs: prefill,
    decode_reqs: decode,
    total_prefill_tokens: prefill.reduce((sum, p) => sum + p.tokens_this_step, 0),
    total_decode_tokens: decode.length,
    batch_size: prefill.length + decode.length,
    duration_us: Math.round(8000 + 20 * decode.length + 15 * prefill.reduce((sum, p) => sum + p.tokens_this_step, 0) + 1000 * random()),
  };
  await write(jsonl ? `${JSON.stringify(step)}\n` : `  ${JSON.stringify(step)}${i + 1 < steps ? ',' : ''}\n`);
}
if (!jsonl) await write(' ],\n "requests": []}\n');
file.end();
