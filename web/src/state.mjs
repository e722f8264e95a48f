// The page state, the one reducer that changes it, and the request built from it.
// Every control dispatches an action; reduce() returns a new state (changed parts copied,
// the rest shared, so views can tell what changed by identity); views read the state and
// the latest result. Field values stay as the text the user typed, so nothing they wrote
// is lost while it is invalid.
import { readField, readBounded, fieldNumber } from './fields.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').ModelConfig} ModelConfig */
/** @typedef {import('./wasm/stepcalc.mjs').Datasheet} Datasheet */
/** @typedef {import('./wasm/stepcalc.mjs').StepRequest} StepRequest */
/** @typedef {import('./wasm/stepcalc.mjs').PrefillChunk} PrefillChunk */
/** @typedef {import('./wasm/stepcalc.mjs').DecodeGroup} DecodeGroup */
/** @typedef {import('./wasm/stepcalc.mjs').Limits} Limits */
/** @typedef {import('./wasm/stepcalc.mjs').CoefficientPreset} CoefficientPreset */

/** @typedef {{ t: string, p: string, n: string }} PrefillRow tokens this step, prompt tokens, count: as typed */
/** @typedef {{ c: string, n: string }} DecodeRow context length, count: as typed */
/** @typedef {'prefill' | 'decode'} RowKind */
/** @typedef {{ prefill: PrefillRow, decode: DecodeRow }} RowOf */
/** @typedef {Record<string, string>} BatchRow a row of either kind, for code that reads its fields by key */
/** @typedef {{ name: string, config: ModelConfig }} CustomModel */
/** @typedef {{ name: string, datasheet: Datasheet }} CustomGpu */
/** @typedef {{ models: Record<string, CustomModel>, gpus: Record<string, CustomGpu> }} Custom stored by key */
/** @typedef {'models' | 'gpus'} CustomList */
/** @typedef {{ name: string, tflops: string, hbm: string, mem: string, link: string, linkKind: string }} GpuDraft */
/** @typedef {keyof import('./wasm/stepcalc.mjs').Limits} LimitName */
/** @typedef {keyof typeof SWEEP_VARIABLES} SweepKind */
/**
 * What a pin keeps, a link carries and undo restores. model and gpu: a preset id or
 * "custom:<key>"; coef: a preset id or "custom", then beta holds the seven β as typed.
 * @typedef {{
 *   model: string, gpu: string, tp: string, coef: string, beta: string[] | null, util: string,
 *   prefill: PrefillRow[], decode: DecodeRow[],
 * }} Scenario
 */
/**
 * The slider drag in progress: the list it moves and the rows it set.
 * @typedef {{ list: RowKind, rows: BatchRow[] }} Drag
 */
/**
 * What the slider scales from: the rows before its first move (base) and the rows it set
 * last (rows), for one sweep variable. While that list is still the rows it set, the next
 * move scales from base too, so Home then End does not lose the rows' ratios.
 * @typedef {{ sweep: SweepKind, base: BatchRow[], rows: BatchRow[] }} SlideFrom
 */
/**
 * @typedef {Scenario & {
 *   sweep: SweepKind, embed: boolean, embedGrid: boolean, custom: Custom, gpuDraft: GpuDraft,
 *   pins: Scenario[], pinsInLink: boolean, undo: Partial<Scenario>[], drag: Drag | null,
 *   slideFrom: SlideFrom | null, serve: string | null,
 * }} State
 */
/**
 * Everything the page can do to the state, each dispatched by one control.
 * @typedef {{ type: 'model' | 'gpu' | 'tp' | 'util' | 'coefficients', value: string }
 *   | { type: 'beta', index: number, value: string }
 *   | { type: 'use-beta', beta: string[] }
 *   | { type: 'row', kind: RowKind, index: number, key: string, value: string }
 *   | { type: 'add-row', kind: RowKind }
 *   | { type: 'duplicate-row' | 'remove-row', kind: RowKind, index: number }
 *   | { type: 'quick-scenario', name: keyof typeof SCENARIOS }
 *   | { type: 'sweep-variable', value: SweepKind }
 *   | { type: 'slide', value: number }
 *   | { type: 'slide-end' | 'undo' | 'pin' }
 *   | { type: 'gpu-draft', field: keyof GpuDraft, value: string }
 *   | { type: 'custom-saved', list: 'models', key: string, item: CustomModel }
 *   | { type: 'custom-saved', list: 'gpus', key: string, item: CustomGpu }
 *   | { type: 'custom-deleted', list: CustomList, key: string }
 *   | { type: 'unpin' | 'load-pin', index: number }
 *   | { type: 'pins-in-link', value: boolean }
 *   | { type: 'restore', scenario: Scenario }
 *   | { type: 'serve', value: string | null }
 * } Action
 */
