// The one module that talks to the WASM facade. Loaded at run time (kept out of the bundle).
// Every call returns an outcome instead of throwing, and says which kind of failure it was:
//   { ok: true, value }
//   { ok: false, input: true, where, what, message }   bad input: the core's StepCalcError,
//                                                      shown inline beside the field
//   { ok: false, input: false, message }               anything else is a bug in the page or
//                                                      the module, shown as one
/** @typedef {import('./wasm/stepcalc.mjs').StepCalc} StepCalc */
/** @typedef {import('./wasm/stepcalc.mjs').StepRequest} StepRequest */
/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./wasm/stepcalc.mjs').SweepSeries} SweepSeries */
/** @typedef {{ ok: false, input: true, where: string, what: string, message: string }} InputFailure */
/** @typedef {{ ok: false, input: false, message: string }} InternalFailure */
/** @typedef {InputFailure | InternalFailure} Failure */
/**
 * @template T
 * @typedef {{ ok: true, value: T } | Failure} Outcome
 */

/** @type {StepCalc | null} */
let calc = null;
/** @type {typeof import('./wasm/stepcalc.mjs').StepCalcError | null} */
let InputError = null;

export async function loadCalc() {
  const mod = await import('./wasm/stepcalc.mjs');
  InputError = mod.StepCalcError;
  calc = await mod.default();
  return calc;
}

// The module: the page awaits loadCalc() before it calls anything else.
function loaded() {
  if (!calc) throw new Error('the calculator module is used before loadCalc() finished');
  return calc;
}

/**
 * @template T
 * @param {() => T} fn
 * @returns {Outcome<T>}
 */
function outcome(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (InputError && e instanceof InputError) return { ok: false, input: true, where: e.where, what: e.what, message: e.message };
    const error = /** @type {{ stack?: string, message?: string } | null | undefined} */ (e);
    return { ok: false, input: false, message: String(error?.stack ?? error?.message ?? e) };
  }
}

/** @param {StepRequest} request */
export const compute = (request) => outcome(() => loaded().compute(request));
// One response per packed batch ([prefill, decode] rows) of one header, from one Scenario.
/**
 * @param {import('./wasm/stepcalc.mjs').ScenarioHeader} header
 * @param {[ArrayLike<number>, ArrayLike<number>][]} batches
 */
export const computeEach = (header, batches) => outcome(() => {
  const scenario = loaded().scenario(header);
  try {
    return batches.map(([prefill, decode]) => scenario.computePacked(prefill, decode));
  } finally {
    scenario.delete();
  }
});
// One model and β on many GPUs and TPs (the GPU × TP grid); the caller delete()s it.
/** @param {import('./wasm/stepcalc.mjs').GridScenarioHeader} header
 * @returns {Promise<Outcome<import('./wasm/stepcalc.mjs').GridScenario>>} */
export const gridScenario = (header) => loaded().gridScenario(header).then((value) => ({ ok: true, value }),
  (error) => outcome(() => { throw error; }));
// A custom model or GPU is checked by the core call made for that, not by a dummy request.
/** @param {import('./wasm/stepcalc.mjs').ModelConfig} config */
export const checkModel = (config) => outcome(() => loaded().checkModel(config));
/** @param {import('./wasm/stepcalc.mjs').Datasheet} datasheet */
export const checkGpu = (datasheet) => outcome(() => loaded().checkGpu(datasheet));
export const presets = () => loaded().presets();
// The core's bounds (max_rows, max_tokens, max_count, max_tp, max_sweep_points, ...).
export const limits = () => loaded().limits;
