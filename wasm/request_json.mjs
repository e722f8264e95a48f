// Requests as JSON: writing a caller's value as the core's text, and the checks that tell
// whether a parsed value or a plain object can take the quick way (numbers in the heap)
// without answering differently from the core's JSON path.

import { StepCalcError } from './errors.mjs';

/** @typedef {{ [field: string]: unknown }} JsonObject */

// JSON text of a request, with the errors JSON.stringify can raise made ours.
/** @param {unknown} request @returns {string} */
export function requestText(request) {
  if (typeof request === 'string') return request;
  let text;
  try {
    text = JSON.stringify(request);
  } catch (error) {
    throw new StepCalcError('request', `cannot be written as JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (text === undefined) throw new StepCalcError('request', `expected a JSON object, got ${typeof request}`);
  return text;
}

// Object keys written in JSON text: string tokens followed by a colon, found by a scan
// that knows strings and their escapes. JSON.parse keeps only the last of duplicate keys,
// which the core refuses; comparing this count with the parsed value's tells them apart.
/** @param {string} text */
export function keysInText(text) {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34) continue; // '"': a string to its closing quote
    for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13 || text.charCodeAt(j) === 9)) j++;
    if (text.charCodeAt(j) === 58) keys++; // ':'
  }
  return keys;
}

// Keys in a parsed value; NaN past `depth` levels (the core refuses such nesting anyway,
// and counting them would overflow the stack).
/** @param {unknown} value @param {number} depth @returns {number} */
export function keysInValue(value, depth) {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth === 0) return NaN;
  let keys = 0;
  if (Array.isArray(value)) {
    for (const element of value) keys += keysInValue(element, depth - 1);
    return keys;
  }
  for (const key in value) keys += 1 + keysInValue(/** @type {JsonObject} */ (value)[key], depth - 1);
  return keys;
}

// In a for…in loop over the same object, V8 turns hasOwnProperty.call(object, key) into a
// check of the object's map against the loop's enum cache; Object.hasOwn stays a call
// (0.56 against 1.2 µs for the rows of a 128-decode batch). Each module that needs it
// declares its own: V8 folds a module's own const, not an imported binding (a live one),
// and calc.compute took 2 µs longer with it imported.
const hasOwn = Object.prototype.hasOwnProperty;

// True when `object` is a plain object (not an array) that JSON.stringify would write as
// exactly its own enumerable fields, each one of `allowed`: no toJSON, no inherited
// enumerable field. (for-in is far cheaper than Object.keys, and sees inherited fields,
// which hasOwn then rejects.)
/** @param {unknown} object @param {Set<string>} allowed @returns {object is JsonObject} */
export function plainWithFields(object, allowed) {
  if (typeof object !== 'object' || object === null || Array.isArray(object) ||
    /** @type {JsonObject} */ (object).toJSON !== undefined) return false;
  for (const key in object) if (!allowed.has(key) || !hasOwn.call(object, key)) return false;
  return true;
}
