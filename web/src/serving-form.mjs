// The Serving view's inputs: each field's label and request path, how the fields' text
// becomes the simulation's workload and scheduler (with an error for each field that cannot
// be read), and the link text that carries them in the "serve" parameter:
//   requests:1000,rate:10,prompt:100-4000,output:256,seed:0,batched:8192,seqs:256
// Pure functions, no DOM. Field text stays as typed. Every bound a field has is the core's,
// read from calc.limits (max_simulation_requests, the arrival rate's 0 or from
// min_arrival_rate, max_tokens, ...), and the rules between fields (max ≥ min, batched ≥
// sequences) are said in the core's words, so a field is judged as it is typed. What only a
// run can tell (a workload that does not fit, more steps than max_simulation_steps) comes
// back from the core as its error, beside the field it names.
import { readField, readBounded } from './fields.mjs';
import { exact, int } from './format.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').Limits} Limits */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {'requests' | 'rate' | 'promptMin' | 'promptMax' | 'outputMin' | 'outputMax' | 'seed' | 'batched' | 'seqs'} ServingKey */
/** @typedef {Record<ServingKey, string>} ServingValues the fields' text, as typed */
/**
 * key; label (shown, and naming the field in its errors); where: the request path the core
 * names it by; kind: as fields.mjs reads it; min, max: a number or a calc.limits name;
 * zeroOr: 0 is read too, below min (the arrival rate: 0 sends every request at once).
 * @typedef {{ key: ServingKey, label: string, where: string, kind: import('./fields.mjs').NumberKind,
 *   min: number | keyof Limits, max: number | keyof Limits, zeroOr?: boolean }} ServingField
 */

/** @type {Readonly<ServingValues>} */
export const SERVING_DEFAULTS = Object.freeze({
  requests: '1000', rate: '10', promptMin: '1024', promptMax: '1024', outputMin: '256', outputMax: '256',
  seed: '0', batched: '8192', seqs: '256',
});

/** @type {readonly ServingField[]} */
export const SERVING_FIELDS = [
  { key: 'requests', label: 'Requests', where: 'workload.requests', kind: 'count', min: 1, max: 'max_simulation_requests' },
  { key: 'rate', label: 'Arrival rate, req/s', where: 'workload.arrival_rate_per_s', kind: 'real', min: 'min_arrival_rate', max: 'max_arrival_rate', zeroOr: true },
  { key: 'promptMin', label: 'Prompt tokens, min', where: 'workload.prompt_tokens.min', kind: 'count', min: 1, max: 'max_tokens' },
  { key: 'promptMax', label: 'Prompt tokens, max', where: 'workload.prompt_tokens.max', kind: 'count', min: 1, max: 'max_tokens' },
  { key: 'outputMin', label: 'Output tokens, min', where: 'workload.output_tokens.min', kind: 'count', min: 1, max: 'max_tokens' },
  { key: 'outputMax', label: 'Output tokens, max', where: 'workload.output_tokens.max', kind: 'count', min: 1, max: 'max_tokens' },
  { key: 'seed', label: 'Seed', where: 'workload.seed', kind: 'count', min: 0, max: Number.MAX_SAFE_INTEGER },
  { key: 'batched', label: 'Max batched tokens', where: 'scheduler.max_num_batched_tokens', kind: 'count', min: 1, max: 'max_tokens' },
  // The core bounds max_num_seqs by max_rows: a step's rows are at most its sequences.
  { key: 'seqs', label: 'Max sequences', where: 'scheduler.max_num_seqs', kind: 'count', min: 1, max: 'max_rows' },
];
const FIELD = Object.fromEntries(SERVING_FIELDS.map((f) => [f.key, f]));

// The field a core error names: its own path, or for a fixed token count (sent as one
// number, "workload.prompt_tokens") its min field.
/** @param {string} where @returns {ServingKey | undefined} */
export function fieldAt(where) {
  const field = SERVING_FIELDS.find((f) => f.where === where || f.where === `${where}.min`);
  return field?.key;
}

/** @param {ServingField} field @param {string} text @param {Readonly<Limits>} limits */
function readOne(field, text, limits) {
  const bound = (/** @type {number | keyof Limits} */ b) => (typeof b === 'number' ? b : limits[b]);
  const min = bound(field.min), max = bound(field.max);
  if (!field.zeroOr) return readBounded(text, field.kind, min, max);
  const read = readField(text, field.kind);
  if (read.value === undefined || read.value === 0 || (read.value >= min && read.value <= max)) return read;
  return { error: `must be 0 (every request at once) or a number from ${exact(min)} to ${exact(max)}, got ${text}` };
}

// A token count: n when min and max are equal (a fixed count: the generator then draws
// nothing for it, so a range of one value would give other requests), else {min, max}.
/** @param {number} min @param {number} max */
const tokens = (min, max) => (min === max ? min : { min, max });

// The fields' text -> the request's workload and scheduler, and every field in error.
/**
 * @param {ServingValues} values
 * @param {Readonly<Limits>} limits
 * @returns {{ workload: SimulationRequest['workload'], scheduler: Required<NonNullable<SimulationRequest['scheduler']>>, errors: FieldError[] }}
 */