/** @typedef {(action: Action) => void} Dispatch the page's one way to change the state */
/** @typedef {{ coefficients: Record<string, CoefficientPreset>, limits: Readonly<Limits> }} ReduceContext */
/** @typedef {{ where: string, what: string }} FieldError a request path and what is wrong there */
/**
 * A request as the page reads it from the state: a field that is not a number is null (and
 * has a FieldError), so it is a StepRequest only when there are no errors.
 * @typedef {{
 *   model: unknown, gpu: unknown, tp: number | null,
 *   coefficients: string | { beta: (number | null)[] },
 *   step: { prefill: Record<string, number | null>[], decode: Record<string, number | null>[] },
 * }} DraftRequest
 */
/**
 * The request the page sends (a DraftRequest without errors): both lists, every count given.
 * @typedef {Omit<StepRequest, 'step'> & { step: { prefill: Required<PrefillChunk>[], decode: Required<DecodeGroup>[] } }} PageRequest
 */

export const DEFAULTS = Object.freeze({
  model: 'llama-3.1-8b-instruct',
  gpu: 'h100-sxm',
  tp: '1',
  coef: 'trained-roofline-h100',
  prefill: [{ t: '512', p: '2048', n: '1' }],
  decode: [{ c: '1024', n: '32' }],
  sweep: 'decode-count',
  util: '0.9', // gpu_memory_utilization; equal to calc.limits.default_gpu_memory_utilization (checked by tests/e2e/input.test.mjs)
});

/** @satisfies {Record<string, { prefill: PrefillRow[], decode: DecodeRow[] }>} */
export const SCENARIOS = {
  'decode-heavy': { prefill: [], decode: [{ c: '2048', n: '64' }, { c: '8192', n: '16' }] },
  chunked: { prefill: [{ t: '512', p: '4096', n: '1' }], decode: [{ c: '1024', n: '32' }] },
  'long-prefill': { prefill: [{ t: '8192', p: '8192', n: '1' }], decode: [] },
};

// The batch rows: each field's state key, label, request field and the core's limit on it.
/** @type {{ prefill: [keyof PrefillRow, string, string, LimitName][], decode: [keyof DecodeRow, string, string, LimitName][] }} */
export const ROW_FIELDS = {
  prefill: [['t', 'Tokens this step', 'tokens_this_step', 'max_tokens'], ['p', 'Prompt tokens', 'prompt_tokens', 'max_tokens'], ['n', 'Count', 'count', 'max_count']],
  decode: [['c', 'Context length', 'context_length', 'max_tokens'], ['n', 'Count', 'count', 'max_count']],
};
/** @type {{ [K in RowKind]: () => RowOf[K] }} */
export const BLANK_ROW = { prefill: () => ({ t: '512', p: '512', n: '1' }), decode: () => ({ c: '1024', n: '1' }) };

// What each sweep variable moves: the row list, the row's state key and the core's limit
// that bounds it.
/** @satisfies {Record<string, { list: RowKind, key: 't' | 'c' | 'n', field: string, limit: keyof Limits }>} */
export const SWEEP_VARIABLES = {
  'decode-count': { list: 'decode', key: 'n', field: 'count', limit: 'max_count' },
  'decode-context': { list: 'decode', key: 'c', field: 'context_length', limit: 'max_tokens' },
  'prefill-chunk': { list: 'prefill', key: 't', field: 'tokens_this_step', limit: 'max_tokens' },
};

// The fields that make a scenario: what a pin keeps, a link carries and undo restores.
/**
 * @template {object} T
 * @template {keyof T} K
 * @param {T} state
 * @param {readonly K[]} keys
 * @returns {Pick<T, K>}
 */
const pick = (state, keys) => /** @type {Pick<T, K>} */ (Object.fromEntries(keys.map((k) => [k, state[k]])));
/** @type {(keyof Scenario)[]} */
export const SCENARIO_KEYS = ['model', 'gpu', 'tp', 'coef', 'beta', 'util', 'prefill', 'decode'];
/** @param {State} state @returns {Scenario} */
export const scenarioOf = (state) => pick(state, SCENARIO_KEYS);

export const MAX_PINS = 3;
const MAX_UNDO = 50;

/**
 * @template {PrefillRow | DecodeRow} R
 * @param {R[]} rows
 * @returns {R[]}
 */
