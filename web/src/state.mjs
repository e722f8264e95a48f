// The page state, the one reducer that changes it, and the request built from it.
// Every control dispatches an action; reduce() returns a new state (changed parts copied,
// the rest shared, so views can tell what changed by identity); views read the state and
// the latest result. Field values stay as the text the user typed, so nothing they wrote
// is lost while it is invalid.
import { readField, fieldNumber } from './fields.mjs';

export const DEFAULTS = Object.freeze({
  model: 'llama-3.1-8b-instruct',
  gpu: 'h100-sxm',
  tp: '1',
  coef: 'trained-roofline-h100',
  prefill: [{ t: '512', p: '2048', n: '1' }],
  decode: [{ c: '1024', n: '32' }],
  sweep: 'decode-count',
});

export const SCENARIOS = {
  'decode-heavy': { prefill: [], decode: [{ c: '2048', n: '64' }, { c: '8192', n: '16' }] },
  chunked: { prefill: [{ t: '512', p: '4096', n: '1' }], decode: [{ c: '1024', n: '32' }] },
  'long-prefill': { prefill: [{ t: '8192', p: '8192', n: '1' }], decode: [] },
};

// The batch rows: each field's state key, label and request field.
export const ROW_FIELDS = {
  prefill: [['t', 'Tokens this step', 'tokens_this_step'], ['p', 'Prompt tokens', 'prompt_tokens'], ['n', 'Count', 'count']],
  decode: [['c', 'Context length', 'context_length'], ['n', 'Count', 'count']],
};
export const BLANK_ROW = { prefill: () => ({ t: '512', p: '512', n: '1' }), decode: () => ({ c: '1024', n: '1' }) };

// What each sweep variable moves: the row list, the row's state key and the core's limit
// that bounds it.
export const SWEEP_VARIABLES = {
  'decode-count': { list: 'decode', key: 'n', field: 'count', limit: 'max_count' },
  'decode-context': { list: 'decode', key: 'c', field: 'context_length', limit: 'max_tokens' },
  'prefill-chunk': { list: 'prefill', key: 't', field: 'tokens_this_step', limit: 'max_tokens' },
};

// The fields that make a scenario: what a pin keeps, a link carries and undo restores.
const pick = (state, keys) => Object.fromEntries(keys.map((k) => [k, state[k]]));
export const SCENARIO_KEYS = ['model', 'gpu', 'tp', 'coef', 'beta', 'prefill', 'decode'];
export const scenarioOf = (state) => pick(state, SCENARIO_KEYS);

export const MAX_PINS = 3;
const MAX_UNDO = 50;

export const copyRows = (rows) => rows.map((r) => ({ ...r }));

// custom: the stored custom models and GPUs ({ models, gpus }).
export function defaultState(custom = { models: {}, gpus: {} }) {
  return {
    model: DEFAULTS.model,
    gpu: DEFAULTS.gpu,
    tp: DEFAULTS.tp,
    coef: DEFAULTS.coef,
    beta: null, // the custom β as typed; filled from the selected set when custom is first chosen
    prefill: copyRows(DEFAULTS.prefill),
    decode: copyRows(DEFAULTS.decode),
    sweep: DEFAULTS.sweep,
    embed: false,
    custom,
    gpuDraft: gpuDraftOf(null),
    pins: [],
    pinsInLink: false,
    undo: [],
    drag: null, // the slider drag in progress: { list, base: rows when it began, rows: rows it set }
  };
}

export const isCustom = (id) => id.startsWith('custom:');
// The stored item a selection id names ("custom:<key>"), or undefined for a preset id.
export function customItem(map, id) {
  return isCustom(id) && Object.hasOwn(map, id.slice(7)) ? map[id.slice(7)] : undefined;
}

