// Roofline chart (uPlot, log-log): the GPU's compute roof and bandwidth slope, the ridge
// point, and the current result's points: each phase and the whole step at the roofline
// bound (β = 1), and the whole step's prediction with the chosen β marked apart, since β
// below 1 can put it above the roof.
import uPlot from 'uplot';
import { chartHeight, css, plotOptions, mountChart, legendBeside, embedded, LEGEND_BESIDE } from './plot.mjs';
import { phases, phasePlaced, fastBetas, stepTraffic, derivedLabels } from './verdict.mjs';
import { num, human } from './format.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {{ x: [number, number], y: [number, number], ridge: number, peak: number }} Range the axes' extents and the roof */
/** @typedef {[number, ...(number | null)[]]} Row x, then one y per series (null where the series has no point) */

/** @param {number} x */
const decadeFloor = (x) => 10 ** Math.floor(Math.log10(x));
/** @param {number} x */
const decadeCeil = (x) => 10 ** Math.ceil(Math.log10(x));
// Columns: x, roof, prefill, decode, whole step at β = 1, whole step predicted.
const COLUMNS = 6;
// Column 0 holds the x values (numbers), the others the series (null: no point).
const EMPTY = /** @type {uPlot.AlignedData} */ (Array.from({ length: COLUMNS }, (_, i) => [i === 0 ? 1 : null]));

// The ridge label sits just above the roof, where no line runs, centred on the ridge and
// moved sideways as far as needed to stay inside the plot (off the y axis).
/**
 * @param {uPlot} u
 * @param {Range} range
 */
function drawRidgeLabel(u, range) {
  const ctx = u.ctx, dpr = devicePixelRatio;
  const x = u.valToPos(range.ridge, 'x', true), y = u.valToPos(range.peak, 'y', true);
  const text = `ridge ${num(range.ridge)} FLOP/B`;
  const fontPx = embedded() ? 10 : 12, gap = 4 * dpr;
  // Without room above the roof the label would be drawn across it: left out (the
  // description under the chart gives the ridge).
  if (y - u.bbox.top < (fontPx + 2) * dpr + gap) {
    u.root.dataset.ridgeLabel = 'null';
    return;
  }
  ctx.save();
  ctx.fillStyle = css('--fg');
  ctx.font = `${fontPx * dpr}px system-ui, sans-serif`;
  const width = ctx.measureText(text).width;
  const left = Math.max(u.bbox.left + gap, Math.min(x - width / 2, u.bbox.left + u.bbox.width - gap - width));
  // uPlot leaves its own alignment behind, so set both.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, left, y - gap);
  ctx.restore();
  // Its extent in CSS px, [left, right, top, bottom], and the roof's height, for the layout tests.
  u.root.dataset.ridgeLabel = JSON.stringify([left / dpr, (left + width) / dpr, (y - gap) / dpr - fontPx, (y - gap) / dpr]);
  u.root.dataset.roofY = String(y / dpr);
}

// In the embedded view the legend sits beside the chart, so the plot leaves it room.
/** @param {number} width the chart box's width */
const plotWidth = (width) => width - (legendBeside() ? LEGEND_BESIDE : 0);

// range is read by the scales and the ridge label on every draw, so new data only
// needs to update it.
/**
 * @param {HTMLElement} el
 * @param {Range} range
 * @param {number} width the chart box's width
 */
