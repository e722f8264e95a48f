// What the roofline and sweep charts share: uPlot options for size, colours and axes,
// and the rebuild when the colour scheme changes (uPlot bakes colours in at creation).

/** @typedef {import('uplot')} uPlot */
/**
 * What uPlot keeps on a live axis beyond its declared options: the font as [font, size] and
 * the tick values and splits of the last draw.
 * @typedef {{ font: [string, number], _values?: (string | number | null)[], _splits: number[] }} LiveAxis
 */
/**
 * @param {uPlot} u
 * @param {number} i
 */
const liveAxis = (u, i) => /** @type {LiveAxis} */ (/** @type {unknown} */ (u.axes[i]));

// The embedded view is designed for a 640×480 frame, where a chart must fit beside the
// step time, verdict, memory bar and contributions (and a does-not-fit alert): a shorter
// chart, with the roofline's legend beside it (LEGEND_BESIDE px wide) instead of below.
export const embedded = () => document.body.classList.contains('embed');
export const chartHeight = () => (embedded() ? 130 : 260);
export const LEGEND_BESIDE = 170;
// The same query as style.css's for the legend beside the roofline: below 520 px the plot
// would keep too little width beside a 170 px legend.
const BESIDE_MEDIA = '(min-width: 520px)';
export const legendBeside = () => embedded() && matchMedia(BESIDE_MEDIA).matches;

// Colours are read once per colour scheme: reading one brings the style of the whole page
// up to date, and the charts draw after every edit.
/** @type {Map<string, string>} */
const colours = new Map();
/** @param {string} name a CSS custom property */
export function css(name) {
  let value = colours.get(name);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    colours.set(name, value);
  }
  return value;
}

/** @param {number} width the chart box's width in CSS px (0 when not laid out) */
const chartWidth = (width) => Math.max(260, Math.floor(width || 320));
/** @param {HTMLElement} el */
export function widthOf(el) {
  return chartWidth(el.clientWidth);
}

// Width in CSS px of tick labels in the axis's font.
/**
 * @param {uPlot} u
 * @param {LiveAxis} axis
 * @param {(string | number | null)[]} labels
 */
function labelWidth(u, axis, labels) {
  u.ctx.save();
  u.ctx.font = axis.font[0];
  const width = Math.max(...labels.map((l) => u.ctx.measureText(String(l)).width)) / devicePixelRatio;
  u.ctx.restore();
  return Math.ceil(width);
}

// uPlot centres each x tick label on its tick but pads the right edge by a fixed 25 px,
// so a wide last label ("10,000,000") was cut off. Pad by half that label's width instead.
/** @param {uPlot} u */
function rightPadding(u) {
  const labels = liveAxis(u, 0)._values;
  return labels?.length ? Math.max(25, labelWidth(u, liveAxis(u, 0), labels.slice(-1)) / 2 + 4) : 25;
}

// The y axis is as wide as its widest label (ticks and gap included), so "150,000" does not
// run into the axis title.
/**
 * @param {uPlot} u
 * @param {string[]} labels
 * @param {number} i
 */
function yAxisSize(u, labels, i) {
  return labels?.length ? Math.max(50, labelWidth(u, liveAxis(u, i), labels) + 18) : 60;
}

// Both charts have a log x axis. Its tick labels: decades only (every split when fewer
// than two decades are in view), in SI form ("10k", "1M") so they stay short, and a label
// is dropped where it would come closer than GAP px to the one before it, so none collide
// at 360 px.
/** @type {[number, string][]} */
const SI = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
const GAP = 8;
/** @param {number} v */
export function compactNumber(v) {
  for (const [size, suffix] of SI) if (Math.abs(v) >= size) return `${+(v / size).toPrecision(3)}${suffix}`;
  return String(+v.toPrecision(3));
}
/** @param {number} v */
const isDecade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
/** @type {import('uplot').Axis.DynamicValues} */
function logLabels(u, splits) {
  let candidates = splits.map(isDecade);
  if (candidates.filter(Boolean).length < 2) candidates = splits.map(() => true);
  const { min, max } = /** @type {{ min: number, max: number }} */ (u.scales.x); // set by the time labels are made
  const width = (u.bbox.width || u.width * devicePixelRatio) / devicePixelRatio;
  /** @param {number} v */
  const pos = (v) => ((Math.log10(v) - Math.log10(min)) / Math.log10(max / min)) * width;
  let lastRight = -Infinity;
  return splits.map((v, i) => {
    if (!candidates[i]) return '';
    const text = compactNumber(v), half = labelWidth(u, liveAxis(u, 0), [text]) / 2;
    if (pos(v) - half < lastRight + GAP) return '';
    lastRight = pos(v) + half;
    return text;
  });
}

