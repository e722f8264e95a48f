// The serving simulation's cost per simulated step against the seed's Python algorithm
// computing one step of 128 decodes, measured in turn in the same run (figures for
// docs/simulation.md; not a test). Needs python3 and the native build.
//   node core/bench/simulate_bench.mjs [ROUNDS]
// Each round runs the seed's compute_step_basis on Llama 2 70B at TP 4 on an H100 SXM with
// 128 decodes (20,000 calls, mean per call), then stepcalc_bench_simulate on two workloads
// of the same model, GPU and TP: 10,000 requests all at t = 0 with max_num_seqs 128 (steps
// of 128 decodes, as the seed's step), and 10,000 Poisson requests at 40 per second (the
// issue's example). The ratio is per round; the report gives the median and range.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 5);
const header = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', tp: 4 };
const datasheet = JSON.parse(readFileSync(`${root}presets/gpus/${header.gpu}.json`, 'utf8'));
const decode = Array.from({ length: 128 }, (_, i) => ({ context_length: 256 + 61 * i }));
const seedSpec = JSON.stringify({
  config: JSON.parse(readFileSync(`${root}presets/models/${header.model}.json`, 'utf8')),
  tflops_sparse: datasheet.compute.fp16_tensor_core,
  hbm_tb_s: datasheet.memory.bandwidth_tb_s,
  nvlink_gb_s: datasheet.interconnect.nvlink_bandwidth_gb_s,
  tp: header.tp, prefill: [], decode,
});
const workloads = {
  'saturated, 128 running': { ...header, workload: { requests: 10000, prompt_tokens: 1000, output_tokens: 500 }, scheduler: { max_num_seqs: 128 } },
  'Poisson 40/s, prompts 100–4,000, outputs 10–500': { ...header, workload: { requests: 10000, arrival_rate_per_s: 40, prompt_tokens: { min: 100, max: 4000 }, output_tokens: { min: 10, max: 500 }, seed: 1 } },
};

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const rows = { seed: [] };
const facts = {};
for (const name of Object.keys(workloads)) rows[name] = { ns: [], ratio: [], response: [] };
for (let round = 0; round < ROUNDS; round++) {
  const seedUs = run('python3', [`${root}core/bench/seed_algorithm.py`, 'step', seedSpec, '20000']).us_per_step;
  rows.seed.push(seedUs);
  for (const [name, request] of Object.entries(workloads)) {
    const ours = run(`${root}build/native/stepcalc_bench_simulate`, [JSON.stringify(request), '3']);
    rows[name].ns.push(ours.ns_per_step);
    rows[name].ratio.push((seedUs * 1000) / ours.ns_per_step);
    rows[name].response.push(ours.response_s * 1000);
    facts[name] = ours;
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const span = (values, digits) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
console.log(`${ROUNDS} rounds; ${header.model} on ${header.gpu} at TP ${header.tp}`);
console.log('| what | median | range |');
console.log('| --- | --- | --- |');
console.log(`| the seed's compute_step_basis, one step of 128 decodes | ${median(rows.seed).toFixed(1)} µs | ${span(rows.seed, 1)} µs |`);
for (const name of Object.keys(workloads)) {
  const { steps, mean_decodes: decodes, response_bytes: bytes } = facts[name];
  console.log(`| simulate, ${name} (${steps} steps, ${decodes} decodes a step): per simulated step | ${median(rows[name].ns).toFixed(0)} ns | ${span(rows[name].ns, 0)} ns |`);
  console.log(`| ratio, the seed's step / a simulated step | ${median(rows[name].ratio).toFixed(0)}× | ${span(rows[name].ratio, 0)}× |`);
  console.log(`| the whole response (parse, run, write ${(bytes / 1e6).toFixed(1)} MB of JSON) | ${median(rows[name].response).toFixed(1)} ms | ${span(rows[name].response, 1)} ms |`);
}
