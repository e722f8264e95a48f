// A draft kept by draft.mjs, read back: its scenario used only when it has the state's shape
// and names a preset or a custom item this browser still has, its Serving inputs only when
// they are the view's fields, each a string. Anything else (an older page's, or edited by
// hand) is not used. Loaded only when something was kept.
import { customItem, ROW_FIELDS } from './state.mjs';
import { SERVING_DEFAULTS } from './serving-form.mjs';

/** @typedef {import('./state.mjs').Scenario} Scenario */

/** @param {unknown} v @returns {v is string} */
const isText = (v) => typeof v === 'string';
/**
 * Rows as the state holds them: objects with exactly the row's fields, each a string.
 * @param {unknown} rows @param {import('./state.mjs').RowKind} kind @param {number} maxRows
 */
function areRows(rows, kind, maxRows) {
  const keys = ROW_FIELDS[kind].map(([key]) => key);
  return Array.isArray(rows) && rows.length <= maxRows && rows.every((row) =>
    row !== null && typeof row === 'object' && Object.keys(row).length === keys.length && keys.every((key) => isText(row[key])));
}

/** @param {any} s @param {import('./url.mjs').LinkContext} ctx @returns {s is Scenario} */
function usable(s, { ids, limits, custom }) {
  if (s === null || typeof s !== 'object') return false;
  const known = (/** @type {Set<string>} */ presets, /** @type {Record<string, unknown>} */ mine, /** @type {unknown} */ id) =>
    isText(id) && (presets.has(id) || customItem(mine, id) !== undefined);
  return known(ids.models, custom.models, s.model) && known(ids.gpus, custom.gpus, s.gpu) &&
    isText(s.tp) && isText(s.util) && (ids.coefs.has(s.coef) || s.coef === 'custom') &&
    (s.beta === null ? s.coef !== 'custom' : Array.isArray(s.beta) && s.beta.length === 7 && s.beta.every(isText)) &&
    areRows(s.prefill, 'prefill', limits.max_rows) && areRows(s.decode, 'decode', limits.max_rows);
}

// The Serving view's inputs as the view holds them: exactly its fields, each a string.
/** @param {unknown} v @returns {v is import('./serving-form.mjs').ServingValues} */
function areServingValues(v) {
  if (v === null || typeof v !== 'object') return false;
  const keys = Object.keys(SERVING_DEFAULTS), record = /** @type {Record<string, unknown>} */ (v);
  return Object.keys(record).length === keys.length && keys.every((key) => isText(record[key]));
}

// The kept text as what the page can show: each part, or null where it cannot be used.
/**
 * @param {string} text @param {import('./url.mjs').LinkContext} ctx
 * @returns {{ scenario: Scenario | null, serving: import('./serving-form.mjs').ServingValues | null }}
 */
export function readDraft(text, ctx) {
  let draft = null;
  try {
    draft = JSON.parse(text);
  } catch { /* not JSON: not ours to show */ }
  if (draft === null || typeof draft !== 'object') return { scenario: null, serving: null };
  return { scenario: usable(draft.scenario, ctx) ? draft.scenario : null, serving: areServingValues(draft.serving) ? draft.serving : null };
}
