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

// What a read used, for the sentences below: `model`, `gpu` and `coefficients` the
// calculator's, as the page names them; `tp` the calculator's TP when the view was set to
// use it, else null (the file's).
/** @typedef {{ model: string, gpu: string, coefficients: string, tp: number | null }} ReadSettings */

const OWN_HEADER = 'model, GPU, TP and coefficients (the default coefficients where a line names none)';

// Whether the calculator's settings were used at all: not when every step was a whole
// request, read with its own header (the core's request_steps).
/** @param {TraceSummary} summary */
export const usesCalculator = ({ steps, request_steps: requests }) => steps === 0 || requests < steps;

// The TP of the training-format steps, for #trace-read-with: the calculator's, or the
// file's, which for JSON Lines is TP 1 (its steps carry none; the core's summary says
// which format it read).
/** @param {TraceSummary['format']} format @param {number | null} tp */
function trainingTpPart(format, tp) {
  if (tp !== null) return `TP ${int(tp)}`;
  return format === 'document' ? 'TP from the file' : 'TP 1 (JSON Lines steps carry no TP)';
}

// #trace-read-with: what the figures were read with, part by part.
/** @param {TraceSummary} summary @param {ReadSettings} settings */
export function readWithText(summary, { model, gpu, coefficients, tp }) {
  const { steps, request_steps: requests } = summary;
  const calculator = `model ${model}, GPU ${gpu}, coefficients ${coefficients}, ${trainingTpPart(summary.format, tp)}`;
  if (requests === 0) return `Read with ${calculator}.`;
  const own = (/** @type {number} */ n) => `${n === 1 ? 'its' : 'their'} own ${OWN_HEADER}`;
  if (!usesCalculator(summary)) {
    return `${steps === 1 ? 'The step was a whole request, read' : `Every step was a whole request, each read`} with ${own(1)}; the calculator's settings were not used.`;
  }
  const training = steps - requests;
  return `The ${plural(training, 'step')} in the training format ${training === 1 ? 'was' : 'were'} read with ${calculator}; ` +
    `the ${plural(requests, 'whole request')} with ${own(requests)}.`;
}

// Where the training-format steps' TP came from: the calculator's, or the file's (a
// document's tensor_parallelism; JSON Lines steps in the training format are at TP 1).
/** @param {TraceSummary['format']} format @param {number | null} tp */
function trainingTpRule(format, tp) {
  if (tp !== null) return 'the calculator\'s TP';
  return format === 'document' ? 'the document\'s tensor_parallelism' : 'JSON Lines steps in the training format are read at TP 1';
}

// Which TP the steps were evaluated at (the core's summary), and the rule that applied.
/** @param {TraceSummary} summary @param {ReadSettings} settings */
export function tpText(summary, settings) {
  const { tps, steps, request_steps: requests } = summary;
  let rule;
  if (requests === steps) rule = steps === 1 ? 'the line\'s own tp' : 'each line\'s own tp';
  else if (requests === 0) rule = trainingTpRule(summary.format, settings.tp);
  else { // only JSON Lines mixes whole requests with steps in the training format
    rule = `each whole request's own tp, and ${settings.tp === null ? 'TP 1' : 'the calculator\'s TP'} for the steps in the training format`;
  }
  return tps.length === 1
    ? `TP ${int(tps[0])} for every step (${rule}).`
    : `TP differs between lines: ${listText(tps)} (${rule}).`;
}