export const copyRows = (rows) => rows.map((r) => ({ ...r }));

/**
 * Rows that read the same, field by field: the same objects, or new ones with the same text.
 * @param {ReadonlyArray<PrefillRow | DecodeRow>} a
 * @param {ReadonlyArray<PrefillRow | DecodeRow>} b
 */
export function sameRows(a, b) {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((row, i) => {
    const other = /** @type {Record<string, string>} */ (b[i]);
    return row === b[i] || Object.entries(row).every(([key, text]) => other[key] === text);
  });
}

// custom: the stored custom models and GPUs ({ models, gpus }).
/**
 * @param {Custom} [custom]
 * @returns {State}
 */
export function defaultState(custom = { models: {}, gpus: {} }) {
  return {
    model: DEFAULTS.model,
    gpu: DEFAULTS.gpu,
    tp: DEFAULTS.tp,
    coef: DEFAULTS.coef,
    beta: null, // the custom β as typed; filled from the selected set when custom is first chosen
    util: DEFAULTS.util,
    prefill: copyRows(DEFAULTS.prefill),
    decode: copyRows(DEFAULTS.decode),
    sweep: DEFAULTS.sweep,
    embed: false,
    embedGrid: false, // the embed shows the GPU × TP grid (grid=1)
    custom,
    gpuDraft: gpuDraftOf(null),
    pins: [],
    pinsInLink: false,
    undo: [],
    drag: null, // the slider drag in progress: { list, rows: rows it set }
    slideFrom: null, // the rows the slider scales from, while its rows are on screen
    serve: null, // the Serving view's inputs as link text (serving-form.mjs), while it is open
  };
}

/** @param {string} id */
export const isCustom = (id) => id.startsWith('custom:');
// The stored item a selection id names ("custom:<key>"), or undefined for a preset id.
/**
 * @template T
 * @param {Record<string, T>} map
 * @param {string} id
 * @returns {T | undefined}
 */
export function customItem(map, id) {
  return isCustom(id) && Object.hasOwn(map, id.slice(7)) ? map[id.slice(7)] : undefined;
}

// The custom GPU editor's fields, as text: from a stored datasheet, or the editor's defaults.
/**
 * @param {CustomGpu | null | undefined} item
 * @returns {GpuDraft}
 */
export function gpuDraftOf(item) {
  if (!item) return { name: 'My GPU', tflops: '989.5', hbm: '3.35', mem: '', link: '900', linkKind: 'nvlink_bandwidth_gb_s' };
  const ds = item.datasheet;
  const linkKind = Object.keys(ds.interconnect ?? {})[0] ?? 'nvlink_bandwidth_gb_s';
  return {
    name: item.name, tflops: String(ds.compute.fp16_tensor_core), hbm: String(ds.memory.bandwidth_tb_s),
    mem: String(ds.memory.capacity_gb ?? ''),
    link: String(ds.interconnect?.[linkKind] ?? ''), linkKind,
  };
}

/**
 * @template T
 * @param {T[]} list
 * @param {number} i
 * @param {T} item
 */
function replaceAt(list, i, item) {
  const next = list.slice();
  next[i] = item;
  return next;
}

// An undo entry keeps only what the undone action changed, so undoing a slider move does not
// also revert a model chosen after it.
/**
 * @param {State} state
 * @param {(keyof Scenario)[]} keys
 * @returns {Partial<Scenario>[]}
 */
const pushUndo = (state, keys) => [...state.undo.slice(-(MAX_UNDO - 1)), pick(state, keys)];

