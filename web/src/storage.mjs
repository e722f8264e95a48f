// Custom models and GPUs kept in localStorage. A store that cannot be read is reset,
// and the caller is told so it can show a notice instead of failing.
const KEY = 'stepcalc.custom.v1';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked (e.g. sandboxed iframe): custom items then last for the session
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function validEntries(map, field) {
  if (!isObject(map)) return false;
  return Object.values(map).every((e) => isObject(e) && typeof e.name === 'string' && isObject(e[field]));
}

export function loadStore() {
  const empty = { models: {}, gpus: {} };
  const ls = storage();
  if (!ls) return { store: empty, notice: null };
  let text;
  try {
    text = ls.getItem(KEY);
  } catch {
    return { store: empty, notice: null };
  }
  if (text === null) return { store: empty, notice: null };
  try {
    const data = JSON.parse(text);
    if (isObject(data) && validEntries(data.models, 'config') && validEntries(data.gpus, 'datasheet')) {
      return { store: { models: data.models, gpus: data.gpus }, notice: null };
    }
  } catch { /* fall through to the reset */ }
  try { ls.removeItem(KEY); } catch { /* nothing more to do */ }
  return {
    store: empty,
    notice: 'Your saved custom models and GPUs could not be read (the browser store was corrupt) and were reset.',
  };
}

export function saveStore(store) {
  try {
    storage()?.setItem(KEY, JSON.stringify(store));
    return true;
  } catch {
    return false;
  }
}

// A key for a new item: the name made safe, unique within the map.
export function newKey(map, name) {
  const base = (name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'custom').slice(0, 40);
  let key = base;
  for (let i = 2; Object.hasOwn(map, key); i++) key = `${base}-${i}`;
  return key;
}

// The stored item a selection id names ("custom:<key>"), or undefined for a preset id.
export function customItem(map, id) {
  return id.startsWith('custom:') ? map[id.slice(7)] : undefined;
}
