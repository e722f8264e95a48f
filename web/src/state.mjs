// Scenario state, its URL codec and the request built from it. Field values stay as the
// text the user typed, so nothing they wrote is lost while it is invalid.
import { fieldValue } from './fields.mjs';
import { customItem } from './storage.mjs';

export const DEFAULTS = Object.freeze({
  model: 'llama-3.1-8b-instruct',
  gpu: 'h100-sxm',
  tp: '1',
  coef: 'trained-roofline-h100',
  prefill: [{ t: '512', p: '2048', n: '1' }],
  decode: [{ c: '1024', n: '32' }],
});

export const SCENARIOS = {
  'decode-heavy': { prefill: [], decode: [{ c: '2048', n: '64' }, { c: '8192', n: '16' }] },
  chunked: { prefill: [{ t: '512', p: '4096', n: '1' }], decode: [{ c: '1024', n: '32' }] },
  'long-prefill': { prefill: [{ t: '8192', p: '8192', n: '1' }], decode: [] },
};

export const copyRows = (rows) => rows.map((r) => ({ ...r }));

export function defaultState(defaultBeta) {
  return {
    model: DEFAULTS.model,
    gpu: DEFAULTS.gpu,
    tp: DEFAULTS.tp,
    coef: DEFAULTS.coef,
    beta: defaultBeta.map(String),
    prefill: copyRows(DEFAULTS.prefill),
    decode: copyRows(DEFAULTS.decode),
    sweep: 'decode-count',
    embed: false,
  };
}

const INT = /^\d+$/;
const PREFILL_ITEM = /^(\d+):(\d+)(?:x(\d+))?$/;
const DECODE_ITEM = /^(\d+)(?:x(\d+))?$/;

function listParam(text, pattern, make) {
  if (text.trim() === '') return [];
  const rows = [];
  for (const item of text.split(',')) {
    const m = pattern.exec(item.trim());
    if (!m) return null;
    rows.push(make(m));
  }
  return rows.length > 1000 ? null : rows;
}

// Parses a query string onto a state; returns the names of parameters that were
// rejected (each falls back to its default). ids: {models, gpus, coefs} as Sets.
export function parseQuery(search, state, ids) {
  const q = new URLSearchParams(search);
  const bad = [];
  const take = (name, accept) => {
    if (!q.has(name)) return;
    if (!accept(q.get(name))) bad.push(name);
  };
  take('model', (v) => ids.models.has(v) && ((state.model = v), true));
  take('gpu', (v) => ids.gpus.has(v) && ((state.gpu = v), true));
  take('tp', (v) => INT.test(v) && Number(v) >= 1 && ((state.tp = String(Number(v))), true));
  if (q.has('beta')) {
    const parts = q.get('beta').split(',').map((s) => s.trim());
    const isBeta = (s) => { const v = fieldValue(s, 'real'); return typeof v === 'number' && v >= 0; };
    if (parts.length === 7 && parts.every(isBeta)) {
      state.coef = 'custom';
      state.beta = parts;
    } else bad.push('beta');
  } else take('coef', (v) => ids.coefs.has(v) && ((state.coef = v), true));
  take('prefill', (v) => {
    const rows = listParam(v, PREFILL_ITEM, (m) => ({ t: m[1], p: m[2], n: m[3] ?? '1' }));
    return rows && ((state.prefill = rows), true);
  });
  take('decode', (v) => {
    const rows = listParam(v, DECODE_ITEM, (m) => ({ c: m[1], n: m[2] ?? '1' }));
    return rows && ((state.decode = rows), true);
  });
  take('sweep', (v) => ['decode-count', 'decode-context', 'prefill-chunk'].includes(v) && ((state.sweep = v), true));
  state.embed = q.get('embed') === '1';
  return bad;
}

const countSuffix = (n) => (n === '1' ? '' : `x${n}`);

// The shareable query string, with field text as typed (so a link to a scenario that has
// an error reopens with a notice naming the parameter, not a silently corrected value).
// Custom models/GPUs are stored locally and cannot travel.
export function toQuery(state, { embed = state.embed } = {}) {
  const q = new URLSearchParams();
  if (!state.model.startsWith('custom:')) q.set('model', state.model);
  if (!state.gpu.startsWith('custom:')) q.set('gpu', state.gpu);
  q.set('tp', state.tp);
  if (state.coef === 'custom') q.set('beta', state.beta.join(','));
  else q.set('coef', state.coef);
  q.set('prefill', state.prefill.map((r) => `${r.t}:${r.p}${countSuffix(r.n)}`).join(','));
  q.set('decode', state.decode.map((r) => `${r.c}${countSuffix(r.n)}`).join(','));
  if (state.sweep !== 'decode-count') q.set('sweep', state.sweep);
  if (embed) q.set('embed', '1');
  // Keep ':' and ',' readable in the address bar.
  return '?' + q.toString().replaceAll('%3A', ':').replaceAll('%2C', ',');
}

// Builds the request; an empty field is reported here (JSON has no "empty"), everything
// else is validated by the core.
export function buildRequest(state, store) {
  const empty = [];
  const need = (text, where, kind) => {
    const v = fieldValue(text, kind);
    if (v === undefined) empty.push(where);
    return v ?? null;
  };
  const model = state.model.startsWith('custom:') ? customItem(store.models, state.model)?.config : state.model;
  const gpu = state.gpu.startsWith('custom:') ? customItem(store.gpus, state.gpu)?.datasheet : state.gpu;
  const request = {
    model: model ?? DEFAULTS.model,
    gpu: gpu ?? DEFAULTS.gpu,
    tp: need(state.tp, 'tp'),
    coefficients: state.coef === 'custom'
      ? { beta: state.beta.map((b, i) => need(b, `coefficients.beta[${i}]`, 'real')) }
      : state.coef,
    step: {
      prefill: state.prefill.map((r, i) => ({
        tokens_this_step: need(r.t, `step.prefill[${i}].tokens_this_step`),
        prompt_tokens: need(r.p, `step.prefill[${i}].prompt_tokens`),
        count: need(r.n, `step.prefill[${i}].count`),
      })),
      decode: state.decode.map((r, i) => ({
        context_length: need(r.c, `step.decode[${i}].context_length`),
        count: need(r.n, `step.decode[${i}].count`),
      })),
    },
  };
  return { request, empty };
}