// The custom GPU editor's fields, as text: from a stored datasheet, or the editor's defaults.
export function gpuDraftOf(item) {
  if (!item) return { name: 'My GPU', tflops: '989.5', hbm: '3.35', link: '900', linkKind: 'nvlink_bandwidth_gb_s' };
  const ds = item.datasheet;
  const linkKind = Object.keys(ds.interconnect ?? {})[0] ?? 'nvlink_bandwidth_gb_s';
  return {
    name: item.name, tflops: String(ds.compute.fp16_tensor_core), hbm: String(ds.memory.bandwidth_tb_s),
    link: String(ds.interconnect?.[linkKind] ?? ''), linkKind,
  };
}

function replaceAt(list, i, item) {
  const next = list.slice();
  next[i] = item;
  return next;
}

// An undo entry keeps only what the undone action changed, so undoing a slider move does not
// also revert a model chosen after it.
const pushUndo = (state, keys) => [...state.undo.slice(-(MAX_UNDO - 1)), pick(state, keys)];

// ctx: { coefficients (the presets' sets by id), limits (the core's bounds) }.
function apply(state, action, ctx) {
  switch (action.type) {
    case 'model':
      return { ...state, model: action.value };
    case 'gpu': {
      // The editor shows the chosen custom GPU so it can be adjusted; a preset leaves the draft alone.
      const item = customItem(state.custom.gpus, action.value);
      return { ...state, gpu: action.value, gpuDraft: item ? gpuDraftOf(item) : state.gpuDraft };
    }
    case 'tp':
      return { ...state, tp: action.value };
    case 'coefficients': {
      // Custom β starts from the set that was selected, and once typed is kept across
      // switches to a preset and back.
      const beta = action.value === 'custom' && state.beta === null ? ctx.coefficients[state.coef].beta.map(String) : state.beta;
      return { ...state, coef: action.value, beta };
    }
    case 'beta':
      return { ...state, beta: replaceAt(state.beta, action.index, action.value) };
    case 'use-beta': // β fitted in the Trace view, as the seven fields' text
      return { ...state, coef: 'custom', beta: action.beta.slice() };
    case 'row': {
      const rows = state[action.kind];
      return { ...state, [action.kind]: replaceAt(rows, action.index, { ...rows[action.index], [action.key]: action.value }) };
    }
    case 'add-row':
      return { ...state, [action.kind]: [...state[action.kind], BLANK_ROW[action.kind]()] };
    case 'duplicate-row': {
      const rows = state[action.kind];
      return { ...state, [action.kind]: [...rows.slice(0, action.index + 1), { ...rows[action.index] }, ...rows.slice(action.index + 1)] };
    }
    case 'remove-row':
      return { ...state, [action.kind]: state[action.kind].filter((_, i) => i !== action.index) };
    case 'quick-scenario': {
      const s = SCENARIOS[action.name];
      return { ...state, prefill: copyRows(s.prefill), decode: copyRows(s.decode), undo: pushUndo(state, ['prefill', 'decode']) };
    }
    case 'sweep-variable':
      return { ...state, sweep: action.value };
    case 'slide':
      return slide(state, action.value, ctx.limits);
    case 'slide-end':
      return state; // reduce() ends the drag
    case 'undo': {
      if (state.undo.length === 0) return state;
      return { ...state, ...state.undo[state.undo.length - 1], undo: state.undo.slice(0, -1) };
    }
    case 'gpu-draft':
      return { ...state, gpuDraft: { ...state.gpuDraft, [action.field]: action.value } };
    case 'custom-saved': {
      const custom = { ...state.custom, [action.list]: { ...state.custom[action.list], [action.key]: action.item } };
      return { ...state, custom, [action.list === 'models' ? 'model' : 'gpu']: `custom:${action.key}` };
    }
    case 'custom-deleted': {
      const { [action.key]: _gone, ...rest } = state.custom[action.list];
      const kind = action.list === 'models' ? 'model' : 'gpu';
      const selection = state[kind] === `custom:${action.key}` ? DEFAULTS[kind] : state[kind];
      return { ...state, custom: { ...state.custom, [action.list]: rest }, [kind]: selection };
    }
    case 'pin':
      return state.pins.length >= MAX_PINS ? state : { ...state, pins: [...state.pins, scenarioOf(state)] };
    case 'unpin':
      return { ...state, pins: state.pins.filter((_, i) => i !== action.index) };
    case 'load-pin': {
      // A pin made with a preset carries no β of its own: the custom β typed here stays.
      const pin = state.pins[action.index];
      return { ...state, ...pin, beta: pin.beta ?? state.beta, undo: pushUndo(state, SCENARIO_KEYS) };
    }
    case 'pins-in-link':
      return { ...state, pinsInLink: action.value };
    default:
      throw new Error(`unknown action ${action.type}`);
  }
}

