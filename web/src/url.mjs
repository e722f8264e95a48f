// The link codec: a scenario (and its pins) to a query string and back. Reading a link never
// loses what is good in it: a bad parameter falls back to its default alone, a bad row is
// left out alone, and each comes with a notice saying what was dropped.
import { DEFAULTS, MAX_PINS, SWEEP_VARIABLES, copyRows, isCustom, customItem } from './state.mjs';
import { readField } from './fields.mjs';
import { int } from './format.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').Scenario} Scenario */
/** @typedef {import('./state.mjs').BatchRow} BatchRow */
/** @typedef {import('./state.mjs').RowKind} RowKind */
/**
 * ids: the preset ids by list; limits: the core's bounds; custom: the stored custom items.
 * @typedef {{
 *   ids: { models: Set<string>, gpus: Set<string>, coefs: Set<string> },
 *   limits: Readonly<import('./wasm/stepcalc.mjs').Limits>, custom: import('./state.mjs').Custom,
 * }} LinkContext
 */

const INT = /^\d+$/;
// Each list item's syntax and the core limit each of its numbers must respect.
/**
 * @type {Record<RowKind, {
 *   pattern: RegExp, limits: (keyof import('./wasm/stepcalc.mjs').Limits)[],
 *   row: (m: RegExpExecArray) => BatchRow, text: (r: BatchRow) => string,
 * }>}
 */
const LISTS = {
  prefill: {
    pattern: /^(\d+):(\d+)(?:x(\d+))?$/, limits: ['max_tokens', 'max_tokens', 'max_count'],
    row: (m) => ({ t: m[1], p: m[2], n: m[3] ?? '1' }),
    text: (r) => `${r.t}:${r.p}${countSuffix(r.n)}`,
  },
  decode: {
    pattern: /^(\d+)(?:x(\d+))?$/, limits: ['max_tokens', 'max_count'],
    row: (m) => ({ c: m[1], n: m[2] ?? '1' }),
    text: (r) => `${r.c}${countSuffix(r.n)}`,
  },
};
/** @param {string} n */
const countSuffix = (n) => (n === '1' ? '' : `x${n}`);
/** @param {string} text */
const quote = (text) => `“${text.length > 30 ? `${text.slice(0, 30)}…` : text}”`;
/** @param {RowKind} name */
const listDefault = (name) => DEFAULTS[name].map(LISTS[name].text).join(',') || 'none';

/** @typedef {{ index: number, text: string }} BadItem */

// "items 2 and 5 (“abc”, “0”)": the first few, then how many more.
/** @param {BadItem[]} bad */
function describeItems(bad) {
  const shown = bad.slice(0, 3);
  const numbers = shown.map((b) => int(b.index + 1));
  const list = numbers.length === 1 ? numbers[0] : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
  const more = bad.length > shown.length ? ` and ${int(bad.length - shown.length)} more` : '';
  return `item${bad.length === 1 ? '' : 's'} ${list} (${shown.map((b) => quote(b.text)).join(', ')})${more}`;
}

// A list parameter: the rows that are good; a notice for the rest. Rows past the core's
// max_rows are left out too (the core would refuse the whole list).
/**
 * @param {RowKind} name
 * @param {string} text
 * @param {LinkContext['limits']} limits
 * @param {string[]} notices
 * @param {string} where
 * @returns {BatchRow[] | null}
 */
function readList(name, text, limits, notices, where) {
  if (text.trim() === '') return [];
  const spec = LISTS[name];
  const items = text.split(',');
  /** @type {BatchRow[]} */
  const rows = [];
  /** @type {BadItem[]} */
  const bad = [];
  items.forEach((raw, index) => {
    const m = spec.pattern.exec(raw.trim());
    const inRange = m && spec.limits.every((limit, i) => m[i + 1] === undefined || (Number(m[i + 1]) >= 1 && Number(m[i + 1]) <= limits[limit]));
    if (inRange) rows.push(spec.row(m));
    else bad.push({ index, text: raw });
  });
  if (rows.length === 0) {
    notices.push(`${where} "${name}" has no valid item (${describeItems(bad)}); it was replaced by the default (${listDefault(name)}).`);
    return null;
  }
  if (bad.length) {
    notices.push(`${where} "${name}": ${describeItems(bad)} ${bad.length === 1 ? 'is' : 'are'} not valid and ${bad.length === 1 ? 'was' : 'were'} left out; the other ${int(rows.length)} apply.`);
  }
  if (rows.length > limits.max_rows) {
    notices.push(`${where} "${name}" has ${int(rows.length)} items; the calculator takes at most ${int(limits.max_rows)} per list, so the first ${int(limits.max_rows)} are used.`);
    rows.length = limits.max_rows;
  }
  return rows;
}

// The scenario fields a query sets, onto `into`. ctx: { ids: {models, gpus, coefs} as Sets,
// limits, custom }. where: how notices name the link ("The link's parameter").
// q.get(name) after q.has(name) is a string, hence the casts.
/**
 * @param {URLSearchParams} q
 * @param {Partial<State>} into
 * @param {LinkContext} ctx
 * @param {string[]} notices
 * @param {string} where
 */
