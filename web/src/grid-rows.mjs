// The GPU × TP grid's rows: every preset GPU in the core's order, then every custom GPU the
// user saved, in the order they were saved. Each is named as the caption names it
// (scenarioNames: "Lab card (custom)"). A custom GPU is given to the grid as its datasheet,
// as the page's ordinary requests give it; one the core's check refuses gets no cells, only
// why, in the words the custom GPU editor would use. Pure: no DOM, no module state.
import { scenarioNames } from './caption.mjs';
import { gpuFieldLabel } from './custom.mjs';
import { pageWords } from './messages.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').Datasheet} Datasheet */
/**
 * id: as state.gpu names it (a preset id or "custom:<key>"); gpu: what the grid request takes
 * for it; error: why a custom GPU cannot be used, else null.
 * @typedef {{ id: string, name: string, custom: boolean, gpu: string | Datasheet, error: string | null }} GridRow
 */

// The core's error at a datasheet path in the words the custom GPU form uses: the path by
// the label of the field that holds it ("HBM bandwidth"), the numbers as the page writes them.
/** @param {string} where @param {string} what */
export const gpuErrorWords = (where, what) => `${gpuFieldLabel(where) ?? where}: ${pageWords(what)}`;

/**
 * @param {import('./state.mjs').Custom} custom
 * @param {import('./wasm/stepcalc.mjs').PresetListing} presets
 * @param {(datasheet: Datasheet) => import('./calc.mjs').Outcome<unknown>} checkGpu
 * @returns {GridRow[]}
 */
export function gridRows(custom, presets, checkGpu) {
  /** @param {string} id */
  const name = (id) => scenarioNames({ model: '', gpu: id, coef: '' }, custom, presets).gpu;
  /** @type {GridRow[]} */
  const rows = presets.gpus.map(({ id }) => ({ id, name: name(id), custom: false, gpu: id, error: null }));
  for (const [key, item] of Object.entries(custom.gpus)) {
    const id = `custom:${key}`, check = checkGpu(item.datasheet);
    const error = check.ok ? null
      : check.input ? gpuErrorWords(check.where, check.what)
        : `it could not be checked (${check.message.split('\n')[0]})`;
    rows.push({ id, name: name(id), custom: true, gpu: item.datasheet, error });
  }
  return rows;
}
