// Roofline and sweep charts (uPlot on canvas). Charts are created once and fed new
// data with setData; they are rebuilt only when the colour scheme changes.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { phases } from './results.mjs';
import { num } from './format.mjs';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const HEIGHT = 260;

function widthOf(el) {
  return Math.max(260, Math.floor(el.clientWidth || 320));
}

function axes(xLabel, yLabel) {
  const fg = css('--fg'), grid = css('--grid');
  const axis = (label) => ({ label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } });
  return [axis(xLabel), { ...axis(yLabel), size: 60 }];
}

const decadeFloor = (x) => 10 ** Math.floor(Math.log10(x));
const decadeCeil = (x) => 10 ** Math.ceil(Math.log10(x));

function makeRoofline(el, range) {
  const point = (label, color, size) => ({
    label, stroke: color, fill: color, width: 0, paths: () => null,
    points: { show: true, size, stroke: color, fill: color },
  });
  return new uPlot({
    width: widthOf(el), height: HEIGHT,
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
    axes: axes('arithmetic intensity (FLOP/byte)', 'TFLOPS'),
    cursor: { drag: { x: false, y: false } },
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
        ctx.fillText(`ridge ${num(range.ridge)} FLOP/B`, x + 6 * devicePixelRatio, y + 16 * devicePixelRatio);
        ctx.restore();
      }],
    },
  }, [[1], [null], [null], [null], [null]], el);
}

