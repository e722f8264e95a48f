// The Serving view's results on the page: the main run's summary and latency table, its
// charts over time, the latency–throughput curve (its sentences, chart and table), and the
// line that says they were run with other settings than those now. The words are
// serving-text.mjs's, the charts serving-charts.mjs's; this module only puts them on the page.
import { summaryLines, latencyRows, capacityLine, kneeLine, curveRow, CURVE_COLUMNS } from './serving-text.mjs';
import { kneeIndex } from './serving-curve.mjs';
import { queueChart, stepTimeChart, curveChart, runSpanUs } from './serving-charts.mjs';
import { widthOf, followSchemeAndSize } from './plot.mjs';
import { human } from './format.mjs';

/** @typedef {import('./serving-worker.mjs').Simulated} Simulated */
/** @typedef {import('./serving-worker.mjs').SimulationSummary} SimulationSummary */
/** @typedef {import('./serving-text.mjs').RunShape} RunShape */
/** @typedef {import('./serving-curve.mjs').CurvePoint} CurvePoint */
/** @typedef {import('./serving-charts.mjs').StepColumns} StepColumns */
/** @typedef {import('uplot')} uPlot */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const figure = (/** @type {string} */ id, /** @type {string} */ caption) =>
  `<figure id="${id}-fig"><figcaption id="${id}-cap">${caption}</figcaption><div id="${id}" class="chart" role="img" aria-labelledby="${id}-cap"></div></figure>`;
export const RESULTS_HTML = `<div id="serving-out" hidden>
<p id="serving-stale" class="notice" hidden></p><p id="serving-read-with" class="info"></p>
<div id="serving-summary" data-requests="" data-ttft-p50-us="" data-tpot-p50-us="" data-throughput-tok-s=""></div>
<div class="scroll" tabindex="0" role="region" aria-label="Latency percentiles"><table id="serving-latency"><caption>Latency of the requests (nearest-rank percentiles)</caption><thead><tr><th scope="col">Latency</th><th scope="col">p50</th><th scope="col">p90</th><th scope="col">p99</th><th scope="col">mean</th></tr></thead><tbody></tbody></table></div>
${figure('serving-queue', 'Requests running and waiting in each step, over the run')}
${figure('serving-steps', 'Each step\'s time over the run, coloured by its largest term (β·X)')}
<p id="serving-no-records" class="info" hidden></p>
<h3>Latency against load</h3><div id="serving-curve-text"></div>
${figure('serving-curve', 'TTFT p50 and p90 against the arrival rate; the knee ringed')}
<div id="serving-curve-runs" class="scroll" tabindex="0" role="region" aria-label="The curve's runs" hidden><table id="serving-curve-table"><caption>The curve's runs</caption><thead><tr>${CURVE_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead><tbody></tbody></table></div>
</div>`;

/** @param {HTMLElement} el @param {string[]} lines */
const paragraphs = (el, lines) => el.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
/** @param {string} id a table's @param {string[][]} rows @param {number} [marked] the row named as the knee */
function tableRows(id, rows, marked = -1) {
  /** @type {HTMLTableElement} */ ($(id)).tBodies[0].replaceChildren(...rows.map((cells, i) => {
    const tr = document.createElement('tr');
    tr.append(...cells.map((text, c) => Object.assign(document.createElement(c === 0 ? 'th' : 'td'), { textContent: i === marked && c === 0 ? `${text} (the knee)` : text })));
    /** @type {HTMLElement} */ (tr.firstElementChild).setAttribute('scope', 'row');
    return tr;
  }));
}
// Steps to draw over time: at least one, and a run that took some time.
const hasTimeAxis = (/** @type {StepColumns} */ columns) => columns.start_us.length > 0 && runSpanUs(columns) > 0;

