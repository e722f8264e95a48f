// Number formatting that never shows NaN: anything non-finite becomes a dash.
const sig4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const DASH = '–';

export function num(x) {
  if (!Number.isFinite(x)) return DASH;
  if (x !== 0 && (Math.abs(x) >= 1e7 || Math.abs(x) < 1e-3)) return sci(x);
  return sig4.format(x);
}

export function sci(x) {
  if (!Number.isFinite(x)) return DASH;
  if (x === 0) return '0';
  const [m, e] = x.toExponential(3).split('e');
  return `${Number(m)}e${Number(e)}`;
}

export function int(x) {
  return Number.isFinite(x) ? grouped.format(x) : DASH;
}

export function human(x) {
  if (!Number.isFinite(x)) return DASH;
  if (x >= 1e6) return `${sig4.format(x / 1e6)} s`;
  if (x >= 1e3) return `${sig4.format(x / 1e3)} ms`;
  return `${sig4.format(x)} µs`;
}

export function pct(x) {
  return Number.isFinite(x) ? `${sig4.format(x * 100)}%` : DASH;
}

export function ratio(a, b) {
  return b > 0 && Number.isFinite(a / b) ? a / b : NaN;
}
