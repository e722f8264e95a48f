// Every sentence the Serving view says, from the core's simulation summaries only. Pure
// functions (no DOM), checked on the edge cases (tests/e2e/serving.test.mjs): one request,
// one output token (TPOT 0 by definition), a run that takes no time (all β zero), a
// workload that saturates, a curve without a knee.
import { num, int, human, pct, count } from './format.mjs';
import { TERM_NAMES } from './trace-text.mjs';
import { KNEE_FACTOR } from './serving-curve.mjs';
import { scenarioNames } from './caption.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').SimulationResponse['summary']} SimulationSummary */
/** @typedef {import('./wasm/stepcalc.mjs').LatencySummary} LatencySummary */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationTerm} SimulationTerm */
/** @typedef {import('./serving-curve.mjs').CurvePoint} CurvePoint */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./wasm/stepcalc.mjs').PresetListing} PresetListing */
/** @typedef {import('./state.mjs').State} State */
/**
 * What the run was asked for, beyond what its summary says: the output tokens' range and
 * the running limit.
 * @typedef {{ outputMin: number, outputMax: number, maxSeqs: number }} RunShape
 */

// A request's shape, from what it asked for (a fixed output count is sent as one number).
/** @param {SimulationRequest} request @returns {RunShape} */
export function runShape({ workload, scheduler }) {
  const output = workload.output_tokens;
  const { min: outputMin, max: outputMax } = typeof output === 'object' ? output : { min: output ?? 0, max: output ?? 0 };
  return { outputMin, outputMax, maxSeqs: /** @type {number} */ (scheduler?.max_num_seqs) };
}

// "model Llama 3.1 8B Instruct, GPU H100 SXM, TP 1, coefficients …": as the caption names them.
/** @param {State} state @param {PresetListing} presets */
function scenarioWords(state, presets) {
  const names = scenarioNames(state, state.custom, presets);
  return `model ${names.model}, GPU ${names.gpu}, TP ${state.tp}, coefficients ${names.coefficients}`;
}
// Above the inputs: what a run would read from the calculator.
/** @param {State} state @param {PresetListing} presets */
export const scenarioLine = (state, presets) =>
  `For the calculator's ${scenarioWords(state, presets)} and GPU memory utilization ${state.util}; change them above.`;
// Above the results: what they were run with.
/** @param {State} state @param {PresetListing} presets */
export const simulatedWithLine = (state, presets) => `Simulated with ${scenarioWords(state, presets)}, GPU memory utilization ${state.util}.`;

/** @param {LatencySummary} l */
const figures = (l) => `p50 ${human(l.p50)}, p90 ${human(l.p90)}, p99 ${human(l.p99)}, mean ${human(l.mean)}`;

// The latencies as the table shows them: [name, summary] rows.
/** @param {SimulationSummary} s @returns {[string, LatencySummary][]} */
export const latencyRows = (s) => [['TTFT', s.ttft_us], ['TPOT', s.tpot_us], ['E2E', s.e2e_us]];

/** @param {number | null} throughput */
const throughputText = (throughput) => (throughput === null ? 'none' : `${num(throughput)} output tokens per second`);

// The main run's sentences, in order: what ran, throughput, TTFT, TPOT, E2E, how busy the
// engine was, the queue, the KV cache, the largest terms.
/** @param {SimulationSummary} s @param {RunShape} shape @returns {string[]} */
export function summaryLines(s, { outputMin, outputMax, maxSeqs }) {
  const lines = [
    `${count(s.requests, 'request')} (${count(s.prompt_tokens, 'prompt token')} and ${count(s.output_tokens, 'output token')}) ran in ${count(s.steps, 'step')}: ${human(s.makespan_us)} from the first arrival to the last token.`,
    s.throughput_tokens_per_s === null
      ? 'Throughput: none, as the run took no time (0 µs from the first arrival to the last token).'
      : `Throughput: ${throughputText(s.throughput_tokens_per_s)} (output tokens ÷ that time).`,
    // Nearest-rank percentiles are values of the data: at least N% of the requests are at or below pN.
    `Time to first token (TTFT), from arrival: ${figures(s.ttft_us)}. At least half of the requests had their first token within ${human(s.ttft_us.p50)}, and at least 99% within ${human(s.ttft_us.p99)}.`,
    outputMax === 1
      ? 'Time per output token (TPOT): every request makes 1 output token, so none has a later token to time; TPOT is 0 by definition.'
      : `Time per output token (TPOT), after the first: ${figures(s.tpot_us)}.${outputMin === 1 ? ' A request with 1 output token counts as 0.' : ''}`,
    `End to end (E2E), from arrival to the last token: ${figures(s.e2e_us)}.`,
  ];
  if (s.makespan_us > 0) {
    // The steps' sum and the span from the first arrival differ by rounding when the engine
    // never sat idle: idle time, and a share below 100%, are said only above that.
    const idle = s.makespan_us - s.busy_us, idled = idle > 1e-9 * s.makespan_us;
    lines.push(`The engine computed for ${human(s.busy_us)} of that time (${idled ? partShare(s.busy_us / s.makespan_us) : '100%'})${idled
      ? ` and sat idle for ${human(idle)}, waiting for requests to arrive.` : '.'}`);
  }
  lines.push(`At most ${count(s.peak_running, 'request')} ran at once (the limit is ${int(maxSeqs)})${s.peak_waiting > 0
    ? `, and at most ${count(s.peak_waiting, 'request')} ${s.peak_waiting === 1 ? 'was' : 'were'} waiting at the start of a step, held back by the running limit, the token budget or the KV cache.`
    : '; no request was left waiting at any step\'s start.'}`);
  lines.push(s.kv_capacity_tokens === null
    ? 'The GPU\'s memory capacity is unknown, so memory never held a request back.'
    : `The KV cache holds ${count(s.kv_capacity_tokens, 'token')} beside the weights; a request reserves its prompt and output tokens when it starts.`);
  lines.push(`The largest term of each step: ${largestTerms(s.dominant_share)}.`);
  return lines;
}

