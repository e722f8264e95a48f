// The one module that talks to the WASM facade. Loaded at run time (kept out of the bundle).
let calc = null;
let ErrorClass = null;

export async function loadCalc() {
  const mod = await import('./wasm/stepcalc.mjs');
  ErrorClass = mod.StepCalcError;
  calc = await mod.default();
  return calc;
}

function wrap(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (ErrorClass && e instanceof ErrorClass) return { ok: false, where: e.where, what: e.what, message: e.message };
    return { ok: false, where: '', what: String(e?.message ?? e), message: `error: ${e?.message ?? e}` };
  }
}

export const compute = (request) => wrap(() => calc.compute(request));
export const sweep = (request, variable, values) => wrap(() => calc.sweep(request, variable, values));
export const presets = () => calc.presets();
