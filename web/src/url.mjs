// The link codec: a scenario (and its pins) to a query string and back. Reading a link never
// loses what is good in it: a bad parameter falls back to its default alone, a bad row is
// left out alone, and each comes with a notice saying what was dropped.
import { DEFAULTS, MAX_PINS, SWEEP_VARIABLES, copyRows, isCustom, customItem } from './state.mjs';
import { readField } from './fields.mjs';
import { int } from './format.mjs';

const INT = /^\d+$/;
// Each list item's syntax and the core limit each of its numbers must respect.
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
const countSuffix = (n) => (n === '1' ? '' : `x${n}`);
const quote = (text) => `“${text.length > 30 ? `${text.slice(0, 30)}…` : text}”`;
const listDefault = (name) => DEFAULTS[name].map(LISTS[name].text).join(',') || 'none';

// "items 2 and 5 (“abc”, “0”)": the first few, then how many more.
function describeItems(bad) {
  const shown = bad.slice(0, 3);
  const numbers = shown.map((b) => int(b.index + 1));
  const list = numbers.length === 1 ? numbers[0] : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
  const more = bad.length > shown.length ? ` and ${int(bad.length - shown.length)} more` : '';
  return `item${bad.length === 1 ? '' : 's'} ${list} (${shown.map((b) => quote(b.text)).join(', ')})${more}`;
}

// A list parameter: the rows that are good; a notice for the rest. Rows past the core's
// max_rows are left out too (the core would refuse the whole list).
function readList(name, text, limits, notices, where) {
  if (text.trim() === '') return [];
  const spec = LISTS[name];
  const items = text.split(',');
  const rows = [], bad = [];
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
function readScenario(q, into, ctx, notices, where) {
  const reject = (name, value, fallback) =>
    notices.push(`${where} "${name}" (${quote(value)}) is not valid and was replaced by the default (${fallback}).`);
  const selection = (name, kind, list, noun) => {
    if (!q.has(name)) return;
    const v = q.get(name);
    if (isCustom(v)) {
      if (customItem(ctx.custom[list], v)) into[kind] = v;
      else notices.push(`${where} "${name}" names your custom ${noun} ${quote(v.slice(7))}, which is not stored in this browser (deleted, or made in another browser); the default ${noun} (${DEFAULTS[kind]}) is used instead.`);
    } else if (ctx.ids[list].has(v)) into[kind] = v;
    else reject(name, v, DEFAULTS[kind]);
  };
  selection('model', 'model', 'models', 'model');
  selection('gpu', 'gpu', 'gpus', 'GPU');
  if (q.has('tp')) {
    const v = q.get('tp');
    if (INT.test(v) && Number(v) >= 1 && Number(v) <= ctx.limits.max_tp) into.tp = String(Number(v));
    else reject('tp', v, DEFAULTS.tp);
  }
  if (q.has('beta')) {
    const v = q.get('beta');
    const parts = v.split(',').map((s) => s.trim());
    if (parts.length === 7 && parts.every((s) => readField(s, 'real').value >= 0)) {
      into.coef = 'custom';
      into.beta = parts;
    } else reject('beta', v, `coefficients ${DEFAULTS.coef}`);
  } else if (q.has('coef')) {
    const v = q.get('coef');
    if (ctx.ids.coefs.has(v)) into.coef = v;
    else reject('coef', v, DEFAULTS.coef);
  }
  for (const name of ['prefill', 'decode']) {
    if (!q.has(name)) continue;
    const rows = readList(name, q.get(name), ctx.limits, notices, where);
    if (rows) into[name] = rows;
  }
  return into;
}

// Reads a link. Returns { fields (to spread over the default state), notices }.
export function readLink(search, ctx) {
  const q = new URLSearchParams(search);
  const notices = [];
  const fields = readScenario(q, {}, ctx, notices, "The link's parameter");
  if (q.has('sweep')) {
    const v = q.get('sweep');
    if (Object.hasOwn(SWEEP_VARIABLES, v)) fields.sweep = v;
    else notices.push(`The link's parameter "sweep" (${quote(v)}) is not valid and was replaced by the default (${DEFAULTS.sweep}).`);
  }
  fields.embed = q.get('embed') === '1';
  // A pinned scenario carries the defaults where it says nothing; a pin with any bad part is
  // left out whole (a pin is a scenario to compare against, not to repair).
  const pins = [];
  q.getAll('pin').forEach((text, i) => {
    const pinNotices = [];
    const pin = readScenario(new URLSearchParams(text), {
      model: DEFAULTS.model, gpu: DEFAULTS.gpu, tp: DEFAULTS.tp, coef: DEFAULTS.coef, beta: null,
      prefill: copyRows(DEFAULTS.prefill), decode: copyRows(DEFAULTS.decode),
    }, ctx, pinNotices, `Pin ${i + 1}'s parameter`);
    if (pinNotices.length) notices.push(`Pin ${i + 1} in the link was left out: ${pinNotices.join(' ')}`);
    else if (pins.length >= MAX_PINS) notices.push(`Pin ${i + 1} in the link was left out: at most ${MAX_PINS} scenarios can be pinned.`);
    else pins.push(pin);
  });
  if (pins.length) fields.pins = pins;
  return { fields, notices };
}

function scenarioParams(s, keepCustom) {
  const q = new URLSearchParams();
  if (keepCustom || !isCustom(s.model)) q.set('model', s.model);
  if (keepCustom || !isCustom(s.gpu)) q.set('gpu', s.gpu);
  q.set('tp', s.tp);
  if (s.coef === 'custom') q.set('beta', s.beta.join(','));
  else q.set('coef', s.coef);
  for (const name of ['prefill', 'decode']) q.set(name, s[name].map(LISTS[name].text).join(','));
  return q;
}

// Keep ':' and ',' readable in the address bar.
const readable = (q) => q.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');

// The query string for a scenario. keepCustom: the address bar names a custom model or GPU
// by its stored id (so a reload keeps it); a shared link cannot carry it and leaves it out.
// pins: the pinned scenarios to carry.
export function toQuery(state, { embed = state.embed, keepCustom = false, pins = [] } = {}) {
  const q = scenarioParams(state, keepCustom);
  if (state.sweep !== DEFAULTS.sweep) q.set('sweep', state.sweep);
  for (const pin of pins) q.append('pin', readable(scenarioParams(pin, keepCustom)));
  if (embed) q.set('embed', '1');
  return '?' + readable(q);
}

export const usesCustom = (s) => isCustom(s.model) || isCustom(s.gpu);