function makeChart(el, range, width) {
  // Each point's class names its legend row, which is hidden while the point is not plotted.
  /**
   * @param {string} label
   * @param {string} key
   * @param {string} color
   * @param {number} size
   * @param {string} [fill]
   * @returns {uPlot.Series}
   */
  const point = (label, key, color, size, fill = color) => ({
    label, class: `point-${key}`, stroke: color, fill, width: 0, paths: () => null,
    points: { show: true, size, width: 2, stroke: color, fill },
  });
  // Markers smaller than a decade of the embedded view's short plot (about 22 px).
  const size = (/** @type {number} */ px) => (embedded() ? Math.round(px * 0.6) : px);
  // For the layout tests: a decade's height in CSS px and the largest marker's.
  const recordScale = (/** @type {uPlot} */ u) => {
    u.root.dataset.decadePx = String(u.bbox.height / devicePixelRatio / Math.log10(range.y[1] / range.y[0]));
    u.root.dataset.markerPx = String(size(13));
  };
  return new uPlot({
    ...plotOptions(el, 'arithmetic intensity (FLOP/byte)', 'TFLOPS', { draw: [recordScale, (u) => { if (range.ridge) drawRidgeLabel(u, range); }] }, plotWidth(width)),
    scales: {
      x: { time: false, distr: 3, range: () => range.x },
      y: { distr: 3, range: () => range.y },
    },
    series: [
      { label: 'FLOP/B' },
      { label: 'GPU roof', stroke: css('--roof'), width: 2, spanGaps: true, points: { show: false } },
      point('Prefill: FLOPs ÷ KV written', 'prefill', css('--c0'), size(12)),
      point('Decode: FLOPs ÷ KV read', 'decode', css('--c1'), size(12)),
      point('Step', 'step', css('--fg'), size(9)), // its label, what it counts, is set by draw()
      point('Step, predicted (ring)', 'predicted', css('--accent'), size(13), 'transparent'),
    ],
    legend: { live: false },
  }, EMPTY, el);
}

// The sentence under the chart: what each point counts, which points are missing and why,
// and where the prediction sits against the roof and the roofline bound.
/**
 * @param {StepResponse} r
 * @param {ReturnType<typeof phases>} p
 */
function describe(r, p) {
  const peak = r.hardware.flops_peak_tflops, bw = r.hardware.bw_hbm_tb_s;
  const parts = [`Roof: ${num(peak)} TFLOPS dense peak and ${num(bw)} TB/s HBM; ridge at ${num(p.ridge)} FLOP/B.`];
  const placed = [];
  if (phasePlaced(r, 'prefill')) placed.push(`prefill at ${num(p.aiPrefill)} FLOP per byte of KV written`);
  if (phasePlaced(r, 'decode')) placed.push(`decode at ${num(p.aiDecode)} FLOP per byte of KV read`);
  if (p.flops > 0) placed.push(`the whole step at ${num(p.aiStep)} FLOP per byte of all HBM traffic (${stepTraffic(r)}), ${num(p.tflopsRoofline)} TFLOPS`);
  if (placed.length) parts.push(`At the roofline bound (β = 1): ${placed.join('; ')}.`);
  for (const phase of /** @type {const} */ (['prefill', 'decode'])) {
    if (r.bottleneck[phase] !== 'none' && !phasePlaced(r, phase)) {
      parts.push(`The ${phase} point is not plotted: it has no KV bytes (see the ${phase} sentence in the results).`);
    }
  }
  if (!(p.flops > 0)) parts.push('The step has no arithmetic, so it has no point on this chart.');
  else if (!(r.step_time_us > 0)) parts.push('The prediction is not plotted: the predicted step time is 0.');
  else {
    const above = p.tflopsStep > Math.min(peak, p.aiStep * bw);
    const low = fastBetas(r);
    // Under the roof, the ring can still sit above the β = 1 point: a step shorter than the bound.
    const faster = low && r.step_time_us < p.rooflineUs
      ? `, above the β = 1 point: ${low} a step shorter than the roofline bound (${human(r.step_time_us)} against ${human(p.rooflineUs)}).`
      : '.';
    parts.push(`Prediction (ring): ${num(p.tflopsStep)} TFLOPS` + (above
      ? `, above the roof: ${low ?? 'these β predict'} a step faster than the roofline allows.`
      : `, under the roof${faster}`));
  }
  return parts.join(' ');
}

