// The Serving view's charts: the run over time (requests running and waiting; each step's
// time, coloured by its largest term) from the step records, and the latency–throughput
// curve (TTFT against the arrival rate, the knee ringed).
import uPlot from 'uplot';
import { css } from './plot.mjs';
import { linearOptions } from './trace-charts.mjs';
import { TERM_NAMES } from './trace-text.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').SimulationTerm} SimulationTerm */
/** @typedef {import('./serving-curve.mjs').CurvePoint} CurvePoint */
/**
 * The step records as the worker sends them: numbers as Float64Array, each step's largest
 * term as an index into terms.
 * @typedef {{ start_us: Float64Array, duration_us: Float64Array, running: Float64Array, waiting: Float64Array,
 *   dominant: Uint8Array, terms: SimulationTerm[] }} StepColumns
 */

// The terms in β order, for their colours (the Trace view's: --c0 is β₁'s).
const TERM_ORDER = /** @type {SimulationTerm[]} */ (Object.keys(TERM_NAMES));
/** @type {(u: uPlot, min: number, max: number) => uPlot.Range.MinMax} */
const fromZero = (u, min, max) => [0, max > 0 ? max * 1.05 : 1];

// From the first step's start to the last step's end, in µs: 0 when every step took no time
// (the view then draws no chart over time, as there is no time to draw it on).
/** @param {StepColumns} steps at least one step */
export function runSpanUs(steps) {
  const last = steps.start_us.length - 1;
  return steps.start_us[last] + steps.duration_us[last] - steps.start_us[0];
}

// The charts' time axis: it spans the run exactly (uPlot would round a one-step run's
// microseconds out to 0–100), in the unit that reads best for that span.
/** @param {StepColumns} steps */
function timeAxis(steps) {
  const span = runSpanUs(steps);
  const [unit, perUnit] = span >= 1e6 ? ['s', 1e6] : span >= 1e3 ? ['ms', 1e3] : ['µs', 1];
  return {
    unit, label: `time since the first step began, ${unit}`,
    at: (/** @type {number} */ us) => (us - steps.start_us[0]) / perUnit,
    /** @type {uPlot.Scale} */
    scale: { time: false, range: () => [0, span / perUnit] },
  };
}

// The counts hold through each step (a stepped line) and fall to 0 at the run's end, when
// every request has finished: a one-step run is a line across the whole axis, not a dot.
/** @param {HTMLElement} el @param {StepColumns} steps */
export function queueChart(el, steps) {
  const axis = timeAxis(steps), n = steps.start_us.length;
  const x = new Float64Array(n + 1), running = new Float64Array(n + 1), waiting = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) x[i] = axis.at(steps.start_us[i]);
  x[n] = axis.at(steps.start_us[0] + runSpanUs(steps));
  running.set(steps.running);
  waiting.set(steps.waiting);
  const held = uPlot.paths.stepped?.({ align: 1 });
  return new uPlot({
    ...linearOptions(el, axis.label, 'requests', { wholeY: true }),
    scales: { x: axis.scale, y: { range: fromZero } },
    series: [{ label: axis.unit },
      { label: 'running', stroke: css('--c1'), width: 1.5, paths: held, points: { show: false } },
      { label: 'waiting', stroke: css('--c2'), width: 1.5, dash: [6, 4], paths: held, points: { show: false } }],
  }, [x, running, waiting], el);
}

// One series of points per term that was the largest in some step: that step's time, in ms,
// at the step's start; larger points when there are few (a one-step run's must be seen).
/** @param {HTMLElement} el @param {StepColumns} steps */
export function stepTimeChart(el, steps) {
  const axis = timeAxis(steps), size = steps.start_us.length <= 100 ? 7 : 3;
  const x = Array.from(steps.start_us, axis.at);
  const present = TERM_ORDER.filter((term) => steps.terms.includes(term));
  const series = present.map((term) => {
    const index = steps.terms.indexOf(term);
    return Array.from(steps.duration_us, (d, i) => (steps.dominant[i] === index ? d / 1e3 : null));
  });
  return new uPlot({
    ...linearOptions(el, axis.label, 'step time, ms'),
    scales: { x: axis.scale, y: { range: fromZero } },
    series: [{ label: axis.unit }, ...present.map((term) => {
      const colour = css(`--c${TERM_ORDER.indexOf(term)}`);
      return { label: `largest: ${TERM_NAMES[term]}`, stroke: colour, paths: () => null, points: { show: true, size, fill: colour } };
    })],
  }, [x, ...series], el);
}

// TTFT p50 and p90 (ms) against the arrival rate; the knee as a ring. The y axis is
// logarithmic when every value is above 0 (TTFT spans decades once the queue grows).
/** @param {HTMLElement} el @param {CurvePoint[]} points @param {number} knee */
export function curveChart(el, points, knee) {
  const rates = points.map((p) => p.rate);
  const p50 = points.map((p) => p.summary.ttft_us.p50 / 1e3), p90 = points.map((p) => p.summary.ttft_us.p90 / 1e3);
  const log = [...p50, ...p90].every((v) => v > 0);
  const ring = p90.map((v, i) => (i === knee ? v : null));
  return new uPlot({
    ...linearOptions(el, 'arrival rate, requests per second', 'TTFT, ms'),
    scales: { x: { time: false }, y: log ? { distr: 3 } : { range: fromZero } },
    series: [{ label: 'requests/s' },
      { label: 'TTFT p50', stroke: css('--c1'), width: 1.5, points: { show: true, size: 5, fill: css('--c1') } },
      { label: 'TTFT p90', stroke: css('--c0'), width: 2, points: { show: true, size: 5, fill: css('--c0') } },
      { label: 'the knee', stroke: css('--fg'), width: 2, paths: () => null, points: { show: true, size: 16, width: 2, fill: 'transparent', stroke: css('--fg') } }],
  }, [rates, p50, p90, ring], el);
}