export function readServing(values, limits) {
  /** @type {FieldError[]} */
  const errors = [];
  /** @type {Partial<Record<ServingKey, number>>} */
  const n = {};
  for (const field of SERVING_FIELDS) {
    const read = readOne(field, values[field.key], limits);
    if (read.error) errors.push({ where: field.where, what: read.error });
    else n[field.key] = read.value;
  }
  // The core's rules between fields, in its words.
  /** @param {ServingKey} key @param {ServingKey} atLeast @param {string} name */
  const order = (key, atLeast, name) => {
    const value = n[key], bound = n[atLeast];
    if (value !== undefined && bound !== undefined && value < bound) {
      errors.push({ where: FIELD[key].where, what: `must be at least ${name} (${exact(bound)}), got ${exact(value)}` });
    }
  };
  order('promptMax', 'promptMin', 'the min');
  order('outputMax', 'outputMin', 'the min');
  order('batched', 'seqs', 'Max sequences');
  const v = /** @type {Record<ServingKey, number>} */ (n); // read whole when there is no error
  return {
    workload: {
      requests: v.requests, arrival_rate_per_s: v.rate,
      prompt_tokens: tokens(v.promptMin, v.promptMax), output_tokens: tokens(v.outputMin, v.outputMax), seed: v.seed,
    },
    scheduler: { max_num_batched_tokens: v.batched, max_num_seqs: v.seqs },
    errors,
  };
}

// The link's items, each the fields it sets.
/** @type {Record<string, ServingKey[]>} */
const LINK_ITEMS = {
  requests: ['requests'], rate: ['rate'], prompt: ['promptMin', 'promptMax'], output: ['outputMin', 'outputMax'],
  seed: ['seed'], batched: ['batched'], seqs: ['seqs'],
};
const DEFAULT_LINK = linkText(SERVING_DEFAULTS);

// Valid fields' text -> the "serve" parameter (a range as "min-max", a fixed count as one
// number).
/** @param {ServingValues} values */
export function linkText(values) {
  return Object.entries(LINK_ITEMS).map(([item, keys]) => {
    const [first, second] = keys.map((key) => values[key]);
    return `${item}:${second === undefined || second === first ? first : `${first}-${second}`}`;
  }).join(',');
}

/** @param {string} text */
const quote = (text) => `“${text.length > 30 ? `${text.slice(0, 30)}…` : text}”`;

// The "serve" parameter -> the fields' text, and one notice naming every part that could
// not be used (null when all could), what is wrong with each and what was used instead. As
// the rest of the link is read: a bad item falls back to its default alone, an item left out
// is its default.
/**
 * @param {string} text
 * @param {Readonly<Limits>} limits
 * @returns {{ values: ServingValues, notice: string | null }}
 */
export function readServingLink(text, limits) {
  const values = { ...SERVING_DEFAULTS };
  /** @type {string[]} what is wrong with each part, in the link's order */
  const problems = [];
  /** @type {Map<string, string>} each item read, by name: its text in the link */
  const given = new Map();
  let unknown = false;
  for (const raw of text.trim() === '' ? [] : text.split(',')) {
    const [, name, value] = /^([a-z]+):(.*)$/.exec(raw.trim()) ?? [];
    const keys = name === undefined ? undefined : LINK_ITEMS[name];
    if (!keys) {
      problems.push(`${quote(raw)} is not one of its items and was left out`);
      unknown = true;
      continue;
    }
    // "min-max" or one number (a fixed count) for the token items.
    const [, first, second] = keys.length === 2 ? /^([^-]*)(?:-(.*))?$/.exec(value) ?? [] : [, value];
    values[keys[0]] = first ?? value;
    if (keys.length === 2) values[keys[1]] = second ?? first ?? value;
    given.set(name, raw);
  }
  /** @param {FieldError} e */
  const named = (e) => `${FIELD[/** @type {ServingKey} */ (fieldAt(e.where))].label}: ${e.what}`;
  const defaults = new Map(DEFAULT_LINK.split(',').map((item) => [item.slice(0, item.indexOf(':')), item]));
  const unread = readServing(values, limits).errors;
  for (const [name, raw] of given) {
    const keys = LINK_ITEMS[name];
    const own = unread.filter((e) => keys.some((key) => FIELD[key].where === e.where));
    if (!own.length) continue;
    for (const key of keys) values[key] = SERVING_DEFAULTS[key];
    problems.push(`${quote(raw)} is not valid (${own.map(named).join('; ')}), so the default ${defaults.get(name)} is used`);
  }
  // A rule between items (batched ≥ seqs) that a default put back breaks: all go back.
  const { errors } = readServing(values, limits);
  if (errors.length) problems.push(`together its items are not valid (${errors.map(named).join('; ')}), so every item's default is used (${DEFAULT_LINK})`);
  if (!problems.length) return { values, notice: null };
  const head = errors.length ? 'The link\'s parameter "serve" could not be used'
    : `The link's parameter "serve" has ${problems.length === 1 ? 'a part' : `${int(problems.length)} parts`} that could not be used`;
  const items = unknown ? ` (its items are ${Object.keys(LINK_ITEMS).join(', ')}, each as name:value)` : '';
  return { values: errors.length ? { ...SERVING_DEFAULTS } : values, notice: `${head}${items}: ${problems.join('; ')}.` };
}