function makeSweep(el, mark, xLabel = '') {
  const line = (label, color, width = 1.5, dash) => ({ label, stroke: color, width, dash, points: { show: false } });
  return new uPlot({
    width: widthOf(el), height: HEIGHT,
    scales: { x: { time: false, distr: 3, range: (u, min, max) => [min, max > min ? max : min * 10] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    series: [
      { label: 'x' },
      line('step time', css('--fg'), 3),
      line('t_pf_compute', css('--c0')),
      line('t_pf_kv', css('--c0'), 1.5, [6, 4]),
      line('t_dc_compute', css('--c1')),
      line('t_dc_kv', css('--c1'), 1.5, [6, 4]),
      line('t_weight', css('--c2')),
      line('t_tp', css('--c3')),
    ],
    axes: axes(xLabel, 'µs'),
    cursor: { drag: { x: false, y: false } },
    hooks: {
      draw: [(u) => {
        // The current value, as a vertical line.
        if (!(mark.x > 0)) return;
        const ctx = u.ctx, x = u.valToPos(mark.x, 'x', true);
        ctx.save();
        ctx.strokeStyle = css('--accent');
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      }],
    },
  }, [[1], [null], [null], [null], [null], [null], [null], [null]], el);
}

// Integer values, log-spaced from lo to hi, plus the current value.
function logValues(lo, hi, current, n = 48) {
  const set = new Set();
  for (let i = 0; i < n; i++) set.add(Math.round(lo * (hi / lo) ** (i / (n - 1))));
  if (current >= lo && current <= hi) set.add(current);
  return [...set].sort((a, b) => a - b);
}

const SWEEPS = {
  'decode-count': { list: 'decode', field: 'count', label: 'decode requests per group', max: 1_000_000 },
  'decode-context': { list: 'decode', field: 'context_length', label: 'decode context length (tokens)', max: 100_000_000 },
  'prefill-chunk': { list: 'prefill', field: 'tokens_this_step', label: 'prefill tokens this step per chunk', max: 100_000_000 },
};

// The slider's fixed ranges, so the thumb does not jump while it is dragged.
export const SLIDER = {
  'decode-count': { list: 'decode', key: 'n', max: 4096, label: 'Decode count, every group (slider, log scale)' },
  'decode-context': { list: 'decode', key: 'c', max: 1_048_576, label: 'Decode context length, every group (slider, log scale)' },
  'prefill-chunk': { list: 'prefill', key: 't', max: 100_000_000, label: 'Prefill tokens this step, every chunk (slider, log scale)' },
};

// What to sweep for the chosen variable given the request, or a reason it cannot be swept.
export function sweepPlan(kind, request) {
  const spec = SWEEPS[kind];
  const rows = request.step[spec.list];
  if (rows.length === 0) return { reason: `Add a ${spec.list} row to sweep ${spec.label}.` };
  const variable = `${spec.list}[${rows.length === 1 ? 0 : '*'}].${spec.field}`;
  const current = rows.every((r) => r[spec.field] === rows[0][spec.field]) ? rows[0][spec.field] : NaN;
  let hi;
  if (kind === 'decode-count') hi = Math.max(1024, (current || 1) * 4);
  else if (kind === 'decode-context') hi = Math.max(131072, (current || 1) * 4);
  else hi = Math.min(...rows.map((r) => r.prompt_tokens)); // a chunk cannot exceed its prompt
  hi = Math.min(hi, spec.max);
  return { variable, current, label: spec.label, values: logValues(1, Math.max(hi, 2), current) };
}

export function createCharts({ sweep }) {
  const rEl = document.getElementById('roofline'), sEl = document.getElementById('sweep');
  const range = { x: [0.1, 1e4], y: [0.1, 1e4], ridge: 0, peak: 0 };
  const mark = { x: NaN };
  let roof = makeRoofline(rEl, range), sw = makeSweep(sEl, mark);
  let lastRoof = null, lastSweepKey = '', lastSweepData = null, lastLabel = '';

  function setRoofline(r) {
    lastRoof = r;
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
    roof.setData([0, 1, 2, 3, 4].map((c) => rows.map((row) => row[c])));
    document.getElementById('roofline-desc').textContent =
      `Roof: ${num(peak)} TFLOPS dense peak and ${num(bw)} TB/s HBM; ridge at ${num(p.ridge)} FLOP/B. ` +
      `Prefill ${num(p.aiPrefill)} FLOP/B, decode ${num(p.aiDecode)} FLOP/B, whole step ${num(p.aiStep)} FLOP/B at ${num(p.tflopsStep)} TFLOPS achieved.`;
  }

  // Recomputes the sweep only when the request or the variable changed.
  function setSweep(kind, request) {
    const desc = document.getElementById('sweep-desc');
    const plan = sweepPlan(kind, request);
    const key = kind + JSON.stringify(request);
    if (key === lastSweepKey) return;
    lastSweepKey = key;
    if (plan.reason) {
      desc.textContent = plan.reason;
      sw.setData([[1], [null], [null], [null], [null], [null], [null], [null]]);
      lastSweepData = null;
      return;
    }
    const out = sweep(request, plan.variable, plan.values);
    if (!out.ok) {
      desc.textContent = `This sweep is not available: ${out.message}`;
      return;
    }
    const s = out.value;
    mark.x = plan.current;
    if (plan.label !== lastLabel) {
      // uPlot draws axis labels once, so a new label needs a new chart.
      sw.destroy();
      sw = makeSweep(sEl, mark, plan.label);
      lastLabel = plan.label;
    }
    lastSweepData = [s.values, s.step_time_us, s.t_pf_compute, s.t_pf_kv, s.t_dc_compute, s.t_dc_kv, s.t_weight, s.t_tp];
    sw.setData(lastSweepData);
    desc.textContent = flipText(s, plan);
  }

  function flipText(s, plan) {
    const decode = plan.variable.startsWith('decode');
    const c = decode ? s.t_dc_compute : s.t_pf_compute, m = decode ? s.t_dc_kv : s.t_pf_kv;
    const phase = decode ? 'Decode' : 'Prefill';
    const bound = (i) => (c[i] >= m[i] ? 'compute' : 'memory');
    for (let i = 1; i < s.values.length; i++) {
      if (bound(i) !== bound(i - 1)) {
        return `${phase} flips from ${bound(i - 1)}- to ${bound(i)}-bound between ${num(s.values[i - 1])} and ${num(s.values[i])} ${plan.label}` +
          (Number.isFinite(plan.current) ? ` (now ${num(plan.current)}, dashed line).` : '.');
      }
    }
    return `${phase} stays ${bound(0)}-bound over ${num(s.values[0])} to ${num(s.values[s.values.length - 1])} ${plan.label}` +
      (Number.isFinite(plan.current) ? ` (now ${num(plan.current)}, dashed line).` : '; the rows differ, so every row is set to x.');
  }

  function rebuild() {
    roof.destroy();
    sw.destroy();
    roof = makeRoofline(rEl, range);
    sw = makeSweep(sEl, mark, lastLabel);
    if (lastRoof) setRoofline(lastRoof);
    if (lastSweepData) sw.setData(lastSweepData);
  }
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', rebuild);
  new ResizeObserver(() => {
    roof.setSize({ width: widthOf(rEl), height: HEIGHT });
    sw.setSize({ width: widthOf(sEl), height: HEIGHT });
  }).observe(rEl);

  return { setRoofline, setSweep };
}
