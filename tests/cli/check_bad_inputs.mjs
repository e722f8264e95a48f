// Runs every row of bad_inputs.mjs through `stepcalc compute` (request on stdin):
// each must exit 2 within one second of CPU time (user + system, so that other
// work on a shared machine does not count; a row still running after ten times
// that in wall time is a hang and is stopped), print nothing on stdout, and print one
// line "error: <expected>" on stderr that is valid UTF-8, free of control
// characters and at most MAX_LINE_BYTES long. Rows marked xfail are run and
// reported, not counted as failures.
// (Mutations tried: a wrapper CLI that exits 1 where stepcalc exits 2 failed all
// 85 rows asserted then; --max-seconds 0.1 fails the two 10 MiB rows that pass,
// which take about 0.2 s of CPU time; a wrapper that sleeps failed every row as hung.)
// Usage: node tests/cli/check_bad_inputs.mjs path/to/stepcalc [--max-seconds S] [--print]
//   --max-seconds  the time bound per row (default 1; sanitizer builds are slower)
//   --print        show what the CLI answers for each row, to write a new row
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { badInputs } from './bad_inputs.mjs';

const MAX_LINE_BYTES = 1024;
const EXIT_BAD_INPUT = 2;
const EXIT_TIMEOUT = 124; // coreutils timeout

const { values: options, positionals: [cli] } = parseArgs({
  allowPositionals: true,
  options: { 'max-seconds': { type: 'string', default: '1' }, print: { type: 'boolean', default: false } },
});
const MAX_SECONDS = Number(options['max-seconds']);
const HANG_SECONDS = 10 * MAX_SECONDS; // wall time, for a CLI that waits instead of working
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
  if (result.status === EXIT_TIMEOUT) found.push(`hung: stopped after ${HANG_SECONDS} s`);
  else if (!(seconds <= MAX_SECONDS)) found.push(`took ${seconds.toFixed(2)} s of CPU time, more than ${MAX_SECONDS} s`);
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

// Runs the CLI on `input` under bash's `time`, whose report goes to a file so
// that the CLI's own stdout and stderr reach us untouched, and under coreutils'
// `timeout`, which ends a hang (exit status 124).
function run(input) {
  const times = join(scratch, 'times');
  rmSync(times, { force: true });
  const script = 'TIMEFORMAT="%3U %3S"; { time timeout "$2" "$0" compute 2>&3; } 3>&2 2>"$1"';
  const result = spawnSync('bash', ['-c', script, cli, times, String(HANG_SECONDS)],
    { input, maxBuffer: 64 * 1024 * 1024 });
  const [user, system] = existsSync(times) ? readFileSync(times, 'utf8').trim().split(' ').map(Number) : [NaN, NaN];
  return { result, seconds: user + system };
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
  const { result, seconds } = run(row.input);
  if (options.print) {
    console.log(`${row.label}: exit ${result.status}, ${seconds.toFixed(3)} s CPU: ${excerpt(result.stderr.toString('utf8'))}`);
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
