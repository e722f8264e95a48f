// The bad-input table (tests/cli/bad_inputs.mjs, 101 hostile requests) through the WASM
// module's calc.compute: each must throw a StepCalcError, never return and never crash,
// within one second of CPU time. For text rows the message is the CLI's line exactly;
// rows given as raw bytes (invalid UTF-8, BOMs, UTF-16) reach the module as JS text
// decoded from them, so for those the message must only be one line naming a place.
// (It found a real defect: the facade took an array for a plain step object, so
// `"step": []` computed an empty step instead of the CLI's error. Undoing that fix fails
// this test again.)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { badInputs } from '../cli/bad_inputs.mjs';
import { loadCalc } from './support.mjs';

const calc = await loadCalc();
const { StepCalcError } = await import('../../build/wasm/stepcalc.mjs');
const MAX_CPU_SECONDS = 1;

test(`every row of the bad-input table (${badInputs.length}) throws the right StepCalcError in time`, () => {
  const failures = [];
  let exact = 0;
  for (const row of badInputs) {
    const text = typeof row.input === 'string' ? row.input : row.input.toString('utf8');
    const before = process.cpuUsage();
    let outcome;
    try {
      calc.compute(text);
      outcome = 'returned a result';
    } catch (error) {
      if (!(error instanceof StepCalcError)) outcome = `threw ${error?.name}: ${error?.message}`;
      else if (typeof row.input === 'string' && typeof row.expected === 'string') {
        exact++;
        if (error.message !== `error: ${row.expected}`) outcome = `said ${JSON.stringify(error.message.slice(0, 200))}`;
      } else if (row.expected instanceof RegExp && !row.expected.test(`${error.where}: ${error.what}`)) {
        outcome = `said ${JSON.stringify(error.message.slice(0, 200))}, not ${row.expected}`;
      } else if (!error.where || error.message.includes('\n')) {
        outcome = `gave no place or several lines: ${JSON.stringify(error.message.slice(0, 200))}`;
      }
    }
    const used = process.cpuUsage(before);
    const seconds = (used.user + used.system) / 1e6;
    if (seconds > MAX_CPU_SECONDS) outcome = `${outcome ?? 'ok'}, but took ${seconds.toFixed(2)} s of CPU time`;
    if (outcome) failures.push(`${row.label}: ${outcome}`);
  }
  assert.deepStrictEqual(failures, []);
  assert.ok(exact >= 60, `${exact} rows compared exactly with the CLI's line`);
});
