// What the roofline and sweep charts share: uPlot options for size, colours and axes,
// and the rebuild when the colour scheme changes (uPlot bakes colours in at creation).
import 'uplot/dist/uPlot.min.css';

// The embedded view is designed for a 640×480 frame, where a chart must fit beside the
// step time, verdict, memory bar and contributions.
export const chartHeight = () => (document.body.classList.contains('embed') ? 170 : 260);

export const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function widthOf(el) {
  return Math.max(260, Math.floor(el.clientWidth || 320));
}

// Width in CSS px of tick labels in the axis's font.
function labelWidth(u, axis, labels) {
  u.ctx.save();
  u.ctx.font = axis.font[0];
  const width = Math.max(...labels.map((l) => u.ctx.measureText(String(l)).width)) / devicePixelRatio;
  u.ctx.restore();
  return Math.ceil(width);
}

// uPlot centres each x tick label on its tick but pads the right edge by a fixed 25 px,
// so a wide last label ("10,000,000") was cut off. Pad by half that label's width instead.
function rightPadding(u) {
  const labels = u.axes[0]._values;
  return labels?.length ? Math.max(25, labelWidth(u, u.axes[0], labels.slice(-1)) / 2 + 4) : 25;
}

// The y axis is as wide as its widest label (ticks and gap included), so "150,000" does not
// run into the axis title.
function yAxisSize(u, labels, i) {
  return labels?.length ? Math.max(50, labelWidth(u, u.axes[i], labels) + 18) : 60;
}

// Both charts have a log x axis. Its tick labels: decades only (every split when fewer
// than two decades are in view), in SI form ("10k", "1M") so they stay short, and thinned
// to every n-th while they would be closer than minGap px, so at 360 px none collide.
const SI = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
export function compactNumber(v) {
  for (const [size, suffix] of SI) if (Math.abs(v) >= size) return `${+(v / size).toPrecision(3)}${suffix}`;
  return String(+v.toPrecision(3));
}
const isDecade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
function logLabels(u, splits, minGap = 44) {
  let shown = splits.map(isDecade);
  if (shown.filter(Boolean).length < 2) shown = splits.map(() => true);
  const count = shown.filter(Boolean).length;
  const every = Math.max(1, Math.ceil((count * minGap) / Math.max(1, u.bbox.width / devicePixelRatio)));
  let k = 0;
  return splits.map((v, i) => (shown[i] && k++ % every === 0 ? compactNumber(v) : ''));
}

export function plotOptions(el, xLabel, yLabel) {
  const fg = css('--fg'), grid = css('--grid');
  const axis = (label) => ({ label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } });
  return {
    width: widthOf(el), height: chartHeight(),
    padding: [null, rightPadding, null, null],
    axes: [{ ...axis(xLabel), values: logLabels }, { ...axis(yLabel), size: yAxisSize }],
    cursor: { drag: { x: false, y: false } },
  };
}

// Calls rebuild() when the colour scheme flips and resize() when el changes width.
export function followSchemeAndSize(el, rebuild, resize) {
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', rebuild);
  new ResizeObserver(resize).observe(el);
}
