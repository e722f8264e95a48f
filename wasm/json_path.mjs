// The core's full JSON path: request text in, the response or the error the CLI would
// print out. The facade's answer whenever it cannot take the quick way, and for every
// error, so answers and messages are always the CLI's. Also the sweep's arguments and
// columns, the same on both paths.

import { StepCalcError } from './errors.mjs';

/** @typedef {import('./stepcalc_glue.mjs').Glue} Glue */
/** @typedef {import('./stepcalc_glue.mjs').SweepOutcome} SweepOutcome */
/** @typedef {import('./stepcalc.mjs').SweepSeries} SweepSeries */
/** @typedef {import('./stepcalc.mjs').StepResponse} StepResponse */

const SWEEP_COLUMNS = ['values', 't_pf_compute', 't_pf_kv', 't_dc_compute', 't_dc_kv',
  't_weight', 't_tp', 'batch_size', 'step_time_us', 'headroom_bytes'];

/** @param {unknown} variable @param {unknown} values
 * @returns {asserts values is ArrayLike<number>} */
export function checkSweepArguments(variable, values) {
  if (typeof variable !== 'string') throw new StepCalcError('sweep.variable', `expected a string, got ${typeof variable}`);
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new StepCalcError('sweep.values', 'expected an array of numbers');
  const list = /** @type {ArrayLike<unknown>} */ (values);
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'number') throw new StepCalcError(`sweep.values[${i}]`, `expected a number, got ${typeof list[i]}`);
  }
}

/** @param {SweepOutcome & { ok: true }} outcome @returns {SweepSeries} */
export function sweepColumns(outcome) {
  /** @type {Record<string, Float64Array>} */
  const series = {};
  for (const column of SWEEP_COLUMNS) series[column] = outcome[column];
  return /** @type {SweepSeries} */ (/** @type {unknown} */ (series));
}

// A result's JSON text, or its error thrown.
/** @param {import('./stepcalc_glue.mjs').Outcome} outcome */
export function parsedOutcome(outcome) {
  if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
  return JSON.parse(outcome.text);
}

/** @param {Glue} glue */
export function createJsonPath(glue) {
  return {
    /** @param {string} text @returns {StepResponse} */
    computeJson(text) {
      return parsedOutcome(glue.computeJson(text));
    },
    /** @param {string} text @param {string} variable @param {ArrayLike<number>} values */
    sweepJson(text, variable, values) {
      const outcome = glue.sweepJson(text, variable, Array.from(values));
      if (!outcome.ok) throw new StepCalcError(outcome.where, outcome.what);
      return sweepColumns(outcome);
    },
  };
}
