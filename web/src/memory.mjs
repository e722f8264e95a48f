// Memory fit: the bar beside the step time (weights / KV cache / free, per GPU), and, when
// the step does not fit, the message at the top of the results with the smallest preset
// TP at which the same request fits. Every byte count is the core's `memory` object.
import { compute, limits } from './calc.mjs';
import { bytes, count, pct } from './format.mjs';
import { kvReplicated } from './verdict.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./wasm/stepcalc.mjs').StepRequest} StepRequest */

// The TP sizes the presets come in; the suggestion is the smallest of these that fits.
export const TP_SIZES = [1, 2, 4, 8, 16];

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {StepResponse['memory']} m */
export const needBytes = (m) => m.weight_bytes + m.kv_cache_bytes;

// The core's response at each of TP_SIZES above the current TP, in order (null where the
// GPU cannot run it, e.g. no link for TP > 1).
/**
 * @param {StepRequest} request
 * @param {number} tp
 * @returns {{ tp: number, memory: StepResponse['memory'] | null }[]}
 */
function largerTps(request, tp) {
  return TP_SIZES.filter((size) => size > tp).map((size) => {
    const out = compute({ ...request, tp: size });
    return { tp: size, memory: out.ok ? out.value.memory : null };
  });
}

// The smallest TP among TP_SIZES, above the current one, at which the request fits;
// null when none does (or the GPU cannot run them, e.g. no link for TP > 1).
/**
 * @param {StepRequest} request
 * @param {number} tp
 */
export function fittingTp(request, tp) {
  return largerTps(request, tp).find((at) => at.memory?.fits === true)?.tp ?? null;
}

/** @param {string[]} xs */
const orList = (xs) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}` : xs[0]);

// The one-line does-not-fit message, or '' when the step fits or the capacity is unknown.
// Each fix it names can work on its own: a larger TP where the request fits at it; the
// core's default memory utilization, when the one set is below it, where the request fits
// at that (at this TP or a larger one); a smaller batch only where the weights alone fit.
/**
 * @param {StepResponse} r
 * @param {StepRequest} request
 */
export function doesNotFitText(r, request) {
  const m = r.memory;
  if (m.fits !== false) return '';
  const head = `Does not fit: needs ${bytes(needBytes(m))} per GPU, has ${bytes(m.usable_bytes)} usable`;
  const byDefault = limits().default_gpu_memory_utilization;
  const lowUtil = m.utilization < byDefault;
  const util = `the GPU memory utilization of ${pct(m.utilization)}`, atDefault = `at the default ${pct(byDefault)}`;
  /** @type {number | null} */
  let tpAtDefault = null;
  if (lowUtil) {
    const defaultRequest = { ...request, gpu_memory_utilization: byDefault };
    const here = compute(defaultRequest);
    if (here.ok && here.value.memory.fits === true) return `${head}; ${util} is the limit: ${atDefault} it fits.`;
    tpAtDefault = fittingTp(defaultRequest, r.scenario.tp);
  }
  const larger = largerTps(request, r.scenario.tp);
  const tp = larger.find((at) => at.memory?.fits === true)?.tp;
  if (tp !== undefined) {
    if (tpAtDefault !== null && tpAtDefault < tp) return `${head}; try TP ≥ ${tp}, or TP ≥ ${tpAtDefault} ${atDefault} GPU memory utilization (now ${pct(m.utilization)}).`;
    return `${head}; try TP ≥ ${tp}${lowUtil ? ` (with ${util}; the default is ${pct(byDefault)})` : ''}.`;
  }
  const largest = TP_SIZES[TP_SIZES.length - 1];
  if (tpAtDefault !== null) return `${head}; no TP up to ${largest} fits with ${util}; ${atDefault}, TP ≥ ${tpAtDefault} does.`;
  const fixes = ['a GPU with more memory'];
  // Where the weights alone fit, a smaller batch can make the step fit.
  const weightsFit = [{ tp: r.scenario.tp, memory: m }, ...larger].find((at) => at.memory !== null && at.memory.usable_bytes !== null && at.memory.weight_bytes < at.memory.usable_bytes);
  if (weightsFit) fixes.push(weightsFit.tp === r.scenario.tp ? 'a smaller batch' : `a smaller batch at TP ≥ ${weightsFit.tp}`);
  const noTp = r.scenario.tp >= largest ? '' : `no TP up to ${largest} fits this GPU: `;
  return `${head}; ${noTp}use ${orList(fixes)}${lowUtil ? ` (${util} is below the default ${pct(byDefault)})` : ''}.`;
}

// The short line under the bar (the embedded view shows only this one).
/** @param {StepResponse} r */
export function memorySummary(r) {
  const m = r.memory, need = bytes(needBytes(m));
  if (m.fits === null) return `${need} needed; capacity unknown`;
  return m.fits ? `${need} of ${bytes(m.usable_bytes)} usable: fits` : `${need} needed, ${bytes(m.usable_bytes)} usable: does not fit`;
}

// How many of the step's decode requests fit (the core's max_decode_requests), fit or not;
// '' without decode requests or a capacity.
/** @param {StepResponse} r */
function decodeRoom(r) {
  const most = r.memory.max_decode_requests;
  if (!(r.work.decode.requests > 0) || most === null) return '';
  if (most === 0) return `; not one decode request fits beside the weights${r.work.prefill.tokens > 0 ? ' and the prefill chunks' : ''}`;
  return `; at most ${count(most, 'decode request')} at this step's mean context ${most === 1 ? 'fits' : 'fit'}`;
}

