// A step's rows packed as numbers into a heap block, for the page's module: from the
// request's objects (when they are exactly what JSON.stringify would write, else the full
// JSON path answers) or from the caller's packed arrays.

import { StepCalcError } from './errors.mjs';
import { plainWithFields } from './request_json.mjs';

/** @typedef {import('./request_json.mjs').JsonObject} JsonObject */
/** @typedef {import('./heap_pool.mjs').HeapRows} HeapRows */

const PREFILL_FIELDS = ['tokens_this_step', 'prompt_tokens', 'count'];
const DECODE_FIELDS = ['context_length', 'count'];
const STEP_FIELDS = new Set(['prefill', 'decode']);
// Not imported: see request_json.mjs.
const hasOwn = Object.prototype.hasOwnProperty;

/** @param {ReturnType<typeof import('./heap_pool.mjs').createHeapPool>} pool @param {number} maxRows */
export function createRowPacker({ heap, takeBlock, release }, maxRows) {
  // Each row takes the heap view after its fields are read, as a getter's call may have
  // grown the memory. A row is taken when its own enumerable fields, which are all that
  // JSON.stringify writes, are known names, the required ones among them, and `count`
  // own when it is read (for-in is far cheaper than Object.keys, and sees inherited
  // fields, which hasOwn then rejects). One loop per list, with the key checks inline:
  // the hot loop of calc.compute (a row function passed in was 0.4 µs slower on 128 rows).
  /** @param {unknown[]} rows @param {number} index where the first number goes */
  function packPrefillRows(rows, index) {
    for (let i = 0; i < rows.length; i++, index += 3) {
      const row = /** @type {JsonObject} */ (rows[i]);
      if (typeof row !== 'object' || row === null || row.toJSON !== undefined) return false;
      const tokens = row.tokens_this_step, prompt = row.prompt_tokens, count = row.count;
      let keys = 0, required = 0;
      for (const key in row) {
        if (!hasOwn.call(row, key)) return false;
        if (key === 'tokens_this_step' || key === 'prompt_tokens') required++;
        else if (key !== 'count') return false;
        keys++;
      }
      if (required !== 2 || typeof tokens !== 'number' || typeof prompt !== 'number') return false;
      if (count !== undefined && typeof count !== 'number') return false;
      if (keys !== (count === undefined ? 2 : 3)) return false;
      const doubles = heap();
      doubles[index] = tokens;
      doubles[index + 1] = prompt;
      doubles[index + 2] = typeof count === 'number' ? count : 1;
    }
    return true;
  }
  /** @param {unknown[]} rows @param {number} index where the first number goes */
  function packDecodeRows(rows, index) {
    for (let i = 0; i < rows.length; i++, index += 2) {
      const row = /** @type {JsonObject} */ (rows[i]);
      if (typeof row !== 'object' || row === null || row.toJSON !== undefined) return false;
      const context = row.context_length, count = row.count;
      let keys = 0, required = 0;
      for (const key in row) {
        if (!hasOwn.call(row, key)) return false;
        if (key === 'context_length') required++;
        else if (key !== 'count') return false;
        keys++;
      }
      if (required !== 1 || typeof context !== 'number') return false;
      if (count !== undefined && typeof count !== 'number') return false;
      if (keys !== (count === undefined ? 1 : 2)) return false;
      const doubles = heap();
      doubles[index] = context;
      doubles[index + 1] = typeof count === 'number' ? count : 1;
    }
    return true;
  }

  // The step's rows in the heap, as {address, prefillRows, decodeRows} (free the address
  // after use), or null when the full path must answer.
  /** @param {unknown} step @returns {HeapRows | null} */
  function packStep(step) {
    if (!plainWithFields(step, STEP_FIELDS)) return null;
    const prefill = step.prefill === undefined ? [] : step.prefill;
    const decode = step.decode === undefined ? [] : step.decode;
    if (!isRowList(prefill) || !isRowList(decode)) return null;
    const block = takeBlock(8 * (3 * prefill.length + 2 * decode.length));
    const rows = { block, address: block.address, prefillRows: prefill.length, decodeRows: decode.length };
    const first = rows.address / 8;
    try {
      if (packPrefillRows(prefill, first) && packDecodeRows(decode, first + 3 * prefill.length)) return rows;
    } catch (error) {
      release(rows);
      throw error;
    }
    release(rows);
    return null;
  }

  /** @param {unknown} rows @returns {rows is unknown[]} */
  function isRowList(rows) {
    return Array.isArray(rows) && rows.length <= maxRows && /** @type {JsonObject} */ (/** @type {unknown} */ (rows)).toJSON === undefined;
  }

  // The numbers of a packed list as a typed array: plain arrays are checked to hold
  // numbers only (a typed array cannot hold anything else) and copied, so that each of
  // their elements is read once, here.
  /** @param {string} list @param {ArrayLike<number>} numbers @param {readonly string[]} fields
   * @returns {ArrayLike<number>} */
  function packedNumbers(list, numbers, fields) {
    if (ArrayBuffer.isView(numbers)) return numbers;
    const copy = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const value = numbers[i];
      if (typeof value !== 'number') {
        const row = Math.floor(i / fields.length), field = fields[i % fields.length];
        throw new StepCalcError(`${list}[${row}].${field}`, `expected a number, got ${typeof value}`);
      }
      copy[i] = value;
    }
    return copy;
  }

  // Packed rows (typed or plain arrays of numbers) copied into the heap.
  /** @param {ArrayLike<number>} prefill @param {ArrayLike<number>} decode @returns {HeapRows} */
  function copyPacked(prefill, decode) {
    prefill = packedNumbers('step.prefill', prefill, PREFILL_FIELDS);
    decode = packedNumbers('step.decode', decode, DECODE_FIELDS);
    const block = takeBlock(8 * (prefill.length + decode.length));
    const rows = { block, address: block.address, prefillRows: prefill.length / 3, decodeRows: decode.length / 2 };
    heap().set(prefill, rows.address / 8);
    heap().set(decode, rows.address / 8 + prefill.length);
    return rows;
  }

  return { packStep, copyPacked };
}
