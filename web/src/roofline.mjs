// Roofline chart (uPlot, log-log): the GPU's compute roof and bandwidth slope, the ridge
// point, and the prefill, decode and whole-step points of the current result.
import uPlot from 'uplot';
import { HEIGHT, css, widthOf, plotOptions, followSchemeAndSize } from './plot.mjs';
import { phases } from './results.mjs';
import { num } from './format.mjs';

const decadeFloor = (x) => 10 ** Math.floor(Math.log10(x));
const decadeCeil = (x) => 10 ** Math.ceil(Math.log10(x));
const EMPTY = [[1], [null], [null], [null], [null]];

// range is read by the scales and the ridge label on every draw, so new data only
// needs to update it.
function makeChart(el, range) {
  const point = (label, color, size) => ({
    label, stroke: color, fill: color, width: 0, paths: () => null,
    points: { show: true, size, stroke: color, fill: color },
  });
  return new uPlot({
    ...plotOptions(el, 'arithmetic intensity (FLOP/byte)', 'TFLOPS'),
    scales: {
      x: { time: false, distr: 3, range: () => range.x },
      y: { distr: 3, range: () => range.y },
    },
    series: [
      { label: 'FLOP/B' },
      { label: 'GPU roof', stroke: css('--roof'), width: 2, spanGaps: true, points: { show: false } },
      point('Prefill', css('--c0'), 12),
      point('Decode', css('--c1'), 12),
      point('Whole step', css('--fg'), 9),
    ],
    legend: { live: false },
    hooks: {
      draw: [(u) => {
        // Mark the ridge point, where the bandwidth slope meets the compute roof.
        if (!range.ridge) return;
        const ctx = u.ctx;
        const x = u.valToPos(range.ridge, 'x', true), y = u.valToPos(range.peak, 'y', true);
        ctx.save();
        ctx.fillStyle = css('--fg');
        ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
        // Below the roof, ending at the ridge (set here: uPlot leaves its own alignment behind).
        ctx.textAlign = 'right';
        ctx.textBaseline = 'alphabetic';
        ctx.fillText(`ridge ${num(range.ridge)} FLOP/B`, x - 6 * devicePixelRatio, y + 16 * devicePixelRatio);
        ctx.restore();
      }],
    },
  }, EMPTY, el);
}

export function createRoofline() {
  const el = document.getElementById('roofline'), desc = document.getElementById('roofline-desc');
  const range = { x: [0.1, 1e4], y: [0.1, 1e4], ridge: 0, peak: 0 };
  let chart = makeChart(el, range), last = null;

  function update(r) {
    last = r;
    const p = phases(r), peak = r.hardware.flops_peak_tflops, bw = r.hardware.bw_hbm_tb_s;
    const pts = [p.aiPrefill, p.aiDecode, p.aiStep].filter((v) => v > 0 && Number.isFinite(v));
    const xlo = decadeFloor(Math.min(p.ridge, ...pts) / 10), xhi = decadeCeil(Math.max(p.ridge, ...pts) * 10);
    const rows = [
      [xlo, bw * xlo, null, null, null],
      [p.ridge, peak, null, null, null],
      [xhi, peak, null, null, null],
    ];
    if (r.bottleneck.prefill !== 'none' && p.tflopsPrefill > 0) rows.push([p.aiPrefill, null, p.tflopsPrefill, null, null]);
    if (r.bottleneck.decode !== 'none' && p.tflopsDecode > 0) rows.push([p.aiDecode, null, null, p.tflopsDecode, null]);
    if (p.aiStep > 0 && p.tflopsStep > 0) rows.push([p.aiStep, null, null, null, p.tflopsStep]);
    rows.sort((a, b) => a[0] - b[0]);
    const ys = rows.flatMap((row) => row.slice(1)).filter((v) => v > 0);
    range.x = [xlo, xhi];
    range.y = [decadeFloor(Math.min(...ys) / 2), decadeCeil(peak * 2)];
    range.ridge = p.ridge;
    range.peak = peak;
    chart.setData([0, 1, 2, 3, 4].map((c) => rows.map((row) => row[c])));
    desc.textContent =
      `Roof: ${num(peak)} TFLOPS dense peak and ${num(bw)} TB/s HBM; ridge at ${num(p.ridge)} FLOP/B. ` +
      `Prefill ${num(p.aiPrefill)} FLOP/B, decode ${num(p.aiDecode)} FLOP/B, whole step ${num(p.aiStep)} FLOP/B at ${num(p.tflopsStep)} TFLOPS achieved.`;
  }

  followSchemeAndSize(el, () => {
    chart.destroy();
    chart = makeChart(el, range);
    if (last) update(last);
  }, () => chart.setSize({ width: widthOf(el), height: HEIGHT }));

  return { update };
}