// ctx: { coefficients (the presets' sets by id), limits (the core's bounds) }.
/**
 * @param {State} state
 * @param {Action} action
 * @param {ReduceContext} ctx
 * @returns {State}
 */
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
    case 'util':
      return { ...state, util: action.value };
    case 'coefficients': {
      // Custom β starts from the set that was selected, and once typed is kept across
      // switches to a preset and back.
      const beta = action.value === 'custom' && state.beta === null ? ctx.coefficients[state.coef].beta.map(String) : state.beta;
      return { ...state, coef: action.value, beta };
    }
    case 'beta': // only the β editor sends it, and it is shown only with custom β (beta set)
      return { ...state, beta: replaceAt(/** @type {string[]} */ (state.beta), action.index, action.value) };
    case 'use-beta': // β fitted in the Trace view, as the seven fields' text
      return { ...state, coef: 'custom', beta: action.beta.slice() };
    case 'row': {
      /** @type {BatchRow[]} */
      const rows = state[action.kind];
      return { ...state, [action.kind]: replaceAt(rows, action.index, { ...rows[action.index], [action.key]: action.value }) };
    }
    case 'add-row':
      return { ...state, [action.kind]: [...state[action.kind], BLANK_ROW[action.kind]()] };
    case 'duplicate-row': {
      /** @type {BatchRow[]} */
      const rows = state[action.kind];
      return { ...state, [action.kind]: [...rows.slice(0, action.index + 1), { ...rows[action.index] }, ...rows.slice(action.index + 1)] };
    }
    case 'remove-row':
      return { ...state, [action.kind]: state[action.kind].filter((_, i) => i !== action.index) };
    case 'quick-scenario': {
      const s = SCENARIOS[action.name];
      return sweepable({ ...state, prefill: copyRows(s.prefill), decode: copyRows(s.decode), undo: pushUndo(state, ['prefill', 'decode']) });
    }
    case 'sweep-variable':
      return { ...state, sweep: action.value };
    case 'slide':
      return slide(state, action.value, ctx.limits);
    case 'slide-end':
      return state; // reduce() ends the drag
    case 'undo': {
      if (state.undo.length === 0) return state;
      return sweepable({ ...state, ...state.undo[state.undo.length - 1], undo: state.undo.slice(0, -1) });
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
      return sweepable({ ...state, ...pin, beta: pin.beta ?? state.beta, util: pin.util ?? state.util, undo: pushUndo(state, SCENARIO_KEYS) });
    }
    case 'pins-in-link':
      return { ...state, pinsInLink: action.value };
    case 'restore': // the scenario typed before a reload (draft.mjs); undo goes back to the link's
      return sweepable({ ...state, ...action.scenario, undo: pushUndo(state, SCENARIO_KEYS) });
    case 'serve': // the Serving view's inputs, sent on each edit: an unchanged link renders nothing
      return state.serve === action.value ? state : { ...state, serve: action.value };
    default:
      throw new Error(`unknown action ${/** @type {{ type: string }} */ (action).type}`);
  }
}

// When a whole batch is put in place at once (a quick scenario, an undo, a loaded pin) and
// it has no row of the list the sweep varies ("One long prefill" has no decode rows), the
// sweep moves to the first variable the batch has rows for, so the chart is not left empty.
// A row the user removes leaves the choice alone; the chart then says what is missing.
/**
 * @param {State} state
 * @returns {State}
 */
function sweepable(state) {
  if (state[SWEEP_VARIABLES[state.sweep].list].length > 0) return state;
  const kinds = /** @type {SweepKind[]} */ (Object.keys(SWEEP_VARIABLES));
  const other = kinds.find((k) => state[SWEEP_VARIABLES[k].list].length > 0);
  return other ? { ...state, sweep: other } : state;
}

/**
 * @param {State} state
 * @param {Action} action
 * @param {ReduceContext} ctx
 * @returns {State}
 */
export function reduce(state, action, ctx) {
  const next = apply(state, action, ctx);
  // Any other action ends a slider drag, so the next drag is undone on its own.
  return action.type === 'slide' || next.drag === null ? next : { ...next, drag: null };
}

// The rows the slider scales from: those before its first move, while the list is still
// the rows it set (any edit, undo or other batch ends that), else the rows on screen.
/** @param {State} state @returns {BatchRow[]} */
export function slideBase(state) {
  const rows = state[SWEEP_VARIABLES[state.sweep].list];
  const from = state.slideFrom;
  return from !== null && from.sweep === state.sweep && from.rows === rows ? from.base : rows;
}

// The slider sets the reference row (the first) to `value` and scales every other row by the
// same factor from the rows before the slider first moved them, so rows that differed keep
// their ratio (2,048 and 8,192 stay 1:4) instead of all becoming equal, even after a move to
// 1 rounded them to the same value. A drag is one undo step.
/**
 * @param {State} state
 * @param {number} value
 * @param {Readonly<Limits>} limits
 * @returns {State}
 */
function slide(state, value, limits) {
  const { list, key, limit } = SWEEP_VARIABLES[state.sweep];
  /** @type {BatchRow[]} */
  const current = state[list];
  const drag = state.drag;
  const dragging = drag !== null && drag.list === list && drag.rows === current;
  /** @type {BatchRow[]} */
  const base = slideBase(state);
  const ref = fieldNumber(base[0]?.[key] ?? '');
  if (ref === undefined || !(ref > 0)) return state;
  const max = limits[limit];
  const rows = current.map((row, i) => {
    const v = fieldNumber(base[i][key]);
    if (v === undefined) return row; // text the user is still fixing stays as typed
    return { ...row, [key]: String(Math.min(max, Math.max(1, Math.round((v * value) / ref)))) };
  });
  return {
    ...state,
    [list]: rows,
    drag: { list, rows },
    slideFrom: { sweep: state.sweep, base, rows },
    undo: dragging ? state.undo : pushUndo(state, [list]),
  };
}