function readScenario(q, into, ctx, notices, where) {
  /**
   * @param {string} name
   * @param {string} value
   * @param {string} fallback
   */
  const reject = (name, value, fallback) =>
    notices.push(`${where} "${name}" (${quote(value)}) is not valid and was replaced by the default (${fallback}).`);
  /**
   * @param {string} name
   * @param {'model' | 'gpu'} kind
   * @param {import('./state.mjs').CustomList} list
   * @param {string} noun
   */
  const selection = (name, kind, list, noun) => {
    if (!q.has(name)) return;
    const v = /** @type {string} */ (q.get(name));
    if (isCustom(v)) {
      if (customItem(/** @type {Record<string, unknown>} */ (ctx.custom[list]), v)) into[kind] = v;
      else notices.push(`${where} "${name}" names your custom ${noun} ${quote(v.slice(7))}, which is not stored in this browser (deleted, or made in another browser); the default ${noun} (${DEFAULTS[kind]}) is used instead.`);
    } else if (ctx.ids[list].has(v)) into[kind] = v;
    else reject(name, v, DEFAULTS[kind]);
  };
  selection('model', 'model', 'models', 'model');
  selection('gpu', 'gpu', 'gpus', 'GPU');
  if (q.has('tp')) {
    const v = /** @type {string} */ (q.get('tp'));
    if (INT.test(v) && Number(v) >= 1 && Number(v) <= ctx.limits.max_tp) into.tp = String(Number(v));
    else reject('tp', v, DEFAULTS.tp);
  }
  if (q.has('beta')) {
    const v = /** @type {string} */ (q.get('beta'));
    const parts = v.split(',').map((s) => s.trim());
    if (parts.length === 7 && parts.every((s) => { const b = readField(s, 'real').value; return b !== undefined && b >= 0; })) {
      into.coef = 'custom';
      into.beta = parts;
    } else reject('beta', v, `coefficients ${DEFAULTS.coef}`);
  } else if (q.has('coef')) {
    const v = /** @type {string} */ (q.get('coef'));
    if (ctx.ids.coefs.has(v)) into.coef = v;
    else reject('coef', v, DEFAULTS.coef);
  }
  for (const name of /** @type {RowKind[]} */ (['prefill', 'decode'])) {
    if (!q.has(name)) continue;
    const rows = readList(name, /** @type {string} */ (q.get(name)), ctx.limits, notices, where);
    // LISTS[name].row made each row with the fields of its kind.
    if (rows) into[name] = /** @type {any[]} */ (rows);
  }
  return into;
}

// Reads a link. Returns { fields (to spread over the default state), notices }.
/**
 * @param {string} search
 * @param {LinkContext} ctx
 * @returns {{ fields: Partial<State>, notices: string[] }}
 */
export function readLink(search, ctx) {
  const q = new URLSearchParams(search);
  /** @type {string[]} */
  const notices = [];
  const fields = readScenario(q, {}, ctx, notices, "The link's parameter");
  if (q.has('sweep')) {
    const v = /** @type {string} */ (q.get('sweep'));
    if (Object.hasOwn(SWEEP_VARIABLES, v)) fields.sweep = /** @type {import('./state.mjs').SweepKind} */ (v);
    else notices.push(`The link's parameter "sweep" (${quote(v)}) is not valid and was replaced by the default (${DEFAULTS.sweep}).`);
  }
  fields.embed = q.get('embed') === '1';
  // A pinned scenario carries the defaults where it says nothing; a pin with any bad part is
  // left out whole (a pin is a scenario to compare against, not to repair).
  /** @type {Scenario[]} */
  const pins = [];
  q.getAll('pin').forEach((text, i) => {
    /** @type {string[]} */
    const pinNotices = [];
    /** @type {Scenario} */
    const pin = {
      model: DEFAULTS.model, gpu: DEFAULTS.gpu, tp: DEFAULTS.tp, coef: DEFAULTS.coef, beta: null,
      prefill: copyRows(DEFAULTS.prefill), decode: copyRows(DEFAULTS.decode),
    };
    readScenario(new URLSearchParams(text), pin, ctx, pinNotices, `Pin ${i + 1}'s parameter`);
    if (pinNotices.length) notices.push(`Pin ${i + 1} in the link was left out: ${pinNotices.join(' ')}`);
    else if (pins.length >= MAX_PINS) notices.push(`Pin ${i + 1} in the link was left out: at most ${MAX_PINS} scenarios can be pinned.`);
    else pins.push(pin);
  });
  if (pins.length) fields.pins = pins;
  return { fields, notices };
}

/**
 * @param {Scenario} s
 * @param {boolean} keepCustom
 */
function scenarioParams(s, keepCustom) {
  const q = new URLSearchParams();
  if (keepCustom || !isCustom(s.model)) q.set('model', s.model);
  if (keepCustom || !isCustom(s.gpu)) q.set('gpu', s.gpu);
  q.set('tp', s.tp);
  if (s.coef === 'custom') q.set('beta', /** @type {string[]} */ (s.beta).join(','));
  else q.set('coef', s.coef);
  for (const name of /** @type {RowKind[]} */ (['prefill', 'decode'])) q.set(name, s[name].map(LISTS[name].text).join(','));
  return q;
}

// Keep ':' and ',' readable in the address bar.
/** @param {URLSearchParams} q */
const readable = (q) => q.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');

// The query string for a scenario. keepCustom: the address bar names a custom model or GPU
// by its stored id (so a reload keeps it); a shared link cannot carry it and leaves it out.
// pins: the pinned scenarios to carry.
/**
 * @param {State} state
 * @param {{ embed?: boolean, keepCustom?: boolean, pins?: Scenario[] }} [options]
 */
export function toQuery(state, { embed = state.embed, keepCustom = false, pins = [] } = {}) {
  const q = scenarioParams(state, keepCustom);
  if (state.sweep !== DEFAULTS.sweep) q.set('sweep', state.sweep);
  for (const pin of pins) q.append('pin', readable(scenarioParams(pin, keepCustom)));
  if (embed) q.set('embed', '1');
  return '?' + readable(q);
}

/** @param {Scenario} s */
export const usesCustom = (s) => isCustom(s.model) || isCustom(s.gpu);
