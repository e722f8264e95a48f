// The one-line caption beside the step time: what the number is for. Model, GPU and TP as
// the core's response names them, the batch in words, and the coefficients when they are
// not the default set: "Llama 2 70B on H100 SXM, TP 4 · 1 prefill chunk of 512 (prompt 512)
// + 32 decodes at 1,000". Pure functions (no DOM), so every wording is tested on the edge
// cases like a number (tests/e2e/caption.test.mjs).
import { customItem } from './state.mjs';
import { exact, num } from './format.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./wasm/stepcalc.mjs').PresetListing} PresetListing */
/** @typedef {import('./state.mjs').PageRequest['step']} PageStep */
/** @typedef {{ model: string, gpu: string, coefficients: string | null }} CaptionNames coefficients: null for the default set */

// Counts and sizes read exactly, in e-notation from 10⁷ when that is the same number (1e8
// tokens), so no figure is a long run of digits. "512" when every value is the same, else
// the smallest and largest: "1,024–8,192".
/** @param {number[]} values at least one */
function spread(values) {
  let low = values[0], high = values[0];
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low === high ? exact(low) : `${exact(low)}–${exact(high)}`;
}

// The batch in words. The request counts come from the core's response (work.*.requests);
// the sizes from the rows it was asked about (the response keeps only their sums).
/** @param {StepResponse} r @param {PageStep} step */
export function batchWords(r, step) {
  const chunks = r.work.prefill.requests, decodes = r.work.decode.requests;
  const parts = [];
  if (chunks > 0) {
    const sizes = spread(step.prefill.map((row) => row.tokens_this_step));
    const prompts = spread(step.prefill.map((row) => row.prompt_tokens));
    parts.push(chunks === 1 ? `1 prefill chunk of ${sizes} (prompt ${prompts})` : `${exact(chunks)} prefill chunks of ${sizes} (prompts ${prompts})`);
  }
  if (decodes > 0) parts.push(`${exact(decodes)} ${decodes === 1 ? 'decode' : 'decodes'} at ${spread(step.decode.map((row) => row.context_length))}`);
  return parts.length ? parts.join(' + ') : 'an empty batch (no requests)';
}

// A β value as the caption shows it, and whether that text is the value itself.
/** @param {number} b */
const betaText = (b) => ({ text: num(b), exact: Number(num(b).replace(/,/g, '')) === b });

// The page's name for a preset: its name in the core's listing.
/** @param {{ id: string, name: string }[]} list @param {string} id */
const presetName = (list, id) => list.find((item) => item.id === id)?.name ?? id;

// The names the page uses for a scenario's model, GPU and coefficients, wherever it names
// them (the caption, the Serving view): a preset by its name in the core's listing, a custom
// model or GPU by the name the user gave it, marked custom (the core calls every one
// "custom"); custom coefficients as "custom β".
/**
 * @param {Pick<import('./state.mjs').Scenario, 'model' | 'gpu' | 'coef'>} scenario
 * @param {import('./state.mjs').Custom} custom
 * @param {PresetListing} presets
 */
export function scenarioNames(scenario, custom, presets) {
  const model = customItem(custom.models, scenario.model), gpu = customItem(custom.gpus, scenario.gpu);
  return {
    model: model ? `${model.name} (custom)` : presetName(presets.models, scenario.model),
    gpu: gpu ? `${gpu.name} (custom)` : presetName(presets.gpus, scenario.gpu),
    coefficients: scenario.coef === 'custom' ? 'custom β' : presetName(presets.coefficients, scenario.coef),
  };
}

// The caption's names: the coefficients only when they are not the default set, custom β
// with their values.
/**
 * @param {StepResponse} r
 * @param {import('./state.mjs').Scenario} scenario the page's scenario r was computed for
 * @param {import('./state.mjs').Custom} custom
 * @param {PresetListing} presets
 * @returns {CaptionNames}
 */
export function captionNames(r, scenario, custom, presets) {
  const { model, gpu } = scenarioNames(scenario, custom, presets);
  const id = r.scenario.coefficients;
  let coefficients = null;
  if (id === 'custom') {
    const values = r.beta.map(betaText);
    coefficients = `custom β ${values.every((v) => v.exact) ? '=' : '≈'} (${values.map((v) => v.text).join(', ')})`;
  } else if (id !== presets.default_coefficients) {
    coefficients = `coefficients: ${presetName(presets.coefficients, id)}`;
  }
  return { model, gpu, coefficients };
}

/** @param {StepResponse} r @param {PageStep} step @param {CaptionNames} names */
export function scenarioCaption(r, step, names) {
  return [`${names.model} on ${names.gpu}, TP ${exact(r.scenario.tp)}`, batchWords(r, step), names.coefficients].filter(Boolean).join(' · ');
}