export function reduce(state, action, ctx) {
  const next = apply(state, action, ctx);
  // Any other action ends a slider drag, so the next drag is undone on its own.
  return action.type === 'slide' || next.drag === null ? next : { ...next, drag: null };
}

// The slider sets the reference row (the first) to `value` and scales every other row by the
// same factor from where the drag began, so rows that differed keep their ratio (2,048 and
// 8,192 stay 1:4) instead of all becoming equal. A drag is one undo step.
function slide(state, value, limits) {
  const { list, key, limit } = SWEEP_VARIABLES[state.sweep];
  const current = state[list];
  const dragging = state.drag && state.drag.list === list && state.drag.rows === current;
  const base = dragging ? state.drag.base : current;
  const ref = fieldNumber(base[0]?.[key] ?? '');
  if (!(ref > 0)) return state;
  const max = limits[limit];
  const rows = base.map((row) => {
    const v = fieldNumber(row[key]);
    if (v === undefined) return row; // text the user is still fixing stays as typed
    return { ...row, [key]: String(Math.min(max, Math.max(1, Math.round((v * value) / ref)))) };
  });
  return {
    ...state,
    [list]: rows,
    drag: { list, base, rows },
    undo: dragging ? state.undo : pushUndo(state, [list]),
  };
}

// Each batch row read once: the state's row objects are replaced, never changed, so a
// keystroke in a 1,000-row batch reads one row again, not all of them.
const ROW_READS = { prefill: new WeakMap(), decode: new WeakMap() };
function readRow(kind, row) {
  let read = ROW_READS[kind].get(row);
  if (!read) {
    const value = {}, errors = [];
    for (const [key, , field] of ROW_FIELDS[kind]) {
      const r = readField(row[key]);
      value[field] = r.value ?? null;
      if (r.error) errors.push([field, r.error]);
    }
    read = { value, errors };
    ROW_READS[kind].set(row, read);
  }
  return read;
}

// The request for the core, and the fields the page cannot send as numbers (each with its
// own error). Range and consistency checks are the core's.
export function buildRequest(state) {
  const errors = [];
  const need = (text, where, kind) => {
    const read = readField(text, kind);
    if (read.error) errors.push({ where, what: read.error });
    return read.value ?? null;
  };
  const rows = (kind) => state[kind].map((row, i) => {
    const read = readRow(kind, row);
    for (const [field, what] of read.errors) errors.push({ where: `step.${kind}[${i}].${field}`, what });
    return read.value;
  });
  // A custom item deleted since it was chosen (in a pin, say) is an error, not a silent default.
  const chosen = (id, map, field, where, noun) => {
    if (!isCustom(id)) return id;
    const item = customItem(map, id);
    if (!item) errors.push({ where, what: `the custom ${noun} “${id.slice(7)}” is no longer stored in this browser; choose another` });
    return item?.[field] ?? null;
  };
  const request = {
    model: chosen(state.model, state.custom.models, 'config', 'model', 'model'),
    gpu: chosen(state.gpu, state.custom.gpus, 'datasheet', 'gpu', 'GPU'),
    tp: need(state.tp, 'tp'),
    coefficients: state.coef === 'custom'
      ? { beta: state.beta.map((b, i) => need(b, `coefficients.beta[${i}]`, 'real')) }
      : state.coef,
    step: { prefill: rows('prefill'), decode: rows('decode') },
  };
  return { request, errors };
}
