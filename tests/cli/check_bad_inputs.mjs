// Runs every row of bad_inputs.mjs through `stepcalc compute` (request on stdin):
// each must exit 2, print nothing on stdout, and print one line "error: <expected>" on
// stderr that is valid UTF-8, free of control characters and at most MAX_LINE_BYTES long.
// Rows marked xfail are run and reported, not counted as failures.
//
// The work a row costs is bounded by counts, not by time: with --work-counter (the
// library tests/cli/work_counter.cpp, preloaded into the CLI) the bytes the CLI asks the
// heap for, and its peak resident memory, must stay within a constant plus a small
// multiple of the input's size. A CPU-time bound failed on a loaded machine; these counts
// are the same there. Code that goes quadratic on the 10 MiB rows asks for terabytes
// (a buffer grown a byte at a time, a copy of the rest of the input per token) or never
// ends, which the hang net below stops: it is a safety net for a hang, not a time bound
// (a linear pass over every row takes well under a second; a quadratic one on 10 MiB, hours).
// (Mutations tried: see docs/testing.md.)
// Usage: node tests/cli/check_bad_inputs.mjs path/to/stepcalc [--work-counter lib.so] [--print]
//   --work-counter  the preload library that counts heap work (left out under sanitizers,
//                   whose own allocator cannot be interposed)
//   --print         show what the CLI answers for each row and the work it did, to write a new row
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { badInputs } from './bad_inputs.mjs';

const MAX_LINE_BYTES = 1024;
const EXIT_BAD_INPUT = 2;
const HANG_NET_MS = 120_000;
const MiB = 1024 * 1024;
// Measured on the native Release build (2026-12, docs/testing.md): the heap is asked for at
// most 13 bytes per input byte on the 10 MiB rows (26 on the 1 MiB unclosed string: the
// text read, the token grown by doubling, its excerpt) and 1.9 MB on the small ones; the
// peak RSS is at most 8 bytes per input byte on the 10 MiB rows and 25 MB on the small
// ones (the presets). The bounds leave about 2.5 times that; quadratic work on a 10 MiB
// row asks for terabytes.
const HEAP_BYTES_PER_INPUT_BYTE = 32, HEAP_BASE_BYTES = 8 * MiB;
const RSS_BYTES_PER_INPUT_BYTE = 12, RSS_BASE_BYTES = 48 * MiB;

const { values: options, positionals: [cli] } = parseArgs({
  allowPositionals: true,
  options: { 'work-counter': { type: 'string' }, print: { type: 'boolean', default: false } },
});
const counter = options['work-counter'];
if (!cli || (counter !== undefined && !existsSync(counter))) {
  console.error('usage: node tests/cli/check_bad_inputs.mjs path/to/stepcalc [--work-counter lib.so] [--print]');
  process.exit(2);
}