// The sentence under it.
/** @param {StepResponse} r */
export function memoryText(r) {
  const m = r.memory;
  // With kv_heads < TP the KV cache counts the replicated heads, not the roofline terms' 0.
  const replicated = kvReplicated(r)
    ? ` (${count(r.sharding.kv_heads_stored_per_gpu, 'KV head')} per GPU, replicated as real engines store it; the roofline terms count ${r.sharding.kv_heads_per_gpu})`
    : '';
  const parts = `weights ${bytes(m.weight_bytes)} + KV cache ${bytes(m.kv_cache_bytes)}${replicated} = ${bytes(needBytes(m))}`;
  if (m.fits === null) return `${parts} per GPU; this GPU's datasheet gives no memory capacity, so whether it fits is unknown.`;
  const of = `of ${bytes(m.usable_bytes)} usable (${pct(m.utilization)} of ${bytes(m.capacity_bytes)})`;
  const room = decodeRoom(r);
  // fits is false only with a capacity, so with a headroom
  if (!m.fits) return `${parts} per GPU, over the ${bytes(m.usable_bytes)} usable (${pct(m.utilization)} of ${bytes(m.capacity_bytes)}) by ${bytes(-(/** @type {number} */ (m.headroom_bytes)))}${room}.`;
  return `${parts} ${of}; ${bytes(m.headroom_bytes)} free${room}.`;
}

export function createMemoryView() {
  const box = $('memory-fit'), bar = $('memory-bar'), summary = $('memory-summary'), text = $('memory-text'), alert = $('fit-alert');
  const [weights, kv, free] = /** @type {NodeListOf<HTMLElement>} */ (bar.querySelectorAll('.mseg')), limit = /** @type {HTMLElement} */ (bar.querySelector('.mlimit'));

  return {
    /**
     * @param {StepResponse} r
     * @param {StepRequest} request
     */
    update(r, request) {
      const m = r.memory, need = needBytes(m);
      box.dataset.fits = m.fits === null ? 'unknown' : String(m.fits);
      // Whole bytes: the core's weight share is weights ÷ TP, fractional at TP 3.
      box.dataset.needBytes = String(Math.round(need));
      box.dataset.usableBytes = m.usable_bytes === null ? '' : String(m.usable_bytes);
      // The bar spans the usable memory, or what is needed when that is more.
      const scale = Math.max(need, m.usable_bytes ?? 0);
      /** @param {number} x */
      const share = (x) => `${scale > 0 ? ((x / scale) * 100).toFixed(3) : 0}%`;
      weights.style.width = share(m.weight_bytes);
      kv.style.width = share(m.kv_cache_bytes);
      free.style.width = share(Math.max(0, m.headroom_bytes ?? 0));
      // Past the usable memory, a mark shows where it ends.
      limit.hidden = m.fits !== false;
      limit.style.left = share(m.usable_bytes ?? 0);
      summary.textContent = memorySummary(r);
      text.textContent = memoryText(r);
      bar.setAttribute('aria-label', `Memory per GPU: ${text.textContent}`);
      const message = doesNotFitText(r, request);
      alert.hidden = message === '';
      alert.textContent = message;
    },
  };
}