// y tick labels in SI form too; on a log y axis, decades only.
/** @type {import('uplot').Axis.DynamicValues} */
const yLabels = (u, splits) => splits.map((v) => (u.scales.y.distr === 3 && !isDecade(v) ? '' : compactNumber(v)));

// After each draw, the x labels' extents and the plot area in CSS px from the canvas's left
// edge, for the layout tests
// (the labels are drawn on a canvas, out of reach of the DOM).
/** @param {uPlot} u */
function recordXLabels(u) {
  /** @type {[string | number, number, number][]} */
  const boxes = [];
  liveAxis(u, 0)._values?.forEach((text, i) => {
    if (!text) return;
    const x = u.valToPos(liveAxis(u, 0)._splits[i], 'x', true) / devicePixelRatio, half = labelWidth(u, liveAxis(u, 0), [text]) / 2;
    boxes.push([text, x - half, x + half]);
  });
  u.root.dataset.xLabels = JSON.stringify(boxes);
  u.root.dataset.plotBox = JSON.stringify([u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height].map((v) => v / devicePixelRatio));
}

// hooks: the chart's own uPlot hooks; its draw hooks run after the label record.
// width: the chart's width when the caller knows it (measuring el lays out the page).
/**
 * @param {HTMLElement} el
 * @param {string} xLabel
 * @param {string} yLabel
 * @param {import('uplot').Hooks.Arrays} [hooks]
 * @param {number} [width]
 * @returns {Omit<import('uplot').Options, 'series'>}
 */
export function plotOptions(el, xLabel, yLabel, hooks = {}, width = widthOf(el)) {
  const fg = css('--fg'), grid = css('--grid');
  // The embedded view's short chart: smaller axis text and gaps leave the plot about 90 of
  // its 130 px (uPlot's defaults took 97, leaving 33 px for the roofline's four decades).
  const compact = embedded();
  const small = compact ? { font: '10px system-ui, sans-serif', labelFont: 'bold 11px system-ui, sans-serif', labelSize: 14, labelGap: 0, gap: 2 } : {};
  /** @param {string} label */
  const axis = (label) => ({ label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: compact ? 4 : 10 }, ...small });
  return {
    width, height: chartHeight(),
    padding: [compact ? 8 : null, rightPadding, null, null],
    axes: [{ ...axis(xLabel), ...(compact ? { size: 20 } : {}), values: logLabels }, { ...axis(yLabel), ...(compact ? { space: 16 } : {}), size: yAxisSize, values: yLabels }],
    cursor: { drag: { x: false, y: false } },
    hooks: { ...hooks, draw: [recordXLabels, ...(hooks.draw ?? [])] },
  };
}

// Calls rebuild() when the colour scheme flips and resize() when el changes width.
/**
 * @param {HTMLElement} el
 * @param {() => void} rebuild
 * @param {(entries: ResizeObserverEntry[]) => void} resize
 */
export function followSchemeAndSize(el, rebuild, resize) {
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    colours.clear();
    rebuild();
  });
  new ResizeObserver(resize).observe(el);
}

// While the page starts, a chart below the fold is made after the first frame
// (makeChartsBelowTheFold), so that frame paints what is in view sooner.
/** @type {(() => void)[] | null} */
let belowTheFold = [];
export function makeChartsBelowTheFold() {
  const makers = belowTheFold ?? [];
  belowTheFold = null;
  for (const make of makers) make();
}

// A chart in el, made by make(width) when the page first lays el out: in that frame's
// resize-observer step, after layout and before paint, so start-up never lays out the page
// early just to measure el, and that frame shows the chart (unless it is below the fold
// while the page starts: then just after that frame, see above). make is called again when
// the colour scheme flips or the caller asks (rebuild); resize when el's width changes.
/**
 * @template {{ destroy(): void }} C
 * @param {HTMLElement} el
 * @param {(width: number) => C} make
 * @param {(chart: C, width: number) => void} resize
 * @returns {{ readonly chart: C | null, rebuild(): void }}
 */
export function mountChart(el, make, resize) {
  /** @type {C | null} */
  let chart = null;
  let width = 0, waiting = false;
  const rebuild = () => {
    if (!chart) return; // not laid out yet: it is made with what is current then
    chart.destroy();
    chart = make(width);
  };
  followSchemeAndSize(el, rebuild, ([entry]) => {
    const w = chartWidth(entry.contentRect.width);
    if (chart && w === width) return;
    width = w;
    if (chart) resize(chart, w);
    else if (waiting) return; // made at its turn, at the width of then
    else if (belowTheFold && el.getBoundingClientRect().top >= innerHeight) {
      waiting = true;
      belowTheFold.push(() => { chart = make(width); });
    } else chart = make(w);
  });
  return { get chart() { return chart; }, rebuild };
}
