// The one module that talks to the WASM facade. Loaded at run time (kept out of the bundle).
// Every call returns an outcome instead of throwing, and says which kind of failure it was:
//   { ok: true, value }
//   { ok: false, input: true, where, what, message }   bad input: the core's StepCalcError,
//                                                      shown inline beside the field
//   { ok: false, input: false, message }               anything else is a bug in the page or
//                                                      the module, shown as one
let calc = null;
let InputError = null;

export async function loadCalc() {
  const mod = await import('./wasm/stepcalc.mjs');
  InputError = mod.StepCalcError;
  calc = await mod.default();
  return calc;
}

function outcome(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (InputError && e instanceof InputError) return { ok: false, input: true, where: e.where, what: e.what, message: e.message };
    return { ok: false, input: false, message: String(e?.stack ?? e?.message ?? e) };
  }
}

export const compute = (request) => outcome(() => calc.compute(request));
// One response per packed batch ([prefill, decode] rows) of one header, from one Scenario.
export const computeEach = (header, batches) => outcome(() => {
  const scenario = calc.scenario(header);
  try {
    return batches.map(([prefill, decode]) => scenario.computePacked(prefill, decode));
  } finally {
    scenario.delete();
  }
});
// A custom model or GPU is checked by the core call made for that, not by a dummy request.
export const checkModel = (config) => outcome(() => calc.checkModel(config));
export const checkGpu = (datasheet) => outcome(() => calc.checkGpu(datasheet));
export const presets = () => calc.presets();
// The core's bounds (max_rows, max_tokens, max_count, max_tp, max_sweep_points, ...).
export const limits = () => calc.limits;