// The lines of #trace-summary. tpRule says where TP comes from, for the options chosen.
/** @param {TraceSummary} summary @param {ReadSettings} settings @returns {string[]} */
export function summaryLines(summary, settings) {
  const { steps, skipped, total_predicted_us: total, timed_steps: timed } = summary;
  const lines = [`${plural(steps, 'step')} read, ${int(skipped)} skipped.`];
  if (steps === 0) {
    lines.push(skipped > 0 ? 'Every step was skipped as bad: there is nothing to chart or fit.' : 'The file has no steps: there is nothing to chart or fit.');
    return lines;
  }
  lines.push(tpText(summary, settings));
  lines.push(steps === 1
    ? `Predicted step time: ${human(total)}.`
    : `Predicted total: ${human(total)}, a mean of ${human(total / steps)} a step.`);
  const shares = /** @type {[keyof TraceSummary['dominant_share'], number][]} */ (Object.entries(summary.dominant_share)).filter(([, share]) => share > 0).sort((a, b) => b[1] - a[1]);
  // As the Serving view says it: "decode (β₂) in 78.03% of the steps, prefill (β₁) in 21.97%".
  const inSteps = (/** @type {number} */ share, /** @type {number} */ i) => (share === 1 ? 'every step' : `${num(share * 100)}%${i === 0 ? ' of the steps' : ''}`);
  lines.push(`The largest term of each step: ${shares.map(([term, share], i) => `${TERM_NAMES[term]} in ${inSteps(share, i)}`).join(', ')}.`);
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

// The coefficients the "before" figures are for: the ones each step was read with.
/** @param {TraceSummary} summary @param {ReadSettings} settings */
function beforeCoefficients(summary, { coefficients }) {
  if (summary.request_steps === 0) return `coefficients ${coefficients}`;
  const own = 'each whole request\'s own coefficients, or the default ones where it names none';
  return usesCalculator(summary) ? `coefficients ${coefficients} for the steps in the training format; ${own}` : own;
}

// λ as the λ field reads it back: the short form ("1e12") when it is the same number and
// has no thousands separator, else every digit ("250000").
/** @param {number} x */
export function lambdaText(x) {
  const short = num(x);
  return !short.includes(',') && Number(short) === x ? short : String(x).replace('e+', 'e');
}

// The fitted β, the held-out figures and the core's notes (collinear coefficients).
// The λ it was fitted with is named: the core's notes advise a pull towards 1 (λ > 0).
/** @param {FitReport} report @param {TraceSummary} summary @param {ReadSettings} settings @returns {string[]} */
export function fitLines(report, summary, settings) {
  const lines = [`Fitted β: ${report.beta.map((b, i) => `β${SUB[i]} = ${num(b)}`).join(', ')}.`];
  const { train, test } = report.steps;
  lines.push(`Fitted on ${plural(train, 'timed step')}, ${int(test)} held out to test it, with λ = ${lambdaText(report.lambda)}` +
    `${report.lambda > 0 ? ' pulling β₁..β₄ towards 1' : ' (no pull of β₁..β₄ towards 1)'}.`);
  const figures = (/** @type {ErrorFigures} */ f) => `MAPE ${num(f.mape_pct)}%, RMSE ${human(f.rmse_us)}, MAE ${human(f.mae_us)}`;
  if (report.before && report.after) {
    lines.push(`On the held-out steps: before (${beforeCoefficients(summary, settings)}) ${figures(report.before)}; after (the fitted β) ${figures(report.after)}.`);
  } else {
    lines.push('No step was held out, so there are no before-and-after figures.');
  }
  // The core's note on no held-out steps speaks of its JSON ("before" is null); the
  // sentence above says it for the page.
  for (const note of report.notes) if (note.code !== 'fit_no_test_steps') lines.push(note.message);
  const zeroed = zeroedTerms(report);
  if (zeroed.length > 0) {
    const names = zeroed.map((i) => TERM_NAMES[ROOFLINE_TERMS[i]]);
    const one = zeroed.length === 1;
    lines.push(`${one ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`} came out 0: ` +
      `these β fit these durations best by leaving ${one ? 'that term' : 'those terms'} out of the step time` +
      `${report.lambda > 0 ? `, even with λ = ${lambdaText(report.lambda)}` : ''}. Before using them elsewhere, check that ` +
      `${one ? 'it' : 'they'} should count for nothing; a larger λ pulls β₁..β₄ towards 1.`);
  }
  return lines;
}

/** @type {(keyof typeof TERM_NAMES)[]} β₁..β₄'s terms */
const ROOFLINE_TERMS = ['prefill', 'decode', 'weight', 'tp'];
// The roofline terms (β₁..β₄) the fit gave no weight that the core's notes do not already
// name (a coefficient the data cannot tell apart from another is left at 0 and named there).
/** @param {FitReport} report */
function zeroedTerms(report) {
  return [0, 1, 2, 3].filter((i) => report.beta[i] === 0 && !report.notes.some((note) => note.message.includes(`β${SUB[i]}`)));
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

// A trace the core refused, in the page's words: without the core's "trace:" prefix (the
// sentence already says it is the trace); a file that starts with a byte no JSON starts
// with (a picture, an archive) is said not to be JSON.
/** @param {string} message the core's @param {string | null} where @param {string} fileName */
export function traceErrorText(message, where, fileName) {
  let what = message.replace(/^error: /, '');
  if (where === 'trace') what = what.replace(/^trace: /, '');
  const byte = /^expected a JSON object \(an experiment document or JSON Lines\), got byte (0x[0-9a-f]{2})$/.exec(what);
  if (byte) what = `“${fileName}” is not a JSON file (its first byte is ${byte[1]}); a trace is an experiment document or JSON Lines`;
  return `The trace could not be read: ${what}${where === 'tensor_parallelism' ? ' (here: choose “the calculator\'s TP” under TP)' : ''}`;
}
