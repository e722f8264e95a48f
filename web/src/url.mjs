// The link codec: a scenario (and its pins) to a query string and back. Reading a link never
// loses what is good in it: a bad parameter falls back to its default alone, a bad row is
// left out alone, and each comes with a notice saying what was dropped.
import { DEFAULTS, MAX_PINS, SWEEP_VARIABLES, copyRows, isCustom, customItem } from './state.mjs';
import { readField, readBounded } from './fields.mjs';
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

// The longest link the page makes or puts in the address bar. Servers cap the request line
// and headers a browser sends: 8 KB is a common limit (nginx's default large_client_header_buffers,
// many CDNs), Node's own default is 16 KB; 8,000 characters keeps the link and the rest of
// the request under 8 KB.
export const MAX_LINK_CHARS = 8000;

// Consecutive equal items are written once with a run count: "1024x2*2300" is 2,300 rows of
// "1024x2" (a link without runs reads as before).
const RUN = /^(.+?)\*(\d+)$/;
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

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
// "first" to "tenth", then "11th", "21st", "102nd".
/** @param {number} n from 1 */
function ordinal(n) {
  if (n <= ORDINALS.length) return ORDINALS[n - 1];
  const teen = Math.floor(n / 10) % 10 === 1;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' })[n % 10] ?? 'th';
  return `${int(n)}${suffix}`;
}

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
// max_rows are left out too (the core would refuse the whole list). repair: whether the
// good rows apply (the link's own lists) or the list is only judged (a pin's).
/**
 * @param {RowKind} name
 * @param {string} text
 * @param {LinkContext['limits']} limits
 * @param {string[]} notices
 * @param {string} where
 * @param {boolean} repair
 * @returns {BatchRow[] | null}
 */
function readList(name, text, limits, notices, where, repair) {
  if (text.trim() === '') return [];
  const spec = LISTS[name];
  const items = text.split(',');
  /** @type {BatchRow[]} */
  const rows = [];
  /** @type {BadItem[]} */
  const bad = [];
  let total = 0;
  items.forEach((raw, index) => {
    const run = RUN.exec(raw.trim());
    const times = run ? Number(run[2]) : 1;
    const m = spec.pattern.exec(run ? run[1] : raw.trim());
    // A run past max_rows is cut with the rest of the list, below, as a long list is; a
    // count too long to be a number is not valid.
    const inRange = m && times >= 1 && Number.isFinite(times) &&
      spec.limits.every((limit, i) => m[i + 1] === undefined || (Number(m[i + 1]) >= 1 && Number(m[i + 1]) <= limits[limit]));
    if (!inRange) return bad.push({ index, text: raw });
    total += times;
    for (let k = 0; k < times && rows.length < limits.max_rows; k++) rows.push(spec.row(m));
  });
  if (rows.length === 0) {
    notices.push(`${where} "${name}" has no valid item (${describeItems(bad)})${repair ? `; it was replaced by the default (${listDefault(name)})` : ''}.`);
    return null;
  }
  if (bad.length) {
    notices.push(`${where} "${name}": ${describeItems(bad)} ${bad.length === 1 ? 'is' : 'are'} not valid` +
      (repair ? ` and ${bad.length === 1 ? 'was' : 'were'} left out; the other ${int(total)} ${total === 1 ? 'applies' : 'apply'}.` : '.'));
  }
  if (total > limits.max_rows) {
    notices.push(`${where} "${name}" has ${int(total)} rows; the calculator takes at most ${int(limits.max_rows)} per list, so the first ${int(limits.max_rows)} are used.`);
  }
  return rows;
}

// The parameters a scenario (the link's own, or a pin's) may have.
/** @type {string[]} */
const SCENARIO_PARAMS = ['model', 'gpu', 'tp', 'coef', 'beta', 'util', 'prefill', 'decode'];

// The scenario fields a query sets, onto `into`. ctx: { ids: {models, gpus, coefs} as Sets,
// limits, custom }. where: how notices name the link ("The link's parameter"). repair: a bad
// parameter falls back to its default (the link's own scenario) or is only named (a pin,
// which is then left out whole, so its notices must not say what was used instead).
// q.get(name) after q.has(name) is a string, hence the casts.
/**
 * @param {URLSearchParams} q
 * @param {Partial<State>} into
 * @param {LinkContext} ctx
 * @param {string[]} notices
 * @param {string} where
 * @param {boolean} repair
 */
