// Speed and size of the WASM module, side by side with the seed's Python algorithm in the
// same run (figures for the README; not a test). Needs python3 and the native build.
//   node wasm/bench/bench.mjs [ROUNDS]
// STEPCALC_WASM_DIR=dir/ benches the module files in dir/ instead of build/wasm/ (an older
// build kept for an A/B in the same conditions).
// Each round times every contender once, in turn, so a noisy neighbour on the machine
// slows them alike; the report gives the median and range over rounds, and each module
// figure as a ratio to the Python algorithm's time in the same round.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));
const buildDir = process.env.STEPCALC_WASM_DIR ? `${resolve(process.env.STEPCALC_WASM_DIR)}/` : `${root}build/wasm/`;
const { default: createStepCalc } = await import(pathToFileURL(`${buildDir}stepcalc.mjs`).href);
const calc = await createStepCalc();
const ROUNDS = Number(process.argv[2] ?? 9);

// The issue's step: Llama 2 70B at TP 4 on an H100 SXM, 2 prefill chunks and 128 decodes.
const decode = Array.from({ length: 128 }, (_, i) => ({ context_length: 256 + 61 * i }));
const prefill = [{ tokens_this_step: 512, prompt_tokens: 2048 }, { tokens_this_step: 256, prompt_tokens: 256 }];
const request = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4, step: { prefill, decode } };
const requestText = JSON.stringify(request);
const packedPrefill = new Float64Array(prefill.flatMap((r) => [r.tokens_this_step, r.prompt_tokens, 1]));
const packedDecode = new Float64Array(decode.flatMap((r) => [r.context_length, 1]));
const scenario = calc.scenario({ model: request.model, gpu: request.gpu, tp: request.tp });
const sweepValues = Array.from({ length: 1000 }, (_, i) => i + 1);

const presets = calc.presets();
const seedSpec = JSON.stringify({
  config: presets.models.find((m) => m.id === request.model).config,
  tflops_sparse: presets.gpus.find((g) => g.id === request.gpu).datasheet.compute.fp16_tensor_core,
  hbm_tb_s: presets.gpus.find((g) => g.id === request.gpu).datasheet.memory.bandwidth_tb_s,
  nvlink_gb_s: presets.gpus.find((g) => g.id === request.gpu).datasheet.interconnect.nvlink_bandwidth_gb_s,
  tp: request.tp, prefill, decode,
});

// Mean microseconds per call over `calls` calls.
function timeCalls(fn, calls) {
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return ((performance.now() - start) * 1000) / calls;
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const contenders = {
  'seed algorithm, Python': () => run('python3', [`${root}core/bench/seed_algorithm.py`, 'step', seedSpec, '20000']).us_per_step,
  'native arithmetic alone (floor)': () => run(`${root}build/native/stepcalc_bench_arithmetic`, [requestText, '200000']).ns_per_step / 1000,
  'calc.compute(object)': () => timeCalls(() => calc.compute(request), 20_000),
  'scenario.computePacked (typed arrays)': () => timeCalls(() => scenario.computePacked(packedPrefill, packedDecode), 20_000),
  'calc.compute(JSON text)': () => timeCalls(() => calc.compute(requestText), 2_000),
  'calc.sweep, 1,000 points of decode[0].count (per sweep)': () => timeCalls(() => calc.sweep(request, 'decode[0].count', sweepValues), 50),
};

// Warm-up: JIT and wasm tier-up.
for (const [name, measure] of Object.entries(contenders)) if (!name.startsWith('seed') && !name.startsWith('native')) measure();

const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
const ratios = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const times = {};
  for (const [name, measure] of Object.entries(contenders)) times[name] = measure();
  for (const name of Object.keys(contenders)) {
    samples[name].push(times[name]);
    ratios[name].push(times['seed algorithm, Python'] / times[name]);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const fmt = (us) => (us >= 100 ? `${(us / 1000).toFixed(3)} ms` : `${us.toFixed(2)} µs`);

console.log(`node ${process.version}, ${ROUNDS} interleaved rounds; step: ${request.model}, TP ${request.tp}, 2 prefill chunks + 128 decodes`);
console.log('| what | median | range (µs) | Python ÷ this, median (range) |');
console.log('| --- | --- | --- | --- |');
for (const name of Object.keys(contenders)) {
  const ratio = name.startsWith('seed') ? '1' : `${median(ratios[name]).toFixed(1)}× (${range(ratios[name])})`;
  console.log(`| ${name} | ${fmt(median(samples[name]))} | ${range(samples[name])} | ${ratio} |`);
}

// The page's module: stepcalc.wasm and every ES module beside it but the worker's.
const files = ['stepcalc.wasm', ...readdirSync(buildDir)
  .filter((file) => file.endsWith('.mjs') && !file.endsWith('.d.mts') && !file.startsWith('stepcalc_worker')).sort()];
const raw = files.reduce((sum, file) => sum + statSync(`${buildDir}${file}`).size, 0);
const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(`${buildDir}${file}`), { level: 9 }).length, 0);
for (const file of files) console.log(`${file}: ${statSync(`${buildDir}${file}`).size} bytes`);
console.log(`module total (${files.length} files, not minified): ${raw} bytes, ${gzip} bytes gzip -9`);
scenario.delete();
