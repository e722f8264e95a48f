// The bad-input table (tests/cli/bad_inputs.mjs, 101 hostile requests) through the WASM
// module's calc.compute: each must throw a StepCalcError, never return and never crash.
// For text rows the message is the CLI's line exactly; rows given as raw bytes (invalid
// UTF-8, BOMs, UTF-16) reach the module as JS text decoded from them, so for those the
// message must only be one line naming a place.
// The work a row costs is bounded by memory, not time (a CPU-time bound failed on a loaded
// machine). The table runs twice; the first pass fills the module's caches (the sessions
// calc.compute keeps open). After it, WebAssembly memory is within a small multiple of the
// largest input (a copy per token, or a buffer that grows without bound, shows here); on
// the second pass every row, and the pass as a whole, gives back all the heap it took (an
// error path that leaks shows here) and memory does not grow at all. The native CLI's check
// (check_bad_inputs.mjs) also bounds the bytes asked of the heap in total.
// (It found a real defect: the facade took an array for a plain step object, so
// `"step": []` computed an empty step instead of the CLI's error. Undoing that fix fails
// this test again. Mutations tried for the bounds: docs/testing.md.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { badInputs } from '../cli/bad_inputs.mjs';
import { loadCalc } from './support.mjs';

const calc = await loadCalc();
const { StepCalcError } = await import('../../build/wasm/stepcalc.mjs');
const MiB = 1024 * 1024;
// malloc may hand out a chunk a few bytes larger than asked from call to call.
const HEAP_SLACK_BYTES = 1024;
// Measured: after the table, memory is 92.8 MB, 8.9 bytes per byte of the largest input
// (10 MiB: the text in UTF-8, the parsed string and its excerpt).
const MEMORY_BYTES_PER_INPUT_BYTE = 12, MEMORY_BASE_BYTES = 16 * MiB;

// What is wrong with the module's answer to one row ('' when it is right), and whether
// its message was compared exactly with the CLI's line.
function outcome(row, text) {
  try {
    calc.compute(text);
    return { problem: 'returned a result', exact: false };
  } catch (error) {
    if (!(error instanceof StepCalcError)) return { problem: `threw ${error?.name}: ${error?.message}`, exact: false };
    const said = JSON.stringify(error.message.slice(0, 200));
    if (typeof row.input === 'string' && typeof row.expected === 'string') {
      return { problem: error.message === `error: ${row.expected}` ? '' : `said ${said}`, exact: true };
    }
    if (row.expected instanceof RegExp && !row.expected.test(`${error.where}: ${error.what}`)) {
      return { problem: `said ${said}, not ${row.expected}`, exact: false };
    }
    return { problem: !error.where || error.message.includes('\n') ? `gave no place or several lines: ${said}` : '', exact: false };
  }
}

test(`every row of the bad-input table (${badInputs.length}) throws the right StepCalcError, within bounded memory`, () => {
  const texts = badInputs.map((row) => (typeof row.input === 'string' ? row.input : row.input.toString('utf8')));
  badInputs.forEach((row, i) => outcome(row, texts[i]));
  const largestInput = Math.max(...texts.map((text) => Buffer.byteLength(text)));
  const memoryBound = MEMORY_BYTES_PER_INPUT_BYTE * largestInput + MEMORY_BASE_BYTES;
  const memoryAfterFirstPass = calc.memoryBytes();
  assert.ok(memoryAfterFirstPass <= memoryBound, `WebAssembly memory grew to ${memoryAfterFirstPass} bytes, more than ${memoryBound}`);

  const failures = [];
  let exact = 0;
  const heapBeforeSecondPass = calc.heapBytesInUse();
  for (const [i, row] of badInputs.entries()) {
    const heapBefore = calc.heapBytesInUse();
    const result = outcome(row, texts[i]);
    if (result.exact) exact++;
    const problems = result.problem ? [result.problem] : [];
    const kept = calc.heapBytesInUse() - heapBefore;
    if (kept > HEAP_SLACK_BYTES) problems.push(`kept ${kept} bytes of heap after the error`);
    if (problems.length) failures.push(`${row.label}: ${problems.join('; ')}`);
  }
  assert.deepStrictEqual(failures, []);
  const keptByPass = calc.heapBytesInUse() - heapBeforeSecondPass;
  assert.ok(keptByPass <= HEAP_SLACK_BYTES, `the second pass kept ${keptByPass} bytes of heap`);
  assert.equal(calc.memoryBytes(), memoryAfterFirstPass, 'WebAssembly memory grew on the second pass');
  assert.ok(exact >= 60, `${exact} rows compared exactly with the CLI's line`);
});
