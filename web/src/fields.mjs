// Number fields are text inputs with inputmode, not type="number": a number input reports
// "1,000" or "0x10" as an empty value, and the page must see what was typed to name it.
// data-number="count" marks whole-number fields; data-number="real" decimal ones (β, GPU);
// data-number="scientific" decimal ones that also take an exponent (λ, whose useful values
// run to 1e12 and beyond).

// What the page reads as a number. Counts: whole numbers in digits (a sign is read, so "-5"
// is named as out of range). Reals: digits with one optional decimal point on either side
// (".5" and "5." are unambiguous). Nothing else is read as a number: not "1.5" as a count,
// "0x10" as 16, "1,000" or "1e3" as 1000, nor " 12 " as 12.
import { exact } from './format.mjs';

const PLAIN = { count: /^-?\d+$/, real: /^-?(\d+\.?\d*|\.\d+)$/, scientific: /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i };
const FRACTION = /^-?\d*\.\d*$/;
const HOW = {
  count: 'type digits only, without commas, spaces or letters',
  real: 'type digits with an optional decimal point, e.g. 2.5',
  scientific: 'type digits with an optional decimal point and exponent, e.g. 2.5 or 1e12',
};

/** @param {string} text */
const quoted = (text) => `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;

/** @typedef {keyof typeof PLAIN} NumberKind 'count' (whole numbers), 'real' or 'scientific' (a real with an optional exponent) */
/** @typedef {{ value: number, error?: undefined } | { value?: undefined, error: string }} FieldRead */

// Field text -> { value } (a number), or { error } saying why the text is not one.
/**
 * @param {string} text
 * @param {NumberKind} [kind]
 * @returns {FieldRead}
 */
export function readField(text, kind = 'count') {
  if (text.trim() === '') return { error: 'is empty; enter a number' };
  const value = Number(text);
  if (PLAIN[kind].test(text) && Number.isFinite(value)) return { value };
  if (kind === 'count' && FRACTION.test(text)) return { error: `${quoted(text)} is not a whole number; type digits only, without a decimal point` };
  return { error: `${quoted(text)} is not a plain number; ${HOW[kind]}` };
}

// Field text -> { value } within [min, max], or { error } naming the range. The bounds are
// the core's (calc.limits), so the page names every bad field at once instead of the core
// naming the first.
/**
 * @param {string} text
 * @param {NumberKind} kind
 * @param {number} min
 * @param {number} max
 * @returns {FieldRead}
 */
export function readBounded(text, kind, min, max) {
  const read = readField(text, kind);
  if (read.value !== undefined ? read.value >= min && read.value <= max : !PLAIN[kind].test(text)) return read;
  // Out of range, or written plainly but beyond a double ("1e400"): the range says what to type.
  return { error: `must be ${kind === 'count' ? 'an integer' : 'a number'} from ${exact(min)} to ${exact(max)}, got ${text.length > 40 ? `${text.slice(0, 40)}…` : text}` };
}

// The number a field holds, or undefined when it holds none (for links and the slider).
/**
 * @param {string} text
 * @param {NumberKind} [kind]
 */
export function fieldNumber(text, kind = 'count') {
  return readField(text, kind).value;
}

// ArrowUp/ArrowDown step a whole-number field by one (never below 1), as they would in a
// number input, and fire its input event. Other text is left for the user to correct.
/** @param {HTMLElement} root */
export function stepCountsWithArrows(root) {
  root.addEventListener('keydown', (e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    if (input.dataset?.number !== 'count' || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    if (input.value !== '' && !/^\d+$/.test(input.value)) return;
    e.preventDefault();
    input.value = String(Math.max(1, Number(input.value) + (e.key === 'ArrowUp' ? 1 : -1)));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
