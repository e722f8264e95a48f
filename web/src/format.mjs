// Number formatting that never shows NaN: anything non-finite becomes a dash. Values too
// large or too small for plain digits switch to scientific notation, so no figure reads
// "30,710,000,000,000 s" or "0.0000000000001405 %".
const sig4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const DASH = '–';

// Plain digits are used between these magnitudes; outside them, scientific notation.
const PLAIN_MIN = 1e-3, PLAIN_MAX = 1e7;
/** @param {number} x */
const plain = (x) => x === 0 || (Math.abs(x) >= PLAIN_MIN && Math.abs(x) < PLAIN_MAX);

/** @param {number} x */
export function num(x) {
  if (!Number.isFinite(x)) return DASH;
  return plain(x) ? sig4.format(x) : sci(x);
}

/** @param {number} x */
export function sci(x) {
  if (!Number.isFinite(x)) return DASH;
  if (x === 0) return '0';
  const [m, e] = x.toExponential(3).split('e');
  return `${Number(m)}e${Number(e)}`;
}

// An integer, every digit kept (a count of tokens or requests is exact); beyond 2^53 the
// digits are not exact any more, so scientific notation says so.
/** @param {number} x */
export function int(x) {
  if (!Number.isFinite(x)) return DASH;
  return Math.abs(x) < Number.MAX_SAFE_INTEGER ? grouped.format(x) : sci(x);
}

// A count with its noun, singular for exactly one: "1 token", "2 tokens".
/** @param {number} x @param {string} noun */
export function count(x, noun) {
  return `${int(x)} ${x === 1 ? noun : `${noun}s`}`;
}

// β and X are numbered 1 to 7 with subscripts, as everywhere on the page: "β₁".
const SUBSCRIPT = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
/** @param {number} i a single digit */
export const sub = (i) => SUBSCRIPT[i];

// A duration given in µs, in µs, ms or s.
/** @param {number} x */
export function human(x) {
  if (!Number.isFinite(x)) return DASH;
  if (x >= 1e6) return `${num(x / 1e6)} s`;
  if (x >= 1e3) return `${num(x / 1e3)} ms`;
  return `${num(x)} µs`;
}

/** @param {number} x */
export function pct(x) {
  return Number.isFinite(x) ? `${num(x * 100)}%` : DASH;
}

// Bytes in decimal SI units (GB = 10⁹ B, as GPU datasheets count memory).
/** @param {number | null} x null (a figure the core cannot give) is a dash too */
export function bytes(x) {
  if (x === null || !Number.isFinite(x)) return DASH;
  const a = Math.abs(x);
  if (a >= 1e12) return `${num(x / 1e12)} TB`;
  if (a >= 1e9) return `${num(x / 1e9)} GB`;
  if (a >= 1e6) return `${num(x / 1e6)} MB`;
  if (a >= 1e3) return `${num(x / 1e3)} kB`;
  return `${num(x)} B`;
}

/**
 * @param {number} a
 * @param {number} b
 */
export function ratio(a, b) {
  return b > 0 && Number.isFinite(a / b) ? a / b : NaN;
}

// A bound or a figure that must read exactly: every digit below 10⁷ ("4,096", "0.001"),
// e-notation from there ("1e9") when that is the same number, else every digit
// ("100,000,001": a rejected value must not read like the bound it passed).
/** @param {number} x */
export function exact(x) {
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return int(x);
  const short = num(x);
  if (Number(short.replace(/,/g, '')) === x) return short;
  return Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER ? grouped.format(x) : String(x).replace('e+', 'e');
}

// A run of digits as typed, grouped by thousands ("99,999,999,999,999,999,999"): for
// integers past 2^53, where the nearest double would print other digits.
/** @param {string} digits an optional minus sign and digits */
export function groupDigits(digits) {
  const [, sign, whole] = /** @type {RegExpExecArray} */ (/^(-?)0*(\d+)$/.exec(digits));
  return sign + whole.replace(/\B(?=(\d{3})+$)/g, ',');
}
