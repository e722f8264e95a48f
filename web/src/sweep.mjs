// Sweep chart: step time and each basis term against one variable, the current value
// dotted, a sentence on where the bottleneck flips; and the slider that moves that variable
// (dispatching it, with an undo), so the flip can be found by dragging. The chart varies the
// rows as the slider does: x is the first row's value and every other row scales with it
// (from the rows before the slider first moved them, state.mjs slideBase), so each point is
// a batch the slider can reach and the chart describes the batch on screen.
import uPlot from 'uplot';
import { chartHeight, css, plotOptions, mountChart } from './plot.mjs';
import { computeEach } from './calc.mjs';
import { int } from './format.mjs';
import { SWEEP_VARIABLES, slideBase } from './state.mjs';
import { fieldNumber } from './fields.mjs';
import { reportBug } from './messages.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').SweepKind} SweepKind */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').BatchRow} BatchRow */
/** @typedef {import('./wasm/stepcalc.mjs').Limits} Limits */
/** @typedef {{ x: number, overflow: number }} Mark the current value and where the batch stops fitting (NaN: none) */
/** @typedef {(typeof SWEEPS)[SweepKind]} SweepSpec */
/**
 * What to sweep: the variable's spec, the first row's value, whether other rows scale with
 * it, the swept field of each row the slider scales from (ratios; ratios[0] the reference)
 * and whether those are rows before a slider move (earlier), the field's bound, the axis
 * label, the words for x in a sentence and the values of x; or why nothing can be swept.
 * @typedef {{ spec: SweepSpec, current: number, several: boolean, ratios: number[], earlier: boolean, max: number, label: string, unit: string, values: number[] }} Sweep
 * @typedef {Sweep | { reason: string }} SweepPlan
 */
/**
 * The chart's columns, one entry per value of x, and the KV heads per GPU (0: no KV bytes).
 * @typedef {{ values: number[], step_time_us: number[], t_pf_compute: number[], t_pf_kv: number[],
 *   t_dc_compute: number[], t_dc_kv: number[], t_weight: number[], t_tp: number[],
 *   headroom_bytes: number[], kvHeadsPerGpu: number }} ChartSeries
 */

// Columns: x, the step time, the six terms, and the current value's legend entry (no data:
// its line is drawn by drawCurrent).
const EMPTY = /** @type {uPlot.AlignedData} */ ([[1], [null], [null], [null], [null], [null], [null], [null], [null]]);
const CURRENT_INDEX = 8;
// The current value's line: a colour and a dash no series uses, so neither it nor its
// legend entry can be taken for a term's.
const CURRENT_COLOUR = '--muted', CURRENT_DASH = [2, 3];

// What each sweep variable moves (list, key, field, the core limit that bounds it) is in
// state.mjs; here: the chart's axis label and the words for a value of x in a sentence
// (for one row, and for x as the first of several rows; labels short enough for a 360 px
// chart), the slider's fixed top (so the thumb does not jump while it is dragged) and how
// the slider names its reference row; what the sweep varies, in a sentence.
const SWEEPS = {
  'decode-count': {
    ...SWEEP_VARIABLES['decode-count'], sliderMax: 4096, label: 'decode requests per group',
    firstLabel: 'decode group 1 requests (others scaled)',
    unit: 'decode requests per group', firstUnit: 'decode requests in decode group 1',
    sliderLabel: 'Decode count (slider, log scale)', row: 'decode group 1', varies: 'the decode requests per group',
  },
  'decode-context': {
    ...SWEEP_VARIABLES['decode-context'], sliderMax: 1_048_576, label: 'decode context length (tokens)',
    firstLabel: 'decode group 1 context (others scaled)',
    unit: 'tokens of decode context', firstUnit: 'tokens of context in decode group 1',
    sliderLabel: 'Decode context length (slider, log scale)', row: 'decode group 1', varies: 'the decode context length',
  },
  'prefill-chunk': {
    ...SWEEP_VARIABLES['prefill-chunk'], sliderMax: 100_000_000, label: 'prefill tokens this step per chunk',
    firstLabel: 'prefill chunk 1 tokens (others scaled)',
    unit: 'prefill tokens this step per chunk', firstUnit: 'tokens this step in prefill chunk 1',
    sliderLabel: 'Prefill tokens this step (slider, log scale)', row: 'prefill chunk 1', varies: 'the prefill tokens per chunk',
  },
};

