// The Trace view's three charts, drawn from the typed columns: step time over the run
// stacked by term, the histogram of predicted step times, and predicted against measured.
import uPlot from 'uplot';
import { css, plotOptions, compactNumber } from './plot.mjs';
import { STACK_LABELS } from './trace-text.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').TraceColumns} TraceColumns */

const HISTOGRAM_BINS = 40;
// Tick spacings for an axis that counts whole things (steps, requests): 1, 2, 5, 10, 20,
// ... up to 5e9, so that no tick stands at step 1.5 or at 0.2 requests.
const WHOLE_NUMBERS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

// x axes here are linear: step numbers or µs. The legends name the series only: values
// under the cursor would read "--" until one hovers, and a step's numbers are in the CSV.
// wholeX, wholeY: that axis counts whole things.
/** @param {HTMLElement} el @param {string} xLabel @param {string} yLabel @param {{ wholeX?: boolean, wholeY?: boolean }} [counts] */
export function linearOptions(el, xLabel, yLabel, { wholeX = false, wholeY = false } = {}) {
  const options = plotOptions(el, xLabel, yLabel);
  const [x, y, ...rest] = options.axes ?? [];
  const whole = (/** @type {boolean} */ counts) => (counts ? { incrs: WHOLE_NUMBERS } : {});
  return { ...options, legend: { ...options.legend, live: false },
    axes: [{ ...x, values: (/** @type {uPlot} */ u, /** @type {number[]} */ splits) => splits.map(compactNumber), ...whole(wholeX) },
      { ...y, ...whole(wholeY) }, ...rest] };
}

// Step time over the run, stacked by term: each series is the running sum c1..ck, filled
// to the axis and drawn from the top down, so each band shows one term.
/** @param {HTMLElement} el @param {TraceColumns} columns */
export function stackChart(el, columns) {
  const n = columns.step_time_us.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = i + 1;
  const sums = [];
  let running = new Float64Array(n);
  for (let k = 1; k <= 7; k++) {
    const next = new Float64Array(n), c = columns[/** @type {keyof TraceColumns} */ (`c${k}`)];
    for (let i = 0; i < n; i++) next[i] = running[i] + c[i];
    sums.push(next);
    running = next;
  }
  const colour = (/** @type {number} */ k) => css(`--c${k}`);
  const series = sums.map((_, k) => ({ label: STACK_LABELS[k], stroke: colour(k), fill: colour(k), width: 1, points: { show: false } })).reverse();
  return new uPlot({
    ...linearOptions(el, 'step, in file order', 'µs', { wholeX: true }),
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    series: [{ label: 'step' }, ...series],
  }, [x, ...sums.slice().reverse()], el);
}

/** @param {HTMLElement} el @param {Float64Array} times */
export function histogramChart(el, times) {
  let min = Infinity, max = -Infinity;
  for (const t of times) { if (t < min) min = t; if (t > max) max = t; }
  const width = max > min ? (max - min) / HISTOGRAM_BINS : 1;
  const edges = new Float64Array(HISTOGRAM_BINS), counts = new Float64Array(HISTOGRAM_BINS);
  for (let b = 0; b < HISTOGRAM_BINS; b++) edges[b] = min + b * width;
  for (const t of times) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((t - min) / width))]++;
  return new uPlot({
    ...linearOptions(el, 'predicted step time, µs (bin start)', 'steps', { wholeY: true }),
    scales: { x: { time: false, range: () => [min, min + HISTOGRAM_BINS * width] }, y: { range: (u, lo, hi) => [0, hi * 1.05 || 1] } },
    series: [{ label: 'µs' }, { label: 'steps', stroke: css('--c1'), fill: css('--c1'), paths: uPlot.paths.bars?.({ align: 1, size: [1, Infinity] }), points: { show: false } }],
  }, [edges, counts], el);
}

// Predicted against measured, the timed steps sorted by measured time; the line y = x.
/** @param {HTMLElement} el @param {TraceColumns} columns */
export function scatterChart(el, columns) {
  const measured = columns.duration_us, predicted = columns.step_time_us;
  const timed = [];
  for (let i = 0; i < measured.length; i++) if (measured[i] > 0) timed.push(i);
  const order = Uint32Array.from(timed).sort((a, b) => measured[a] - measured[b]);
  const x = new Float64Array(order.length), y = new Float64Array(order.length);
  order.forEach((i, j) => { x[j] = measured[i]; y[j] = predicted[i]; });
  return new uPlot({
    ...linearOptions(el, 'measured, µs', 'predicted, µs'),
    scales: { x: { time: false } },
    series: [{ label: 'measured' },
      { label: 'predicted', stroke: css('--c0'), paths: () => null, points: { show: true, size: 3, fill: css('--c0') } },
      { label: 'predicted = measured', stroke: css('--fg'), width: 1, points: { show: false } }],
  }, [x, y, x], el);
}
