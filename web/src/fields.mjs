// Number fields are text inputs with inputmode, not type="number": a number input reports
// "1,000" or "0x10" as an empty value, and the page must see what was typed to name it.
// data-number="count" marks whole-number fields; data-number="real" decimal ones (β, GPU).

// Counts: plain decimals, fractions included, so the core can say "must be an integer,
// got 1.5". Reals may also carry an exponent, as JSON numbers do.
const PLAIN = { count: /^-?\d+(\.\d+)?$/, real: /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i };
const HOW = {
  count: 'type digits only, without commas, spaces or letters',
  real: 'type digits with an optional decimal point, e.g. 2.5',
};

// Field text -> request value: undefined when blank; a number when the text is a plain
// number; otherwise the text itself, so the core rejects it by name and no other reading
// ("0x10" as 16, "1e3" as 1000, " 12 " as 12) slips through.
export function fieldValue(text, kind = 'count') {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return PLAIN[kind].test(text) && Number.isFinite(n) ? n : text;
}

// Added to an error about a field whose text was sent as text: the core says only
// "got a string", so quote what was typed and say what is expected.
export function typedHint(input, what = '') {
  const kind = input?.dataset.number;
  if (!kind || typeof fieldValue(input.value, kind) !== 'string' || what.includes(input.value)) return '';
  const text = input.value.length > 40 ? `${input.value.slice(0, 40)}…` : input.value;
  return `: “${text}” is not a plain number; ${HOW[kind]}`;
}

// ArrowUp/ArrowDown step a whole-number field by one (never below 1), as they would in a
// number input, and fire its input event. Other text is left for the user to correct.
export function stepCountsWithArrows(root) {
  root.addEventListener('keydown', (e) => {
    const input = e.target;
    if (input.dataset?.number !== 'count' || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    if (input.value !== '' && !/^\d+$/.test(input.value)) return;
    e.preventDefault();
    input.value = String(Math.max(1, Number(input.value) + (e.key === 'ArrowUp' ? 1 : -1)));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
