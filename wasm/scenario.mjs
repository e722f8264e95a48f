// calc.scenario(header): one model, GPU, TP and β open in the core for many batches. The
// quick way when the step's rows pack into the heap; the full JSON path otherwise, and
// for every error.

import { StepCalcError } from './errors.mjs';
import { requestText } from './request_json.mjs';
import { checkSweepArguments } from './json_path.mjs';

/** @typedef {import('./stepcalc_glue.mjs').CoreScenario} CoreScenario */
/** @typedef {import('./response_builder.mjs').StepResponse} StepResponse */

const NO_ROWS = new Float64Array(0);

/**
 * @param {ReturnType<typeof import('./sessions.mjs').createSessions>['Session']} Session
 * @param {ReturnType<typeof import('./row_packing.mjs').createRowPacker>} packer
 * @param {ReturnType<typeof import('./json_path.mjs').createJsonPath>} jsonPath
 * @param {number} maxRows
 */
export function createScenarioClass(Session, { packStep, copyPacked }, { computeJson, sweepJson }, maxRows) {
  return class Scenario {
    /** @type {InstanceType<typeof Session>} */
    #session;
    /** @type {unknown} */
    #header;
    /** @param {unknown} header */
    constructor(header) {
      this.#header = header;
      this.#session = new Session(requestText(header)); // the core ignores a "step" here
      if (this.#session.error) throw this.#session.error;
    }
    #open() {
      if (this.#session.core === null) throw new Error('stepcalc: this Scenario was deleted');
      return this.#session;
    }
    /** @param {unknown} step @returns {StepResponse} */
    compute(step) {
      const session = this.#open();
      const rows = packStep(step);
      return (rows && session.compute(rows)) ?? computeJson(requestText({ .../** @type {object} */ (this.#header), step }));
    }
    /** @param {ArrayLike<number>} [prefill] @param {ArrayLike<number>} [decode] @returns {StepResponse} */
    computePacked(prefill = NO_ROWS, decode = NO_ROWS) {
      const session = this.#open();
      if (prefill.length % 3 !== 0) throw new StepCalcError('step.prefill', 'packed rows need 3 numbers each (tokens_this_step, prompt_tokens, count)');
      if (decode.length % 2 !== 0) throw new StepCalcError('step.decode', 'packed rows need 2 numbers each (context_length, count)');
      if (prefill.length / 3 > maxRows) throw new StepCalcError('step.prefill', `has ${prefill.length / 3} rows; at most ${maxRows} are allowed (use count)`);
      if (decode.length / 2 > maxRows) throw new StepCalcError('step.decode', `has ${decode.length / 2} rows; at most ${maxRows} are allowed (use count)`);
      const response = session.compute(copyPacked(prefill, decode));
      if (response === null) {
        const { where, what } = /** @type {CoreScenario} */ (session.core).error();
        throw new StepCalcError(where, what);
      }
      return response;
    }
    /** @param {unknown} step @param {string} variable @param {ArrayLike<number>} values */
    sweep(step, variable, values) {
      checkSweepArguments(variable, values);
      const session = this.#open();
      const rows = packStep(step);
      return (rows && session.sweep(rows, variable, values)) ??
        sweepJson(requestText({ .../** @type {object} */ (this.#header), step }), variable, values);
    }
    delete() {
      this.#session.delete();
    }
  }
}