// Integer values, log-spaced from lo to hi, plus the current value.
/**
 * @param {number} lo
 * @param {number} hi
 * @param {number} current
 * @param {number} [n]
 */
function logValues(lo, hi, current, n = 48) {
  const set = new Set();
  for (let i = 0; i < n; i++) set.add(Math.round(lo * (hi / lo) ** (i / (n - 1))));
  if (current >= lo && current <= hi) set.add(current);
  return [...set].sort((a, b) => a - b);
}

// A row's value when the first row's value ref moves to x: scaled by the same factor, as
// the slider scales it (state.mjs, slide), whole and within 1..max.
/** @param {number} v @param {number} x @param {number} ref @param {number} max */
const scaled = (v, x, ref, max) => Math.min(max, Math.max(1, Math.round((v * x) / ref)));

// What to sweep for the chosen variable given the request, or a reason it cannot be swept.
// base: the rows the slider scales from (the request's own, or those before a slider move).
/**
 * @param {SweepKind} kind
 * @param {PageRequest} request
 * @param {Readonly<Limits>} limits
 * @param {BatchRow[] | null} base null: the request's rows
 * @returns {SweepPlan}
 */
function sweepPlan(kind, request, limits, base) {
  const spec = SWEEPS[kind];
  /** @type {Record<string, number>[]} */
  const rows = request.step[spec.list];
  if (rows.length === 0) {
    const what = spec.list === 'decode' ? 'decode groups' : 'prefill chunks';
    return { reason: `Nothing to sweep, so the chart is empty: this sweep varies ${spec.varies}, and the batch has no ${what}. Add one, or choose another sweep variable.` };
  }
  const current = rows[0][spec.field];
  if (!(current > 0)) return { reason: `The ${spec.row} value is 0, so the sweep has no value to scale the rows from.` };
  const several = rows.length > 1;
  const earlierRatios = base?.map((row) => fieldNumber(row[spec.key]) ?? NaN);
  const earlier = earlierRatios !== undefined && earlierRatios.length === rows.length && earlierRatios.every((v) => v > 0);
  const ratios = earlier ? /** @type {number[]} */ (earlierRatios) : rows.map((r) => r[spec.field]);
  let hi;
  if (kind === 'decode-count') hi = Math.max(1024, current * 4);
  else if (kind === 'decode-context') hi = Math.max(131072, current * 4);
  // A chunk cannot exceed its prompt: the highest x at which no chunk scaled with the first does.
  else hi = Math.min(...rows.map((r, i) => Math.floor((r.prompt_tokens * ratios[0]) / ratios[i])));
  const max = /** @type {number} */ (limits[/** @type {keyof Limits} */ (spec.limit)]);
  hi = Math.min(hi, max);
  return {
    spec, current, several, ratios, earlier, max,
    label: several ? spec.firstLabel : spec.label,
    unit: several ? spec.firstUnit : spec.unit,
    values: logValues(1, Math.max(hi, 2), current),
  };
}

// The batch at each x, packed for the core: the rows packed once, then for each x a copy
// with the swept field of every row scaled with the first row's.
const PACKED = { prefill: ['tokens_this_step', 'prompt_tokens', 'count'], decode: ['context_length', 'count'] };
/**
 * @param {Sweep} plan
 * @param {PageRequest['step']} step
 * @returns {[Float64Array, Float64Array][]}
 */
function packedBatches(plan, step) {
  const { spec, ratios, max } = plan;
  /** @type {Record<'prefill' | 'decode', Float64Array>} */
  const base = { prefill: new Float64Array(0), decode: new Float64Array(0) };
  for (const list of /** @type {const} */ (['prefill', 'decode'])) {
    const fields = PACKED[list];
    const rows = /** @type {Record<string, number | undefined>[]} */ (step[list] ?? []);
    const out = new Float64Array(rows.length * fields.length);
    rows.forEach((r, i) => fields.forEach((f, j) => { out[i * fields.length + j] = r[f] ?? 1; })); // count is 1 when left out, as the core reads it
    base[list] = out;
  }
  const width = PACKED[spec.list].length, column = PACKED[spec.list].indexOf(spec.field), swept = base[spec.list];
  return plan.values.map((x) => {
    const rows = swept.slice();
    for (let i = column, row = 0; i < rows.length; i += width, row++) rows[i] = scaled(ratios[row], x, ratios[0], max);
    return spec.list === 'prefill' ? [rows, base.decode] : [base.prefill, rows];
  });
}