// Once RESULTS_HTML is on the page: its results, hidden until a main run is shown.
export function createServingResults() {
  const out = $('serving-out'), summaryEl = $('serving-summary'), curveText = $('serving-curve-text'), noRecords = $('serving-no-records');
  /** @type {uPlot[]} */
  let charts = [];
  /** @type {StepColumns | null} */
  let steps = null;
  /** @type {{ points: CurvePoint[], knee: number } | null} */
  let curve = null;

  // uPlot bakes colours in, so a change of colour scheme draws the charts again.
  function drawCharts() {
    for (const chart of charts) chart.destroy();
    charts = [];
    if (out.hidden) return;
    if (steps && hasTimeAxis(steps)) charts.push(queueChart($('serving-queue'), steps), stepTimeChart($('serving-steps'), steps));
    if (curve && curve.points.length > 0) charts.push(curveChart($('serving-curve'), curve.points, curve.knee));
  }
  followSchemeAndSize(out, drawCharts, () => {
    for (const chart of charts) {
      const width = widthOf(/** @type {HTMLElement} */ (chart.root.parentElement));
      if (width !== chart.width) chart.setSize({ width, height: chart.height });
    }
  });

  /** @param {SimulationSummary} summary @param {RunShape} shape */
  function showSummary(summary, shape) {
    Object.assign(summaryEl.dataset, {
      requests: String(summary.requests), ttftP50Us: String(summary.ttft_us.p50), tpotP50Us: String(summary.tpot_us.p50),
      throughputTokS: String(summary.throughput_tokens_per_s),
    });
    paragraphs(summaryEl, summaryLines(summary, shape));
    tableRows('serving-latency', latencyRows(summary).map(([name, l]) => [name, ...[l.p50, l.p90, l.p99, l.mean].map(human)]));
  }

  // The charts over time, or why there are none: a run of no time has no time to draw on.
  /** @param {StepColumns | null} columns null when the run came without its step records */
  function showOverTime(columns) {
    steps = columns;
    const overTime = columns !== null && hasTimeAxis(columns);
    for (const id of ['serving-queue-fig', 'serving-steps-fig']) $(id).hidden = !overTime;
    if (columns !== null && !overTime) {
      Object.assign(noRecords, { hidden: false, textContent: 'No charts over time: the run took no time (every step took 0 µs), so there is no time to draw its steps on.' });
    }
  }

  return {
    shown: () => !out.hidden,
    // A new Simulate: nothing of the last one stays.
    clear() {
      out.hidden = true;
      steps = null;
      curve = null;
      drawCharts();
      $('serving-curve-runs').hidden = true;
      $('serving-curve-fig').hidden = true;
      curveText.replaceChildren();
      noRecords.hidden = true;
    },
    // The main run ran without its step records, for this reason.
    /** @param {string} why */
    noRecords(why) {
      Object.assign(noRecords, { hidden: false, textContent: `No charts over time: ${why}.` });
    },
    // The main run's summary, table and charts over time; readWith: what it was run with.
    /** @param {Simulated} main @param {RunShape} shape @param {string} readWith */
    showMain({ summary, steps: columns }, shape, readWith) {
      showSummary(summary, shape);
      $('serving-read-with').textContent = readWith;
      showOverTime(columns);
      out.hidden = false;
      requestAnimationFrame(drawCharts);
    },
    /** @param {number} askedRate @param {SimulationSummary} atOnce @param {number | null} capacity @param {number[]} rates */
    showCapacity(askedRate, atOnce, capacity, rates) {
      paragraphs(curveText, [capacityLine(atOnce, capacity, rates, askedRate)]);
    },
    /** @param {number} askedRate @param {SimulationSummary} atOnce @param {number | null} capacity @param {number[]} rates @param {CurvePoint[]} points */
    showCurve(askedRate, atOnce, capacity, rates, points) {
      if (points.length === 0) return;
      const knee = kneeIndex(points);
      curve = { points, knee };
      paragraphs(curveText, [capacityLine(atOnce, capacity, rates, askedRate), kneeLine(points, knee)]);
      tableRows('serving-curve-table', points.map(curveRow), knee);
      $('serving-curve-runs').hidden = false;
      $('serving-curve-fig').hidden = false;
      requestAnimationFrame(drawCharts);
    },
    // A cancelled curve: its sentence described the curve being run.
    dropCurveText() { curveText.replaceChildren(); },
    // Whether the settings now differ from those of the results shown.
    /** @param {boolean} changed */
    markStale(changed) {
      const stale = $('serving-stale');
      stale.hidden = !changed;
      if (changed) stale.textContent = 'The calculator or the inputs above have changed since this run: press Simulate to run them.';
    },
  };
}