export function createRoofline() {
  const el = /** @type {HTMLElement} */ (document.getElementById('roofline'));
  const desc = /** @type {HTMLElement} */ (document.getElementById('roofline-desc'));
  /** @type {Range} */
  const range = { x: [0.1, 1e4], y: [0.1, 1e4], ridge: 0, peak: 0 };
  /** @typedef {{ data: uPlot.AlignedData, placed: Record<string, unknown>, stepLabel: string }} Shown the chart's columns, which points are on it and what the step point counts */
  /** @type {Shown | null} */
  let shown = null;
  /**
   * @param {uPlot} chart
   * @param {Shown} what
   */
  function draw(chart, { data, placed, stepLabel }) {
    // The legend lists only the points on the chart.
    for (const [key, pt] of Object.entries(placed)) {
      const entry = /** @type {HTMLElement | null} */ (el.querySelector(`.u-legend .point-${key}`));
      if (entry) entry.style.display = pt ? '' : 'none';
    }
    // The step point's bytes: weights and KV, or weights only (kv_heads < TP).
    const stepEntry = el.querySelector('.u-legend .point-step .u-label');
    if (stepEntry && stepEntry.textContent !== stepLabel) stepEntry.textContent = stepLabel;
    chart.setData(data);
  }
  const mount = mountChart(el, (width) => {
    const chart = makeChart(el, range, width);
    if (shown) draw(chart, shown);
    return chart;
  }, (chart, width) => chart.setSize({ width: plotWidth(width), height: chartHeight() }));

  /** @param {StepResponse} r */
  function update(r) {
    const p = phases(r), peak = r.hardware.flops_peak_tflops, bw = r.hardware.bw_hbm_tb_s;
    /**
     * @param {number} x
     * @param {number} column
     * @param {number} y
     * @returns {Row}
     */
    const row = (x, column, y) => { const out = Array(COLUMNS).fill(null); out[0] = x; out[column] = y; return /** @type {Row} */ (out); };
    const placed = {
      prefill: phasePlaced(r, 'prefill') ? [p.aiPrefill, p.tflopsPrefill] : null,
      decode: phasePlaced(r, 'decode') ? [p.aiDecode, p.tflopsDecode] : null,
      step: p.flops > 0 ? [p.aiStep, p.tflopsRoofline] : null,
      predicted: p.flops > 0 && r.step_time_us > 0 ? [p.aiStep, p.tflopsStep] : null,
    };
    // Machine-readable, like #step-time's data-us: the points drawn, [FLOP/B, TFLOPS].
    el.dataset.points = JSON.stringify(placed);
    const points = Object.values(placed).map((pt, i) => pt && row(pt[0], i + 2, pt[1])).filter((pt) => pt !== null);
    const xs = points.map((pt) => pt[0]);
    const xlo = decadeFloor(Math.min(p.ridge, ...xs) / 10), xhi = decadeCeil(Math.max(p.ridge, ...xs) * 10);
    const rows = [row(xlo, 1, bw * xlo), row(p.ridge, 1, peak), row(xhi, 1, peak), ...points];
    rows.sort((a, b) => a[0] - b[0]);
    const ys = /** @type {number[]} */ (rows.flatMap((rw) => rw.slice(1)).filter((v) => v !== null && v > 0));
    range.x = [xlo, xhi];
    // At least a factor 5 above the roof, room for the ridge label.
    range.y = [decadeFloor(Math.min(...ys) / 2), decadeCeil(Math.max(peak * 5, ...ys.map((y) => y * 2)))];
    range.ridge = p.ridge;
    range.peak = peak;
    // Column 0 is every row's x, a number.
    shown = { data: /** @type {uPlot.AlignedData} */ (Array.from({ length: COLUMNS }, (_, c) => rows.map((rw) => rw[c]))), placed, stepLabel: derivedLabels(r).stepPoint };
    if (mount.chart) draw(mount.chart, shown);
    desc.textContent = describe(r, p);
  }

  return { update };
}