// The columns the chart and the sentences read, one entry per swept value.
/**
 * @param {number[]} values
 * @param {import('./wasm/stepcalc.mjs').StepResponse[]} responses
 * @returns {ChartSeries}
 */
function seriesOf(values, responses) {
  /** @param {(r: import('./wasm/stepcalc.mjs').StepResponse) => number} f */
  const column = (f) => responses.map(f);
  return {
    values,
    step_time_us: column((r) => r.step_time_us),
    t_pf_compute: column((r) => r.basis.t_pf_compute),
    t_pf_kv: column((r) => r.basis.t_pf_kv),
    t_dc_compute: column((r) => r.basis.t_dc_compute),
    t_dc_kv: column((r) => r.basis.t_dc_kv),
    t_weight: column((r) => r.basis.t_weight),
    t_tp: column((r) => r.basis.t_tp),
    headroom_bytes: column((r) => r.memory.headroom_bytes ?? NaN),
    kvHeadsPerGpu: responses[0].sharding.kv_heads_per_gpu,
  };
}

// Where the phase's compute and its own KV traffic swap places along the sweep, in the
// words of the phase badge.
/**
 * @param {ChartSeries} s
 * @param {Sweep} plan
 */
function flipText(s, plan) {
  const decode = plan.spec.list === 'decode';
  const c = decode ? s.t_dc_compute : s.t_pf_compute, m = decode ? s.t_dc_kv : s.t_pf_kv;
  const phase = decode ? 'Decode' : 'Prefill', kv = decode ? 'KV read' : 'KV write';
  const range = `${int(s.values[0])} to ${int(s.values[s.values.length - 1])} ${plan.unit}`;
  const ratios = plan.earlier ? 'keeping the ratios they had before the slider moved them' : 'keeping their ratios';
  const scaledRows = plan.several ? ` The other ${plan.spec.list} rows scale with ${plan.spec.row}, ${ratios}, as the slider moves them.` : '';
  const now = ` (now ${int(plan.current)}, dotted line).${scaledRows}`;
  // No KV bytes at all (kv_heads < TP): there is nothing to compare the compute with.
  if (m.every((v) => v === 0)) {
    const why = s.kvHeadsPerGpu === 0 ? ' (kv_heads < TP)' : '';
    return `${phase}: no KV bytes${why} over the whole range, ${range}, so its compute is not compared with a ${kv}${now}`;
  }
  /** @param {number} i */
  const state = (i) => (c[i] >= m[i] ? `compute exceeds its ${kv}` : `${kv} exceeds its compute`);
  for (let i = 1; i < s.values.length; i++) {
    if (state(i) !== state(i - 1)) {
      return `${phase}: ${state(i - 1)} up to ${int(s.values[i - 1])} ${plan.unit}; from ${int(s.values[i])}, ${state(i)}${now}`;
    }
  }
  return `${phase}: ${state(0)} over the whole range, ${range}${now}`;
}

// The first swept value at which the step no longer fits in GPU memory (NaN when every
// value fits or the capacity is unknown), and a sentence for it.
/** @param {ChartSeries} s */
function firstOverflow(s) {
  const i = s.headroom_bytes.findIndex((h) => h < 0);
  return i < 0 ? { index: -1, x: NaN } : { index: i, x: s.values[i] };
}
/**
 * @param {ChartSeries} s
 * @param {Sweep} plan
 * @param {ReturnType<typeof firstOverflow>} over
 */