function readScenario(q, into, ctx, notices, where, repair) {
  /**
   * @param {string} name
   * @param {string} value
   * @param {string} fallback
   */
  const reject = (name, value, fallback) =>
    notices.push(`${where} "${name}" (${quote(value)}) is not valid${repair ? ` and was replaced by the default (${fallback})` : ''}.`);
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
      else notices.push(`${where} "${name}" names your custom ${noun} ${quote(v.slice(7))}, which is not stored in this browser (deleted, or made in another browser)${repair ? `; the default ${noun} (${DEFAULTS[kind]}) is used instead` : ''}.`);
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
  if (q.has('util')) {
    const v = /** @type {string} */ (q.get('util'));
    if (!readBounded(v, 'real', ctx.limits.min_gpu_memory_utilization, 1).error) into.util = v;
    else reject('util', v, DEFAULTS.util);
  }
  for (const name of /** @type {RowKind[]} */ (['prefill', 'decode'])) {
    if (!q.has(name)) continue;
    const rows = readList(name, /** @type {string} */ (q.get(name)), ctx.limits, notices, where, repair);
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
  const fields = readScenario(q, {}, ctx, notices, "The link's parameter", true);
  if (q.has('sweep')) {
    const v = /** @type {string} */ (q.get('sweep'));
    if (Object.hasOwn(SWEEP_VARIABLES, v)) fields.sweep = /** @type {import('./state.mjs').SweepKind} */ (v);
    else notices.push(`The link's parameter "sweep" (${quote(v)}) is not valid and was replaced by the default (${DEFAULTS.sweep}).`);
  }
  fields.embed = q.get('embed') === '1';
  // The Serving view's inputs, read (and their notices given) by the view, which this opens.
  if (q.has('serve')) fields.serve = /** @type {string} */ (q.get('serve'));
  fields.embedGrid = fields.embed && q.get('grid') === '1';
  // A pinned scenario carries the defaults where it says nothing; a pin with any bad part is
  // left out whole (a pin is a scenario to compare against, not to repair).
  /** @type {Scenario[]} */
  const pins = [];
  q.getAll('pin').forEach((text, i) => {
    /** @type {string[]} */
    const pinNotices = [];
    const pinQuery = new URLSearchParams(text);
    // A pin that sets nothing it could set is not the default scenario but a mistake.
    if (!SCENARIO_PARAMS.some((name) => pinQuery.has(name))) {
      pinNotices.push(`it has none of the parameters a scenario is made of (${SCENARIO_PARAMS.join(', ')}).`);
    }
    /** @type {Scenario} */
    const pin = {
      model: DEFAULTS.model, gpu: DEFAULTS.gpu, tp: DEFAULTS.tp, coef: DEFAULTS.coef, beta: null, util: DEFAULTS.util,
      prefill: copyRows(DEFAULTS.prefill), decode: copyRows(DEFAULTS.decode),
    };
    readScenario(pinQuery, pin, ctx, pinNotices, 'its parameter', false);
    // Named by its place among the link's pins and its text, not "Pin 1": the Compare
    // table numbers only the pins that were kept.
    const left = `The link's ${ordinal(i + 1)} pin (${quote(text)}) was left out:`;
    if (pinNotices.length) notices.push(`${left} ${pinNotices.join(' ')}`);
    else if (pins.length >= MAX_PINS) notices.push(`${left} at most ${MAX_PINS} scenarios can be pinned.`);
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
  if (s.util !== DEFAULTS.util) q.set('util', s.util);
  for (const name of /** @type {RowKind[]} */ (['prefill', 'decode'])) q.set(name, listText(s[name], LISTS[name].text));
  return q;
}

// Rows as a list parameter, each run of equal rows written once ("1024x2*2300").
/**
 * @param {BatchRow[]} rows
 * @param {(r: BatchRow) => string} text
 */
function listText(rows, text) {
  /** @type {string[]} */
  const items = [];
  /** @type {string | null} */
  let last = null, times = 0;
  const flush = () => { if (last !== null) items.push(times === 1 ? last : `${last}*${times}`); };
  for (const row of rows) {
    const item = text(row);
    if (item === last) times++;
    else {
      flush();
      last = item;
      times = 1;
    }
  }
  flush();
  return items.join(',');
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
  if (state.serve !== null) q.set('serve', state.serve);
  if (embed) q.set('embed', '1');
  if (embed && state.embedGrid) q.set('grid', '1');
  return '?' + readable(q);
}

/** @param {Scenario} s */
export const usesCustom = (s) => isCustom(s.model) || isCustom(s.gpu);