// Each batch row read once: the state's row objects are replaced, never changed, so a
// keystroke in a 1,000-row batch reads one row again, not all of them.
// The limits never change, so a row's read stays valid.
/** @typedef {{ value: Record<string, number | null>, errors: [string, string][] }} RowRead request fields; [field, what is wrong] */
/** @type {Record<RowKind, WeakMap<BatchRow, RowRead>>} */
const ROW_READS = { prefill: new WeakMap(), decode: new WeakMap() };
/**
 * @param {RowKind} kind
 * @param {BatchRow} row
 * @param {Readonly<Limits>} limits
 * @returns {RowRead}
 */
function readRow(kind, row, limits) {
  let read = ROW_READS[kind].get(row);
  if (!read) {
    /** @type {RowRead['value']} */
    const value = {};
    /** @type {RowRead['errors']} */
    const errors = [];
    for (const [key, , field, limit] of ROW_FIELDS[kind]) {
      const r = readBounded(row[key], 'count', 1, limits[limit]);
      value[field] = r.value ?? null;
      if (r.error) errors.push([field, r.error]);
    }
    // A chunk cannot be longer than its prompt (the core's words, so both say the same).
    if (kind === 'prefill' && !errors.length && /** @type {number} */ (value.tokens_this_step) > /** @type {number} */ (value.prompt_tokens)) {
      errors.push(['tokens_this_step', `${value.tokens_this_step} exceeds prompt_tokens ${value.prompt_tokens}`]);
    }
    read = { value, errors };
    ROW_READS[kind].set(row, read);
  }
  return read;
}

// The request for the core, and every field the page can check itself that is wrong (each
// with its own error): numbers, the core's ranges (limits: calc.limits), β ≥ 0, a chunk no
// longer than its prompt. What depends on the model or GPU is still the core's to check.
/**
 * @param {Scenario & { custom: Custom }} state
 * @param {Readonly<Limits>} limits
 * @returns {{ request: DraftRequest, errors: FieldError[] }}
 */
export function buildRequest(state, limits) {
  /** @type {FieldError[]} */
  const errors = [];
  /**
   * @param {string} text
   * @param {string} where
   * @param {import('./fields.mjs').NumberKind} kind
   * @param {number} min
   * @param {number} max
   */
  const need = (text, where, kind, min, max) => {
    const read = readBounded(text, kind, min, max);
    if (read.error) errors.push({ where, what: read.error });
    return read.value ?? null;
  };
  /** @param {RowKind} kind */
  const rows = (kind) => state[kind].map((/** @type {BatchRow} */ row, i) => {
    const read = readRow(kind, row, limits);
    for (const [field, what] of read.errors) errors.push({ where: `step.${kind}[${i}].${field}`, what });
    return read.value;
  });
  // A custom item deleted since it was chosen (in a pin, say) is an error, not a silent default.
  /**
   * @template {CustomModel | CustomGpu} T
   * @param {string} id
   * @param {Record<string, T>} map
   * @param {keyof T} field
   * @param {string} where
   * @param {string} noun
   */
  const chosen = (id, map, field, where, noun) => {
    if (!isCustom(id)) return id;
    const item = customItem(map, id);
    if (!item) errors.push({ where, what: `the custom ${noun} “${id.slice(7)}” is no longer stored in this browser; choose another` });
    return item?.[field] ?? null;
  };
  const request = {
    model: chosen(state.model, state.custom.models, 'config', 'model', 'model'),
    gpu: chosen(state.gpu, state.custom.gpus, 'datasheet', 'gpu', 'GPU'),
    tp: need(state.tp, 'tp', 'count', 1, limits.max_tp),
    coefficients: state.coef === 'custom'
      // coef "custom" always comes with the β as typed (state.mjs sets both, and url.mjs too)
      ? { beta: /** @type {string[]} */ (state.beta).map((b, i) => need(b, `coefficients.beta[${i}]`, 'real', 0, limits.max_beta)) }
      : state.coef,
    gpu_memory_utilization: need(state.util ?? DEFAULTS.util, 'gpu_memory_utilization', 'real', limits.min_gpu_memory_utilization, 1),
    step: { prefill: rows('prefill'), decode: rows('decode') },
  };
  return { request, errors };
}