// Why the line is not an acceptable error line, or '' when it is.
function lineProblem(line) {
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) return `longer than ${MAX_LINE_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(line)) return 'holds a control character';
  if (line.includes('\ufffd')) return 'is not valid UTF-8 (or holds U+FFFD)';
  return '';
}

// Where the CLI's work on `inputBytes` bytes went past its bounds (empty when it did not).
function workProblems(work, inputBytes) {
  if (counter === undefined) return [];
  if (work === null) return ['wrote no work report (did it end without running its exit handlers?)'];
  const found = [];
  const heapBound = HEAP_BYTES_PER_INPUT_BYTE * inputBytes + HEAP_BASE_BYTES;
  const rssBound = RSS_BYTES_PER_INPUT_BYTE * inputBytes + RSS_BASE_BYTES;
  if (work.heapBytes > heapBound) found.push(`asked the heap for ${work.heapBytes} bytes, more than ${heapBound}`);
  if (work.peakRssBytes > rssBound) found.push(`peaked at ${work.peakRssBytes} bytes resident, more than ${rssBound}`);
  return found;
}

// The problems with the CLI's answer to one row (empty when it is right).
function problems(row, result, work) {
  if (result.error?.code === 'ETIMEDOUT') return [`hung: stopped by the ${HANG_NET_MS / 1000} s safety net`];
  if (result.error) return [`did not run: ${result.error.message}`];
  const found = [];
  if (result.status !== EXIT_BAD_INPUT) found.push(`exit ${result.status ?? result.signal}, expected ${EXIT_BAD_INPUT}`);
  found.push(...workProblems(work, Buffer.byteLength(row.input)));
  if (result.stdout.length > 0) found.push(`wrote ${result.stdout.length} bytes to stdout`);
  const stderr = result.stderr.toString('utf8');
  if (stderr === '') return [...found, 'wrote nothing to stderr'];
  const lines = stderr.endsWith('\n') ? stderr.slice(0, -1).split('\n') : [stderr, '(no final newline)'];
  if (lines.length !== 1) found.push(`wrote ${lines.length} lines to stderr`);
  const line = lines[0];
  const problem = lineProblem(line);
  if (problem) found.push(`the stderr line ${problem}`);
  const message = line.startsWith('error: ') ? line.slice('error: '.length) : null;
  if (message === null) found.push('the stderr line does not start with "error: "');
  else if (row.expected instanceof RegExp ? !row.expected.test(message) : message !== row.expected) {
    found.push(`stderr "${excerpt(line)}", expected "error: ${row.expected}"`);
  }
  return found;
}

// Runs the CLI on `input`, with the work counter preloaded when there is one.
function run(input) {
  const report = join(scratch, 'work');
  rmSync(report, { force: true });
  const env = counter === undefined ? process.env
    : { ...process.env, LD_PRELOAD: counter, STEPCALC_WORK_REPORT: report };
  const result = spawnSync(cli, ['compute'], { input, env, timeout: HANG_NET_MS, maxBuffer: 64 * MiB });
  let work = null;
  if (existsSync(report)) {
    const [heapBytes, allocations, peakRssKiB] = readFileSync(report, 'utf8').trim().split(' ').map(Number);
    work = { heapBytes, allocations, peakRssBytes: peakRssKiB * 1024 };
  }
  return { result, work };
}

const excerpt = (text) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);

const scratch = mkdtempSync(join(tmpdir(), 'stepcalc-bad-inputs-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const labels = new Set();
let failures = 0;
let expectedFailures = 0;
for (const row of badInputs) {
  // The table itself: distinct rows, and no expected line the checks would refuse.
  if (labels.has(row.label)) throw new Error(`bad_inputs.mjs: the label "${row.label}" is used twice`);
  labels.add(row.label);
  const expectedProblem = typeof row.expected === 'string' ? lineProblem(`error: ${row.expected}`) : '';
  if (expectedProblem) throw new Error(`bad_inputs.mjs: the expected line of "${row.label}" ${expectedProblem}`);
  const { result, work } = run(row.input);
  if (options.print) {
    const spent = work ? `${Buffer.byteLength(row.input)} B in, ${work.heapBytes} B asked in ${work.allocations} calls, peak RSS ${work.peakRssBytes} B` : 'no work report';
    console.log(`${row.label}: exit ${result.status}, ${spent}: ${excerpt(result.stderr.toString('utf8'))}`);
    continue;
  }
  const found = problems(row, result, work);
  if (row.xfail) {
    expectedFailures += 1;
    if (found.length === 0) console.log(`XPASS ${row.label}: passes now; remove its xfail mark (${row.xfail})`);
    else console.log(`XFAIL ${row.label}: expected failure (${row.xfail}): ${found.join('; ')}`);
  } else if (found.length > 0) {
    failures += 1;
    console.log(`FAIL ${row.label}: ${found.join('; ')}`);
  }
}
if (!options.print) {
  const bounded = counter === undefined ? 'work not counted' : 'heap bytes and peak memory bounded by input size';
  console.log(`bad inputs: ${badInputs.length} rows, ${failures} failed, ${expectedFailures} marked as expected failures (${bounded})`);
}
process.exit(failures > 0 ? 1 : 0);
