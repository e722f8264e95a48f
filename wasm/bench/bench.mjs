// Speed and size of the WASM module (figures for the README; not a test).
//   node wasm/bench/bench.mjs
// Medians over repeated batches in one process, so ratios hold on a noisy machine.

import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const buildDir = fileURLToPath(new URL('../../build/wasm/', import.meta.url));
const { default: createStepCalc } = await import(`${buildDir}stepcalc.mjs`);
const calc = await createStepCalc();

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Median over `batches` of the mean time of `perBatch` calls, in microseconds.
function time(fn, { batches = 31, perBatch = 2000 } = {}) {
  for (let i = 0; i < perBatch; i++) fn(); // warm-up: JIT and wasm tier-up
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(((performance.now() - start) * 1000) / perBatch);
  }
  return median(samples);
}

const decode128 = Array.from({ length: 128 }, (_, i) => ({ context_length: 256 + 61 * i }));
const step128 = {
  model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4,
  step: { prefill: [{ tokens_this_step: 512, prompt_tokens: 2048 }, { tokens_this_step: 256, prompt_tokens: 256 }], decode: decode128 },
};
const decode64 = { model: 'llama-2-7b-hf', gpu: 'h100-sxm', tp: 1,
  step: { decode: Array.from({ length: 64 }, (_, i) => ({ context_length: 512 + 13 * i })) } };
const step128Text = JSON.stringify(step128);
const sweepValues = Array.from({ length: 1000 }, (_, i) => i + 1);

const rows = [
  ['compute: 128 decodes + 2 prefill chunks (plain object)', time(() => calc.compute(step128)), 'us'],
  ['compute: 64 decodes (plain object)', time(() => calc.compute(decode64)), 'us'],
  ['compute: 128 decodes + 2 prefill chunks (JSON text)', time(() => calc.compute(step128Text), { perBatch: 200 }), 'us'],
  ['sweep: 1,000 points of decode[0].count on that step',
    time(() => calc.sweep(step128, 'decode[0].count', sweepValues), { perBatch: 20 }) / 1000, 'ms'],
];

const files = ['stepcalc.wasm', 'stepcalc_glue.mjs', 'stepcalc.mjs'];
const raw = files.reduce((sum, file) => sum + statSync(`${buildDir}${file}`).size, 0);
const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(`${buildDir}${file}`), { level: 9 }).length, 0);

console.log(`node ${process.version}`);
for (const [label, value, unit] of rows) console.log(`${label}: ${value.toFixed(unit === 'ms' ? 3 : 2)} ${unit}`);
for (const file of files) console.log(`${file}: ${statSync(`${buildDir}${file}`).size} bytes`);
console.log(`module total (${files.join(' + ')}): ${raw} bytes, ${gzip} bytes gzip -9`);
