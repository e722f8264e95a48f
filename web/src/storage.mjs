// Custom models and GPUs kept in localStorage, one JSON object under one key. Each entry is
// checked on its own: a malformed entry, or one the core no longer accepts, is dropped with a
// notice naming it and the rest are kept. Only a store that is not JSON at all is reset.
import { checkModel, checkGpu } from './calc.mjs';

/** @typedef {import('./state.mjs').Custom} Custom */

const KEY = 'stepcalc.custom.v1';
// check takes the stored item as parsed JSON: what it holds is known only once the core has read it.
/** @type {{ list: import('./state.mjs').CustomList, field: string, noun: string, check: (item: any) => import('./calc.mjs').Outcome<unknown> }[]} */
const LISTS = [
  { list: 'models', field: 'config', noun: 'model', check: checkModel },
  { list: 'gpus', field: 'datasheet', noun: 'GPU', check: checkGpu },
];

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked (e.g. sandboxed iframe): custom items then last for the session
  }
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, any>} parsed JSON, whose fields are checked one by one
 */
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** @param {unknown} text */
const quote = (text) => `“${String(text).slice(0, 60)}”`;

// Returns { custom: { models, gpus }, notices: [text] }.
/** @returns {{ custom: Custom, notices: string[] }} */
export function loadStore() {
  /** @type {Custom} */
  const custom = { models: {}, gpus: {} };
  /** @type {string[]} */
  const notices = [];
  const ls = storage();
  let text = null;
  try {
    text = ls?.getItem(KEY) ?? null;
  } catch { /* unreadable: start empty */ }
  if (text === null) return { custom, notices };
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!isObject(data)) {
    try { ls?.removeItem(KEY); } catch { /* nothing more to do */ }
    notices.push('Your saved custom models and GPUs could not be read (the browser store was corrupt) and were reset.');
    return { custom, notices };
  }
  let dropped = false;
  for (const { list, field, noun, check } of LISTS) {
    if (data[list] === undefined) continue;
    if (!isObject(data[list])) {
      notices.push(`Your saved custom ${noun}s could not be read (not a list of entries) and were removed.`);
      dropped = true;
      continue;
    }
    for (const [key, entry] of Object.entries(data[list])) {
      let why = null;
      if (!isObject(entry) || typeof entry.name !== 'string' || !isObject(entry[field])) why = 'the entry is malformed';
      else {
        const checked = check(entry[field]);
        if (!checked.ok) why = checked.input ? `the calculator no longer accepts it (${checked.where}: ${checked.what})` : `it could not be checked (${checked.message})`;
      }
      if (why) {
        notices.push(`Your saved custom ${noun} ${quote(isObject(entry) && typeof entry.name === 'string' ? entry.name : key)} was removed: ${why}.`);
        dropped = true;
      } else custom[list][key] = entry;
    }
  }
  if (dropped) saveStore(custom);
  return { custom, notices };
}

// Items the browser refused to store (quota): they stay for this visit but are not written
// again, so the others can still be saved.
const sessionOnly = new Set();

// Writes the store. changed: { list, key } of the item just added, named if it does not fit.
// Returns null, or a notice saying what could not be saved.
/**
 * @param {Custom} custom
 * @param {{ list: import('./state.mjs').CustomList, key: string } | null} [changed]
 * @returns {string | null}
 */
export function saveStore(custom, changed) {
  const ls = storage();
  if (!ls) return changed ? 'This browser does not let the page store anything; your custom item lasts until you leave the page.' : null;
  if (changed) sessionOnly.delete(`${changed.list}/${changed.key}`); // a new or updated item gets a new try
  /** @param {string | null} skip */
  const persisted = (skip) => {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const { list } of LISTS) {
      out[list] = Object.fromEntries(Object.entries(custom[list]).filter(([key]) => !sessionOnly.has(`${list}/${key}`) && `${list}/${key}` !== skip));
    }
    return JSON.stringify(out);
  };
  try {
    ls.setItem(KEY, persisted(null));
    return null;
  } catch { /* most likely the quota: retry without the new item */ }
  if (!changed) return 'The browser did not let the page save your custom models and GPUs.';
  const id = `${changed.list}/${changed.key}`;
  const item = custom[changed.list][changed.key];
  const noun = /** @type {typeof LISTS[number]} */ (LISTS.find((l) => l.list === changed.list)).noun;
  try {
    ls.setItem(KEY, persisted(id));
    sessionOnly.add(id);
    const size = new Blob([JSON.stringify(item)]).size;
    return `Your custom ${noun} ${quote(item.name)} (${Math.ceil(size / 1024)} KB) is too big for this browser's storage: it is used until you leave the page but not saved. Your other custom models and GPUs are saved.`;
  } catch {
    return 'The browser did not let the page save your custom models and GPUs; they last until you leave the page.';
  }
}

// A key for a new item: the name made safe, unique within the map.
/**
 * @param {Record<string, unknown>} map
 * @param {string} name
 */
export function newKey(map, name) {
  const base = (name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'custom').slice(0, 40);
  let key = base;
  for (let i = 2; Object.hasOwn(map, key); i++) key = `${base}-${i}`;
  return key;
}
