// Trace mode against the seed's own way on the same file (figures for docs/trace.md; not a
// test). Needs python3, /usr/bin/time and the native build.
//   node core/bench/trace_bench.mjs [ROUNDS]
// Writes build/bench/trace-20k.json (20,000 steps of 32-96 decodes, about 70 MB) and
// build/bench/trace-100k.json (about 350 MB) once, then per round, in turn: the seed's way
// (json.load, its dataclasses, compute_experiment_basis, timed inside Python, so without
// the interpreter's start), `stepcalc trace` end to end with every record written (to a
// file, and to a pipe that this script reads, as a tool reading its output would), timed
// from before the process starts to after it ends, and the computation alone on both sides.
// `node core/bench/trace_where.mjs` says where the CLI's time goes.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 3);
const dir = `${root}build/bench`;
mkdirSync(dir, { recursive: true });
const files = { '20k': `${dir}/trace-20k.json`, '100k': `${dir}/trace-100k.json` };
for (const [name, path] of Object.entries(files)) {
  if (!existsSync(path)) spawnSync('node', [`${root}core/bench/make_trace.mjs`, name === '20k' ? '20000' : '100000', path], { stdio: 'inherit' });
}
const model = 'llama-2-70b-hf', gpu = 'h100-sxm';
const config = readFileSync(`${root}presets/models/${model}.json`, 'utf8');
const datasheet = readFileSync(`${root}presets/gpus/${gpu}.json`, 'utf8');

// Wall time in seconds (from before the spawn to after the exit) and peak memory in MB
// (/usr/bin/time's maximum resident set size).
function run(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  const kb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, peakMb: kb / 1024, stdout: result.stdout };
}

const records = `${dir}/trace-20k.records.jsonl`;
const traceArgs = ['trace', '--model', model, '--gpu', gpu];
const cli = (file, out = records) => run(`${root}build/native/stepcalc`, [...traceArgs, '-o', out, file]);
const rows = { python: [], pythonCompute: [], cli: [], cliPipe: [], cliCompute: [], cliPeak: [], pythonPeak: [] };
for (let round = 0; round < ROUNDS; round++) {
  const seed = run('python3', [`${root}core/bench/seed_algorithm.py`, 'experiment', files['20k'], config, datasheet]);
  const seedTimes = JSON.parse(seed.stdout);
  rows.python.push(seedTimes.total_s);
  rows.pythonCompute.push(seedTimes.compute_s);
  rows.pythonPeak.push(seed.peakMb);
  const ours = cli(files['20k']);
  rows.cli.push(ours.seconds);
  rows.cliPeak.push(ours.peakMb);
  const piped = run(`${root}build/native/stepcalc`, [...traceArgs, files['20k']]);
  if (piped.stdout.length !== statSync(records).size) throw new Error('the piped records differ from the file\'s');
  rows.cliPipe.push(piped.seconds);
  rows.cliCompute.push(JSON.parse(run(`${root}build/native/stepcalc_bench_trace`, [files['20k'], model, gpu]).stdout).compute_s);
}
const big = cli(files['100k'], '/dev/null');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const span = (values, digits) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
const mb = (path) => (statSync(path).size / 1e6).toFixed(0);
console.log(`${ROUNDS} rounds; ${model} on ${gpu}; trace-20k.json ${mb(files['20k'])} MB, trace-100k.json ${mb(files['100k'])} MB`);
console.log('| what | median | range |');
console.log('| --- | --- | --- |');
console.log(`| the seed's way, end to end (json.load + dataclasses + compute_experiment_basis) | ${median(rows.python).toFixed(2)} s | ${span(rows.python, 2)} s |`);
console.log(`| stepcalc trace, end to end, records written to a file | ${median(rows.cli).toFixed(3)} s | ${span(rows.cli, 3)} s |`);
console.log(`| stepcalc trace, end to end, records piped to a reader | ${median(rows.cliPipe).toFixed(3)} s | ${span(rows.cliPipe, 3)} s |`);
console.log(`| ratio, end to end (to a file / piped) | ${(median(rows.python) / median(rows.cli)).toFixed(1)}× / ${(median(rows.python) / median(rows.cliPipe)).toFixed(1)}× | |`);
console.log(`| the seed's compute_experiment_basis alone | ${median(rows.pythonCompute).toFixed(3)} s | ${span(rows.pythonCompute, 3)} s |`);
console.log(`| stepcalc, the computation alone (steps in memory) | ${(median(rows.cliCompute) * 1000).toFixed(2)} ms | ${span(rows.cliCompute.map((s) => s * 1000), 2)} ms |`);
console.log(`| ratio, the computation alone | ${(median(rows.pythonCompute) / median(rows.cliCompute)).toFixed(0)}× | |`);
console.log(`| peak memory, the seed's way on 20k steps | ${median(rows.pythonPeak).toFixed(0)} MB | |`);
console.log(`| peak memory, stepcalc trace on 20k steps | ${median(rows.cliPeak).toFixed(1)} MB | |`);
console.log(`| stepcalc trace on 100k steps (records to /dev/null): time, peak memory | ${big.seconds.toFixed(2)} s, ${big.peakMb.toFixed(1)} MB | |`);
