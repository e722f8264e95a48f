// Where `stepcalc trace` spends its time end to end, records written to a file: perf
// samples (10 kHz, DWARF call stacks) of one run on the 20,000-step file, each put in the
// first part of the work its stack names, innermost frame first (figures for docs/trace.md;
// not a test). Needs perf (linux-perf) and the native build; run trace_bench.mjs once first
// (it writes the file).
//   node core/bench/trace_where.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const file = `${root}build/bench/trace-20k.json`;
if (!existsSync(file)) {
  console.error('core/bench/trace_where.mjs: no build/bench/trace-20k.json; run node core/bench/trace_bench.mjs first');
  process.exit(1);
}
mkdirSync(`${root}build/bench`, { recursive: true });
const data = `${root}build/bench/trace-where.perf`;
const record = spawnSync('perf', ['record', '-q', '-F', '10000', '--call-graph', 'dwarf,16384', '-o', data, '--',
  `${root}build/native/stepcalc`, 'trace', '--model', 'llama-2-70b-hf', '--gpu', 'h100-sxm',
  '-o', `${root}build/bench/trace-20k.records.jsonl`, file], { encoding: 'utf8' });
if (record.status !== 0) throw new Error(`perf record failed (is linux-perf installed?): ${record.stderr}`);
const script = spawnSync('perf', ['script', '-i', data], { encoding: 'utf8', maxBuffer: 1 << 30 });

// Each part, and the frame names that mark it. libstdc++ frames perf cannot name are its
// floating-point std::to_chars (a loop of to_chars alone samples the same addresses).
const PARTS = [
  ['process start, options and presets', ['execve', '_dl_', 'load_catalog', 'exit_mmap', 'do_exit', 'parse_request_header', 'TraceBaseScenario::get']],
  ['writing the records (the kernel)', ['ksys_write', '_IO_new_file_write', '_IO_do_write']],
  ['reading the file (the kernel\'s copy)', ['ksys_read', '__libc_read', 'xsgetn', 'basic_filebuf']],
  ['formatting the records', ['RecordWriter', 'to_chars', 'append_number', /\[unknown\] \(\S*libstdc\+\+/]],
  ['reading the steps (the quick reader)', ['read_trace_step_quick', 'Scanner::', 'StepReader']],
  ['cutting the file into steps', ['TraceSplitter::']],
  ['evaluating the steps (basis terms, prediction)', ['read_trace_text', 'evaluate', 'basis', 'predict', 'Step::Step', 'step_work']],
  ['the summary', ['TraceSummary']],
];
const counts = new Map(PARTS.map(([name]) => [name, 0]));
let other = 0, total = 0;
for (const sample of script.stdout.split('\n\n')) {
  const frames = sample.split('\n').slice(1).map((line) => line.trim()).filter(Boolean);
  if (frames.length === 0) continue;
  total++;
  const marked = (/** @type {string} */ frame, /** @type {string | RegExp} */ mark) => (typeof mark === 'string' ? frame.includes(mark) : mark.test(frame));
  const part = frames.map((frame) => PARTS.find(([, marks]) => marks.some((mark) => marked(frame, mark)))).find(Boolean);
  if (part) counts.set(part[0], counts.get(part[0]) + 1);
  else other++;
}
console.log(`${total} samples of one run (10 kHz: ${(total / 10).toFixed(0)} ms of CPU time)`);
console.log('| part of the work | share |');
console.log('| --- | --- |');
for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${(100 * count / total).toFixed(1)}% |`);
console.log(`| other (malloc, memcpy, the kernel's other work) | ${(100 * other / total).toFixed(1)}% |`);
