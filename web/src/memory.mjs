// Memory fit: the bar beside the step time (weights / KV cache / free, per GPU), and, when
// the step does not fit, the message at the top of the results with the smallest preset
// TP at which the same request fits. Every byte count is the core's `memory` object.
import { compute } from './calc.mjs';
import { bytes, count, pct } from './format.mjs';
import { kvReplicated } from './verdict.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./wasm/stepcalc.mjs').StepRequest} StepRequest */

// The TP sizes the presets come in; the suggestion is the smallest of these that fits.
export const TP_SIZES = [1, 2, 4, 8, 16];

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {StepResponse['memory']} m */
export const needBytes = (m) => m.weight_bytes + m.kv_cache_bytes;

// The smallest TP among TP_SIZES, above the current one, at which the request fits;
// null when none does (or the GPU cannot run them, e.g. no link for TP > 1).
/**
 * @param {StepRequest} request
 * @param {number} tp
 */
export function fittingTp(request, tp) {
  for (const size of TP_SIZES) {
    if (size <= tp) continue;
    const out = compute({ ...request, tp: size });
    if (out.ok && out.value.memory.fits === true) return size;
  }
  return null;
}

// The one-line does-not-fit message, or '' when the step fits or the capacity is unknown.
/**
 * @param {StepResponse} r
 * @param {StepRequest} request
 */
export function doesNotFitText(r, request) {
  const m = r.memory;
  if (m.fits !== false) return '';
  const head = `Does not fit: needs ${bytes(needBytes(m))} per GPU, has ${bytes(m.usable_bytes)} usable`;
  const tp = fittingTp(request, r.scenario.tp);
  if (tp !== null) return `${head}; try TP ≥ ${tp}.`;
  const largest = TP_SIZES[TP_SIZES.length - 1];
  return r.scenario.tp >= largest
    ? `${head}; use a GPU with more memory or a smaller batch.`
    : `${head}; no TP up to ${largest} fits this GPU: use a GPU with more memory or a smaller batch.`;
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