function fitText(s, plan, over) {
  // Without a capacity the core has no headroom to give (null, or NaN in the module's columns).
  if (!s.headroom_bytes.some(Number.isFinite)) return ' The GPU has no memory capacity in its datasheet, so the sweep cannot mark where the batch stops fitting.';
  if (over.index < 0) return ` The batch fits in GPU memory over the whole range.`;
  if (over.index === 0) return ` The batch does not fit in GPU memory anywhere on this range (shaded).`;
  return ` The batch stops fitting in GPU memory between ${int(s.values[over.index - 1])} and ${int(over.x)} ${plan.unit} (shaded from ${int(over.x)}).`;
}

// The region where the batch does not fit: shaded under the lines from mark.overflow to the
// right edge, and labelled over them where it is wide enough.
/**
 * @param {uPlot} u
 * @param {Mark} mark
 */
function overflowStart(u, mark) {
  return mark.overflow > 0 ? Math.max(u.bbox.left, u.valToPos(mark.overflow, 'x', true)) : NaN;
}
/**
 * @param {uPlot} u
 * @param {Mark} mark
 */
function shadeOverflow(u, mark) {
  const x = overflowStart(u, mark);
  if (!Number.isFinite(x)) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = css('--error-bg');
  ctx.fillRect(x, u.bbox.top, u.bbox.left + u.bbox.width - x, u.bbox.height);
  ctx.restore();
}
/**
 * @param {uPlot} u
 * @param {Mark} mark
 */
function labelOverflow(u, mark) {
  const x = overflowStart(u, mark), dpr = devicePixelRatio, text = 'does not fit';
  if (!Number.isFinite(x)) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = css('--error');
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  if (u.bbox.left + u.bbox.width - x > ctx.measureText(text).width + 8 * dpr) ctx.fillText(text, x + 4 * dpr, u.bbox.top + 4 * dpr);
  ctx.restore();
}

// The KV terms' lines are dashed; their compute terms' solid, in the same colour.
const KV_DASH = [6, 4];

// The current value, as a vertical dotted line.
/**
 * @param {uPlot} u
 * @param {Mark} mark
 */
function drawCurrent(u, mark) {
  if (!(mark.x > 0) || !u.series[CURRENT_INDEX].show) return; // its legend entry hides it too
  const ctx = u.ctx, x = u.valToPos(mark.x, 'x', true);
  ctx.save();
  ctx.strokeStyle = css(CURRENT_COLOUR);
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash(CURRENT_DASH.map((d) => d * devicePixelRatio));
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

/**
 * @param {HTMLElement} el
 * @param {Mark} mark
 * @param {string} xLabel
 * @param {number} width the chart box's width
 */
function makeChart(el, mark, xLabel, width) {
  /**
   * @param {string} label
   * @param {string} color
   * @param {number} [width]
   * @param {number[]} [dash]
   * @returns {uPlot.Series}
   */
  const line = (label, color, width = 1.5, dash) => ({ label, stroke: color, width, dash, points: { show: false } });
  const lines = [
    line('step time', css('--fg'), 3),
    line('t_pf_compute', css('--c0')),
    line('t_pf_kv', css('--c0'), 1.5, KV_DASH),
    line('t_dc_compute', css('--c1')),
    line('t_dc_kv', css('--c1'), 1.5, KV_DASH),
    line('t_weight', css('--c2')),
    line('t_tp', css('--c3')),
    { ...line('current value', css(CURRENT_COLOUR), 2, CURRENT_DASH), class: 'sweep-current' },
  ];
  return new uPlot({
    ...plotOptions(el, xLabel, 'µs', {
      drawClear: [(u) => shadeOverflow(u, mark)],
      draw: [(u) => drawCurrent(u, mark), (u) => labelOverflow(u, mark)],
    }, width),
    scales: {
      x: { time: false, distr: 3, range: (u, min, max) => [min, max > min ? max : min * 10] },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] },
    },
    series: [{ label: 'x' }, ...lines],
    // A static legend: a live one adds an "x: --" entry and "--" values until hovered.
    // Each entry's swatch is drawn as its line is: a solid line's filled, a dashed one's
    // (the KV terms) hollow with a dashed border, the current value's dotted.
    legend: {
      live: false,
      markers: {
        width: 2,
        dash: (u, i) => (i === CURRENT_INDEX ? 'dotted' : u.series[i].dash ? 'dashed' : 'solid'),
        fill: (u, i) => (lines[i - 1].dash ? 'transparent' : /** @type {string} */ (lines[i - 1].stroke)),
      },
    },
  }, EMPTY, el);
}

