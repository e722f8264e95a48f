// Every sentence the Trace view says, from the core's trace summary and fit report only.
// Pure functions (no DOM), checked on the edge cases: no step read, every step skipped, no
// durations, one step.
import { num, int, human, bytes } from './format.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').TraceSummary} TraceSummary */
/** @typedef {import('./wasm/stepcalc.mjs').FitReport} FitReport */
/** @typedef {import('./wasm/stepcalc.mjs').ErrorFigures} ErrorFigures */

// The dominant-share keys of the core's summary, in β order, as the page names the terms.
/** @type {Record<keyof TraceSummary['dominant_share'], string>} */
export const TERM_NAMES = {
  prefill: 'prefill (β₁)', decode: 'decode (β₂)', weight: 'weight read (β₃)', tp: 'TP all-reduce (β₄)',
  per_layer: 'per-layer overhead (β₅)', per_request: 'per-request overhead (β₆)', constant: 'constant (β₇)',
};
export const STACK_LABELS = ['prefill β₁·x₁', 'decode β₂·x₂', 'weight β₃·x₃', 'TP β₄·x₄', 'per layer β₅·L', 'per request β₆·batch', 'constant β₇'];

/** @param {number} n @param {string} one @param {string} [many] */
const plural = (n, one, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;

/** @param {{ bytes: number, total: number, steps: number }} progress */
export function progressText({ bytes: read, total, steps }) {
  return `${bytes(read)} of ${bytes(total)} read, ${plural(steps, 'step')} so far`;
}

// "1, 2 and 8"; past `most`, the first ones and how many more.
/** @param {number[]} xs */
function listText(xs, most = 8) {
  const shown = xs.slice(0, most).map(int);
  if (xs.length > most) return `${shown.join(', ')} and ${int(xs.length - most)} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown.join('');
}

// Which TP the steps were evaluated at (the core's summary), and the rule it came from.
/** @param {TraceSummary} summary @param {string} tpRule */
export function tpText({ tps }, tpRule) {
  return tps.length === 1
    ? `TP ${int(tps[0])} for every step (${tpRule}).`
    : `TP differs between lines: ${listText(tps)} (${tpRule}).`;
}

// The lines of #trace-summary. tpRule says where TP comes from, for the options chosen.
/** @param {TraceSummary} summary @param {string} tpRule @returns {string[]} */
export function summaryLines(summary, tpRule) {
  const { steps, skipped, total_predicted_us: total, timed_steps: timed } = summary;
  const lines = [`${plural(steps, 'step')} read, ${int(skipped)} skipped.`];
  if (steps === 0) {
    lines.push(skipped > 0 ? 'Every step was skipped as bad: there is nothing to chart or fit.' : 'The file has no steps: there is nothing to chart or fit.');
    return lines;
  }
  lines.push(tpText(summary, tpRule));
  lines.push(steps === 1
    ? `Predicted step time: ${human(total)}.`
    : `Predicted total: ${human(total)}, a mean of ${human(total / steps)} a step.`);
  const shares = /** @type {[keyof TraceSummary['dominant_share'], number][]} */ (Object.entries(summary.dominant_share)).filter(([, share]) => share > 0).sort((a, b) => b[1] - a[1]);
  lines.push(`The largest term, by share of steps: ${shares.map(([term, share]) => `${TERM_NAMES[term]} ${num(share * 100)}%`).join(', ')}.`);
  lines.push(timed > 0
    ? `Against the ${timed === steps ? (steps === 1 ? 'measured duration' : `${int(timed)} measured durations`) : `${plural(timed, 'measured duration')} (of ${int(steps)} steps)`}: MAPE ${num(summary.mape_pct ?? NaN)}%, RMSE ${human(summary.rmse_us ?? NaN)}, MAE ${human(summary.mae_us ?? NaN)}.`
    : 'No step has a measured duration (duration_us above 0): no error figures, and nothing to fit β to.');
  return lines;
}

/** @param {TraceSummary} summary @returns {string[]} */
export function skippedLines(summary) {
  const named = summary.skipped_errors;
  if (summary.skipped === 0) return [];
  const head = summary.skipped > named.length
    ? `The first ${int(named.length)} of ${int(summary.skipped)} skipped steps:`
    : `The skipped ${summary.skipped === 1 ? 'step' : 'steps'}:`;
  return [head, ...named];
}

const SUB = ['₁', '₂', '₃', '₄', '₅', '₆', '₇'];

// The fitted β, the held-out figures and the core's notes (collinear coefficients).
/** @param {FitReport} report @returns {string[]} */
export function fitLines(report) {
  const lines = [`Fitted β: ${report.beta.map((b, i) => `β${SUB[i]} = ${num(b)}`).join(', ')}.`];
  const { train, test } = report.steps;
  lines.push(`Fitted on ${plural(train, 'timed step')}, ${int(test)} held out to test it.`);
  const figures = (/** @type {ErrorFigures} */ f) => `MAPE ${num(f.mape_pct)}%, RMSE ${human(f.rmse_us)}, MAE ${human(f.mae_us)}`;
  if (report.before && report.after) {
    lines.push(`On the held-out steps: before (the chosen coefficients) ${figures(report.before)}; after (the fitted β) ${figures(report.after)}.`);
  } else {
    lines.push('No step was held out, so there are no before-and-after figures.');
  }
  // The core's note on no held-out steps speaks of its JSON ("before" is null); the
  // sentence above says it for the page.
  for (const note of report.notes) if (note.code !== 'fit_no_test_steps') lines.push(note.message);
  return lines;
}

// A number as plain decimal text, the form the β fields read ("1.5e-7" is refused there):
// the same digits with the point moved, so the field reads back the same double.
/** @param {number} x */
export function plainDecimal(x) {
  const text = String(x);
  if (!text.includes('e')) return text;
  const [mantissa, exponent] = text.split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const [whole, fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = whole + fraction, point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
