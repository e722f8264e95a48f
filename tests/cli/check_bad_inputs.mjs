// Runs every row of bad_inputs.mjs through `stepcalc compute` (request on stdin):
// each must exit 2 within one second, print nothing on stdout, and print one
// line "error: <expected>" on stderr that is valid UTF-8, free of control
// characters and at most MAX_LINE_BYTES long. Rows marked xfail are run and
// reported, not counted as failures.
// (Mutation tried: a wrapper CLI that exits 1 where stepcalc exits 2 failed all
// 85 asserted rows.)
// Usage: node tests/cli/check_bad_inputs.mjs path/to/stepcalc [--max-seconds S] [--print]
//   --max-seconds  the time bound per row (default 1; sanitizer builds are slower)
//   --print        show what the CLI answers for each row, to write a new row
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { badInputs } from './bad_inputs.mjs';

const MAX_LINE_BYTES = 1024;
const EXIT_BAD_INPUT = 2;

const { values: options, positionals: [cli] } = parseArgs({
  allowPositionals: true,
  options: { 'max-seconds': { type: 'string', default: '1' }, print: { type: 'boolean', default: false } },
});
const MAX_SECONDS = Number(options['max-seconds']);
if (!cli || !(MAX_SECONDS > 0)) {
  console.error('usage: node tests/cli/check_bad_inputs.mjs path/to/stepcalc [--max-seconds S] [--print]');
  process.exit(2);
}

// Why the line is not an acceptable error line, or '' when it is.
function lineProblem(line) {
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) return `longer than ${MAX_LINE_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(line)) return 'holds a control character';
  if (line.includes('\ufffd')) return 'is not valid UTF-8 (or holds U+FFFD)';
  return '';
}

// The problems with the CLI's answer to one row (empty when it is right).
function problems(row, result, seconds) {
  const found = [];
  if (result.error) return [`did not run: ${result.error.message}`];
  if (result.status !== EXIT_BAD_INPUT) found.push(`exit ${result.status ?? result.signal}, expected ${EXIT_BAD_INPUT}`);
  if (seconds > MAX_SECONDS) found.push(`took ${seconds.toFixed(2)} s, more than ${MAX_SECONDS} s`);
  if (result.stdout.length > 0) found.push(`wrote ${result.stdout.length} bytes to stdout`);
  const stderr = result.stderr.toString('utf8');
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

const excerpt = (text) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);

const labels = new Set();
let failures = 0;
let expectedFailures = 0;
for (const row of badInputs) {
  // The table itself: distinct rows, and no expected line the checks would refuse.
  if (labels.has(row.label)) throw new Error(`bad_inputs.mjs: the label "${row.label}" is used twice`);
  labels.add(row.label);
  if (typeof row.expected === 'string' && lineProblem(`error: ${row.expected}`)) {
    throw new Error(`bad_inputs.mjs: the expected line of "${row.label}" ${lineProblem(row.expected)}`);
  }
  const start = performance.now();
  const result = spawnSync(cli, ['compute'], { input: row.input, maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (options.print) {
    console.log(`${row.label}: exit ${result.status}, ${seconds.toFixed(3)} s: ${excerpt(result.stderr.toString('utf8'))}`);
    continue;
  }
  const found = problems(row, result, seconds);
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
  console.log(`bad inputs: ${badInputs.length} rows, ${failures} failed, ${expectedFailures} marked as expected failures`);
}
process.exit(failures > 0 ? 1 : 0);