// One gesture is one undo step: a drag, or arrow-key steps with no pause of
// GESTURE_PAUSE_MS between them. A test sets globalThis.stepcalcGesturePauseMs to hold a
// gesture open (or end it at once) whatever the machine's speed; the slider's
// data-gesture="open" says a gesture has not ended yet.
const GESTURE_PAUSE_MS = 700;
const gesturePauseMs = () => /** @type {{ stepcalcGesturePauseMs?: number }} */ (globalThis).stepcalcGesturePauseMs ?? GESTURE_PAUSE_MS;

// dispatch: the page's one way to change the state. limits: the core's bounds. variable:
// the sweep variable at start, whose label the chart has until a result gives it data.

/**
 * @param {{ dispatch: import('./state.mjs').Dispatch, limits: Readonly<Limits>, variable: SweepKind }} options
 */
export function createSweep({ dispatch, limits, variable }) {
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const el = byId('sweep'), desc = byId('sweep-desc');
  const select = /** @type {HTMLSelectElement} */ (byId('sweep-var')), slider = /** @type {HTMLInputElement} */ (byId('sweep-slider'));
  const sliderLabel = byId('sweep-slider-label'), sliderOut = byId('sweep-slider-out');
  /** @type {Mark} */
  const mark = { x: NaN, overflow: NaN };
  // The chart is made in the first frame, after the first update has set its label and data.
  let label = SWEEPS[variable].label;
  /** @type {uPlot.AlignedData} */
  let lastData = EMPTY;
  const mount = mountChart(el, (width) => {
    const chart = makeChart(el, mark, label, width);
    chart.setData(lastData);
    return chart;
  }, (chart, width) => chart.setSize({ width, height: chartHeight() }));
  /** @type {{ request: PageRequest | null, variable: SweepKind | null, base: BatchRow[] | null }} */
  let drawn = { request: null, variable: null, base: null };

  // Undo: the batch before the last slider move (or quick scenario, or loaded pin).
  const undo = Object.assign(document.createElement('button'), { type: 'button', id: 'undo', textContent: 'Undo', disabled: true });
  undo.setAttribute('aria-keyshortcuts', 'Control+Z');
  /** @type {HTMLElement} */ (slider.parentElement).append(undo);
  undo.addEventListener('click', () => dispatch({ type: 'undo' }));

  // Draws lastData on a chart whose x axis is labelled xLabel.
  /** @param {string} xLabel */
  function show(xLabel) {
    if (xLabel === label) {
      mount.chart?.setData(lastData);
      return;
    }
    // uPlot draws axis labels once, so a new label needs a new chart.
    label = xLabel;
    mount.rebuild();
  }

  // Recomputes the sweep only when the request or the variable changed; the request is
  // rebuilt only when the state changed, so identity says it (no JSON of 1,000 rows).
  /**
   * @param {PageRequest} request
   * @param {SweepKind} variable
   * @param {BatchRow[] | null} base the rows before a slider move, or null
   */
  function drawChart(request, variable, base) {
    if (request === drawn.request && variable === drawn.variable && base === drawn.base) return;
    drawn = { request, variable, base };
    const plan = sweepPlan(variable, request, limits, base);
    if ('reason' in plan) {
      desc.textContent = plan.reason;
      mark.overflow = mark.x = NaN;
      el.dataset.overflowX = el.dataset.currentX = el.dataset.currentStepUs = '';
      lastData = EMPTY;
      show(SWEEPS[variable].label);
      return;
    }
    const { step, ...header } = request;
    const out = computeEach(header, packedBatches(plan, step));
    if (!out.ok) {
      if (!out.input) reportBug(out.message);
      desc.textContent = `This sweep is not available: ${out.input ? out.message : 'an internal error (reported above)'}`;
      return;
    }
    const s = seriesOf(plan.values, out.value);
    const over = firstOverflow(s);
    mark.x = plan.current;
    mark.overflow = over.x;
    lastData = [s.values, s.step_time_us, s.t_pf_compute, s.t_pf_kv, s.t_dc_compute, s.t_dc_kv, s.t_weight, s.t_tp, s.values.map(() => null)];
    show(plan.label);
    desc.textContent = flipText(s, plan) + fitText(s, plan, over);
    el.dataset.overflowX = Number.isFinite(over.x) ? String(over.x) : '';
    // The dotted line and the step time the chart gives there, for the tests: the batch on screen.
    el.dataset.currentX = String(plan.current);
    el.dataset.xLabel = plan.label; // drawn on the canvas, so kept here for the tests
    el.dataset.currentStepUs = String(s.step_time_us[s.values.indexOf(plan.current)]);
  }

  // The slider runs from 1 to hi on a log scale and shows the first row's value; the other
  // rows scale with it (state.mjs, slide). A prefill chunk cannot pass its prompt, so for
  // chunks hi is where the first row's scaling would take any chunk past its prompt.
  // A field that holds no number reads as NaN here, which no comparison passes.
  /** @param {State} state */
  function sliderRange(state) {
    const spec = SWEEPS[state.sweep];
    /** @type {BatchRow[]} */
    const rows = state[spec.list];
    const ref = fieldNumber(rows[0]?.[spec.key] ?? '') ?? NaN;
    let hi = spec.sliderMax;
    /** @type {BatchRow[]} */
    const base = slideBase(state);
    const baseRef = fieldNumber(base[0]?.[spec.key] ?? '') ?? NaN;
    if (spec.list === 'prefill' && baseRef > 0) {
      for (const r of base) {
        const t = fieldNumber(r.t) ?? NaN, p = fieldNumber(r.p) ?? NaN;
        if (t > 0 && p > 0) hi = Math.min(hi, Math.floor((p * baseRef) / t));
      }
    }
    return { spec, rows, ref, hi };
  }
  /** @type {State | null} */
  let rendered = null;
  /** @param {State} state */
  function syncSlider(state) {
    const { spec, rows, ref, hi } = sliderRange(state);
    sliderLabel.textContent = spec.sliderLabel;
    const usable = rows.length > 0 && ref > 0 && hi > 1;
    slider.disabled = !usable;
    sliderOut.textContent = rows.length === 0 ? `no ${spec.list} rows`
      : !(ref > 0) ? `${spec.row} is not a number`
      : rows.length === 1 ? int(ref) : `${int(ref)} in ${spec.row}; the other rows scale with it`;
    // A screen reader announces the value the slider sets, not its position from 0 to 1,000.
    slider.setAttribute('aria-valuetext', sliderOut.textContent);
    if (usable && state.drag === null) slider.value = String(Math.round((Math.log(Math.min(ref, hi)) / Math.log(hi)) * 1000));
  }

  // Each key press fires its own change event; the gesture ends when they pause.
  let gestureTimer = 0;
  slider.addEventListener('input', () => {
    clearTimeout(gestureTimer);
    const { hi } = sliderRange(/** @type {State} */ (rendered)); // the slider is on screen only after a render
    dispatch({ type: 'slide', value: Math.max(1, Math.round(Math.exp((Number(slider.value) / 1000) * Math.log(hi)))) });
  });
  slider.addEventListener('change', () => {
    clearTimeout(gestureTimer);
    slider.dataset.gesture = 'open';
    gestureTimer = setTimeout(() => {
      delete slider.dataset.gesture;
      dispatch({ type: 'slide-end' });
    }, gesturePauseMs());
  });
  select.addEventListener('change', () => dispatch({ type: 'sweep-variable', value: /** @type {SweepKind} */ (select.value) }));

  return {
    // The controls, from the state.
    /** @param {State} state */
    render(state) {
      if (state === rendered) return;
      rendered = state;
      if (select.value !== state.sweep) select.value = state.sweep;
      syncSlider(state);
      undo.disabled = state.undo.length === 0;
    },
    // After each good result: the chart, for the state it was computed from.
    /**
     * @param {PageRequest} request
     * @param {State} state
     */
    update(request, state) {
      const base = slideBase(state);
      drawChart(request, state.sweep, base === state[SWEEPS[state.sweep].list] ? null : base);
    },
  };
}