// A share: one just below 1 reads "over 99.99%", not "100%".
/** @param {number} share */
const partShare = (share) => (share >= 1 ? '100%' : share > 0.9999 ? 'over 99.99%' : pct(share));

// "weight read (β₃) in 80% of the steps, decode (β₂) in 20%": the terms that were largest
// in some step, most often first.
/** @param {Record<SimulationTerm, number>} shares */
function largestTerms(shares) {
  const terms = /** @type {[SimulationTerm, number][]} */ (Object.entries(shares)).filter(([, share]) => share > 0).sort((a, b) => b[1] - a[1]);
  return terms.map(([term, share], i) => `${TERM_NAMES[term]} in ${share === 1 ? 'every step' : `${partShare(share)}${i === 0 ? ' of the steps' : ''}`}`).join(', ');
}

// `total` is exact once the curve's rates are known; before, it is the most there can be.
/** @param {number} n @param {number} total @param {boolean} exact @param {string} doing */
export const progressLine = (n, total, exact, doing) => `${doing} (${int(n)} of ${exact ? '' : 'at most '}${int(total)} simulations done)`;

// The curve's opening sentence: the capacity it is built on, or why there is none; and
// how the rate asked for (askedRate, 0 for all at once) stands against it.
/** @param {SimulationSummary} atOnce @param {number | null} capacity @param {number[]} rates @param {number} [askedRate] */
export function capacityLine(atOnce, capacity, rates, askedRate = 0) {
  if (capacity === null) {
    return `No curve: with every request at t = 0 the run takes no time (every step takes 0 µs), so no arrival rate saturates the engine.`;
  }
  const range = rates.length === 1 ? `one arrival rate, ${num(rates[0])}` : `${int(rates.length)} arrival rates from ${num(rates[0])} to ${num(rates[rates.length - 1])}`;
  const asked = askedRate <= 0 ? ''
    : askedRate > capacity ? ` The rate asked for, ${num(askedRate)} requests per second, is ${num(askedRate / capacity)}× that: requests arrive faster than the engine finishes them all at once.`
      : ` The rate asked for, ${num(askedRate)} requests per second, is ${num((100 * askedRate) / capacity)}% of it.`;
  const atZero = atOnce.requests === 1 ? 'the one request, at t = 0, finishes' : `all ${count(atOnce.requests, 'request')} at t = 0 finish`;
  return `Capacity for this workload: ${num(capacity)} requests per second (${atZero} in ${human(atOnce.makespan_us)}).${asked} The curve runs ${range} requests per second, each a run of the same inputs at that rate.`;
}

// Where TTFT explodes, or that it does not in the rates run. points: ascending rates, all run.
/** @param {CurvePoint[]} points @param {number} knee kneeIndex(points) */
export function kneeLine(points, knee) {
  const low = points[0], base = low.summary.ttft_us.p90;
  const definition = `(The knee is the lowest rate whose TTFT p90 is at least ${KNEE_FACTOR} times that at the lowest rate run.)`;
  if (!(base > 0)) {
    return `TTFT p90 is 0 µs at the lowest rate, ${num(low.rate)} requests per second, so there is no knee to find ${definition}; the table gives TTFT at each rate.`;
  }
  if (knee < 0) {
    return `No knee up to ${num(points[points.length - 1].rate)} requests per second: TTFT p90 stays under ${KNEE_FACTOR} times its ${human(base)} at ${num(low.rate)} per second. ${definition}`;
  }
  const at = points[knee];
  return `The knee: at ${num(at.rate)} requests per second TTFT p90 is ${human(at.summary.ttft_us.p90)}, ${num(at.summary.ttft_us.p90 / base)} times its ${human(base)} at ${num(low.rate)} per second, while throughput is ${throughputText(at.summary.throughput_tokens_per_s)}. ${definition}`;
}

// The curve's table: one row per rate run.
/** @param {CurvePoint} p */
export const curveRow = (p) => [num(p.rate), p.summary.throughput_tokens_per_s === null ? '–' : num(p.summary.throughput_tokens_per_s),
  human(p.summary.ttft_us.p50), human(p.summary.ttft_us.p90), human(p.summary.tpot_us.p50), human(p.summary.e2e_us.p90)];
export const CURVE_COLUMNS = ['Arrival rate, req/s', 'Throughput, output tok/s', 'TTFT p50', 'TTFT p90', 'TPOT p50', 'E2E p90'];
