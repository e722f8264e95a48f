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
const seconds = (/** @type {Float64Array} */ us) => us.map((t) => t / 1e6);
/** @type {(u: uPlot, min: number, max: number) => uPlot.Range.MinMax} */
const fromZero = (u, min, max) => [0, max > 0 ? max * 1.05 : 1];

/** @param {HTMLElement} el @param {StepColumns} steps */
export function queueChart(el, steps) {
  return new uPlot({
    ...linearOptions(el, 'time since the first step began, s', 'requests'),
    scales: { x: { time: false }, y: { range: fromZero } },
    series: [{ label: 's' },
      { label: 'running', stroke: css('--c1'), width: 1.5, points: { show: false } },
      { label: 'waiting', stroke: css('--c2'), width: 1.5, dash: [6, 4], points: { show: false } }],
  }, [seconds(steps.start_us.map((t) => t - steps.start_us[0])), steps.running, steps.waiting], el);
}

// One series of points per term that was the largest in some step: that step's time, in ms.
/** @param {HTMLElement} el @param {StepColumns} steps */
export function stepTimeChart(el, steps) {
  const x = seconds(steps.start_us.map((t) => t - steps.start_us[0]));
  const present = TERM_ORDER.filter((term) => steps.terms.includes(term));
  const series = present.map((term) => {
    const index = steps.terms.indexOf(term);
    return Array.from(steps.duration_us, (d, i) => (steps.dominant[i] === index ? d / 1e3 : null));
  });
  return new uPlot({
    ...linearOptions(el, 'time since the first step began, s', 'step time, ms'),
    scales: { x: { time: false }, y: { range: fromZero } },
    series: [{ label: 's' }, ...present.map((term) => {
      const colour = css(`--c${TERM_ORDER.indexOf(term)}`);
      return { label: `largest: ${TERM_NAMES[term]}`, stroke: colour, paths: () => null, points: { show: true, size: 3, fill: colour } };
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
