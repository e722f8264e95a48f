// The GPU × TP grid's table (loaded with import() by grid.mjs once the grid is near the
// view): the batch on screen on every preset GPU and every saved custom GPU (grid-rows.mjs)
// at TP 1, 2, 4 and 8, one cell each, from one calc.gridScenario per model, β and set of
// custom GPUs (its rows packed once per batch, every GPU and TP evaluated in one call into
// the core). The rows are built when the custom GPUs change; each other update rewrites
// only the cells' text and attributes, so focus stays where it is.
import { gridScenario, checkGpu } from './calc.mjs';
import { human, num, bytes } from './format.mjs';
import { gridRows, gpuErrorWords } from './grid-rows.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').GridScenarioCell} Cell */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./grid-rows.mjs').GridRow} GridRow */
/** @typedef {{ td: HTMLTableCellElement, button: HTMLButtonElement, time: HTMLElement, rate: HTMLElement, mark: HTMLElement, why: HTMLElement }} Slot */

export const GRID_TPS = [1, 2, 4, 8];

// Why a cell is greyed out, or '' when it fits (or its memory is unknown).
/** @param {Cell} cell @param {number} utilization */
function reason(cell, utilization) {
  if (cell.error !== null) {
    // "error: gpu.interconnect: no ..." (a custom GPU without a link, at TP 2) says "GPU link: no ...".
    const [, where, what] = /^(?:error: )?([\w.[\]]+): ([\s\S]*)$/.exec(cell.error) ?? [];
    return `Cannot run at TP ${cell.tp}: ${where === undefined ? cell.error.replace(/^error: /, '') : gpuErrorWords(where, what)}`;
  }
  if (cell.fits !== false) return '';
  return `Does not fit: needs ${bytes(-(/** @type {number} */ (cell.headroom_bytes)))} more per GPU than the ${num(utilization * 100)}% of memory the server may use.`;
}

// Text is written only when it changes: an edit of one row of many seldom changes the
// 4 digits a cell shows, and an unchanged table needs no new layout.
/** @param {HTMLElement} el @param {string} text */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// The fastest cell among those that fit, and each GPU's best tokens/s per GPU among its
// cells that fit: indices into cells.
/** @param {Cell[]} cells */
function bestCells(cells) {
  let fastest = -1;
  /** @type {Map<number, number>} gpu_index -> cell index */
  const bestPerGpu = new Map();
  cells.forEach((cell, i) => {
    if (cell.error !== null || cell.fits === false || cell.step_time_us === null) return;
    if (fastest < 0 || cell.step_time_us < /** @type {number} */ (cells[fastest].step_time_us)) fastest = i;
    const best = bestPerGpu.get(cell.gpu_index);
    // No ▲ where nothing is produced (an empty batch): 0 tokens/s is no one's best.
    if (cell.tokens_per_s_per_gpu !== null && cell.tokens_per_s_per_gpu > 0 && (best === undefined || cell.tokens_per_s_per_gpu > /** @type {number} */ (cells[best].tokens_per_s_per_gpu))) {
      bestPerGpu.set(cell.gpu_index, i);
    }
  });
  return { fastest, best: new Set(bestPerGpu.values()) };
}

const HINT = 'This batch on each GPU at TP 1 to 8: step time and tokens/s per GPU. Among the cells that fit, ★ is the fastest and ▲ each GPU\'s most tokens/s per GPU; ✕ cells cannot run (hover or focus one for why). Choose a cell to use its GPU and TP.';

// The table and its head, built once; its rows come from fillRows.
/** @param {HTMLElement} box */
function buildTable(box) {
  const hint = box.appendChild(document.createElement('p'));
  hint.className = 'hint';
  hint.textContent = HINT;
  const scroll = box.appendChild(document.createElement('div'));
  scroll.className = 'grid-scroll';
  scroll.setAttribute('role', 'region');
  scroll.setAttribute('aria-labelledby', 'grid-h');
  scroll.tabIndex = 0;
  const table = scroll.appendChild(document.createElement('table'));
  table.id = 'gpu-grid';
  const head = table.createTHead().insertRow();
  for (const label of ['GPU', ...GRID_TPS.map((tp) => `TP ${tp}`)]) {
    const th = head.appendChild(document.createElement('th'));
    th.scope = 'col';
    th.textContent = label;
  }
  return { scroll, table, body: table.createTBody() };
}

// A shown reason moved sideways, if need be, to lie inside the grid's scrolling box (which
// would cut it: on a phone the table is wider than the box, and scrolls in it).
/** @param {HTMLElement} why */
function keepInBox(why) {
  why.style.left = why.style.right = '';
  const box = /** @type {HTMLElement} */ (why.closest('.grid-scroll')).getBoundingClientRect();
  const tip = why.getBoundingClientRect();
  if (tip.width === 0) return; // not shown
  const shift = tip.right > box.right ? box.right - tip.right : tip.left < box.left ? box.left - tip.left : 0;
  if (shift === 0) return;
  why.style.left = `${why.offsetLeft + shift}px`;
  why.style.right = 'auto';
}

// A row per GPU, a cell per TP, each a button; a custom GPU the core refuses gets one cell
// saying why. Returns the slots of the GPUs that run, in the grid's cell order.
/** @param {HTMLTableSectionElement} body @param {GridRow[]} rows @param {(gpu: string, tp: number) => void} select */
function fillRows(body, rows, select) {
  body.replaceChildren();
  /** @type {Slot[]} */
  const slots = [];
  for (const gpu of rows) {
    const row = body.insertRow();
    row.classList.toggle('gg-custom', gpu.custom);
    const th = row.appendChild(document.createElement('th'));
    th.scope = 'row';
    th.textContent = gpu.name;
    if (gpu.error !== null) {
      const td = row.insertCell();
      td.colSpan = GRID_TPS.length;
      td.className = 'gg-bad';
      td.dataset.gpu = gpu.id;
      td.dataset.fits = 'error';
      td.textContent = `✕ cannot be used: ${gpu.error}`;
      continue;
    }
    for (const tp of GRID_TPS) {
      const td = row.insertCell();
      td.dataset.gpu = gpu.id;
      td.dataset.tp = String(tp);
      const button = td.appendChild(document.createElement('button'));
      button.type = 'button';
      const [time, rate, mark] = ['b', 'span', 'span'].map((tag) => button.appendChild(document.createElement(tag)));
      mark.className = 'gg-mark';
      const why = td.appendChild(document.createElement('span'));
      why.className = 'gg-why';
      why.id = `gg-${gpu.id}-${tp}`;
      button.setAttribute('aria-describedby', why.id);
      button.addEventListener('click', () => select(gpu.id, tp));
      // The reason overlays other cells: Escape hides it (createGridView) until the pointer
      // or focus leaves the cell.
      for (const leave of ['mouseleave', 'focusout']) td.addEventListener(leave, () => td.classList.remove('gg-hush'));
      for (const enter of ['mouseenter', 'focusin']) {
        td.addEventListener(enter, () => {
          keepInBox(why);
          requestAnimationFrame(() => keepInBox(why)); // after focus has scrolled the cell into view
        });
      }
      slots.push({ td, button, time, rate, mark, why });
    }
  }
  return slots;
}

/**
 * @param {{ box: HTMLElement, presets: import('./wasm/stepcalc.mjs').PresetListing, select(gpu: string, tp: number): void }} options
 */
export function createGridView({ box, presets, select }) {
  const { scroll, table, body } = buildTable(box);
  // Escape hides the reason of the cell under the pointer as well as the focused one's: a
  // cell that is only hovered does not have the keyboard.
  const shownCells = () => table.querySelectorAll('td:hover, td:focus-within');
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') for (const td of shownCells()) td.classList.add('gg-hush');
  });
  // A shown reason follows the box's scrolling, staying inside it.
  scroll.addEventListener('scroll', () => {
    for (const why of [...shownCells()].map((td) => td.querySelector('.gg-why'))) if (why) keepInBox(/** @type {HTMLElement} */ (why));
  }, { passive: true });
  /** @type {import('./state.mjs').Custom['gpus'] | null} the custom GPUs the rows were built for */
  let rowsFor = null;
  /** @type {GridRow[]} the rows that run, in the grid's GPU order */
  let running = [];
  /** @type {Slot[]} */
  let slots = [];
  let rowsVersion = 0;
  // What the cells show now: an update with the same grid, rows and selection has nothing to do.
  /** @type {unknown} */
  let shownStep = null;
  /** @type {import('./wasm/stepcalc.mjs').GridScenario | null} */
  let shownGrid = null;
  let shownSelection = '';
  // The reducer makes a new custom.gpus only when a custom GPU is saved or deleted.
  /** @param {State} state */
  function setRows(state) {
    if (state.custom.gpus === rowsFor) return;
    rowsFor = state.custom.gpus;
    const rows = gridRows(state.custom, presets, checkGpu);
    running = rows.filter((row) => row.error === null);
    slots = fillRows(body, rows, select);
    rowsVersion += 1;
    shownGrid = null;
  }

  /** @type {{ key: string, grid: import('./wasm/stepcalc.mjs').GridScenario } | null} */
  let open = null;
  /** @type {string | null} the key of the grid being opened */
  let opening = null;
  /** @type {[PageRequest, State] | null} */
  let latest = null;
  // The grid of the request's model, β and utilization, or null while it opens (calc
  // opens it asynchronously: its code loads on first use); the old cells stay till then.
  /** @param {PageRequest} request */
  function gridFor(request) {
    const key = JSON.stringify([request.model, request.coefficients, request.gpu_memory_utilization, rowsVersion]);
    if (open?.key === key) return open.grid;
    if (opening === key) return null;
    opening = key;
    gridScenario({ model: request.model, coefficients: request.coefficients, gpu_memory_utilization: request.gpu_memory_utilization, gpus: running.map((row) => row.gpu), tps: GRID_TPS })
      .then((opened) => {
        if (opening !== key) {
          if (opened.ok) opened.value.delete();
          return;
        }
        opening = null;
        open?.grid.delete();
        open = opened.ok ? { key, grid: opened.value } : null;
        if (latest) update(...latest);
      });
    return null;
  }

  /** @param {PageRequest} request @param {State} state */
  function update(request, state) {
    latest = [request, state];
    setRows(state);
    const grid = gridFor(request);
    const selection = `${state.gpu} ${state.tp}`;
    if (!grid || (grid === shownGrid && request.step === shownStep && selection === shownSelection)) return;
    const cells = grid.compute(request.step);
    shownGrid = grid;
    shownStep = request.step;
    shownSelection = selection;
    const { fastest, best } = bestCells(cells);
    const utilization = request.gpu_memory_utilization ?? 0.9;
    cells.forEach((cell, i) => {
      const { td, button, time, rate, mark, why } = slots[i];
      const text = reason(cell, utilization);
      td.dataset.stepTimeUs = cell.step_time_us === null ? '' : String(cell.step_time_us);
      td.dataset.tokensPerSPerGpu = cell.tokens_per_s_per_gpu === null ? '' : String(cell.tokens_per_s_per_gpu);
      td.dataset.fits = cell.error !== null ? 'error' : String(cell.fits ?? 'unknown');
      td.classList.toggle('gg-out', text !== '');
      setText(time, cell.step_time_us === null ? 'n/a' : human(cell.step_time_us));
      setText(rate, cell.tokens_per_s_per_gpu === null ? '' : `${num(cell.tokens_per_s_per_gpu)} tok/s/GPU`);
      const selected = state.gpu === running[cell.gpu_index].id && state.tp === String(cell.tp);
      const marks = [selected ? '● shown above' : '', i === fastest ? '★ fastest' : '', best.has(i) ? '▲ best tok/s/GPU' : '',
        cell.error !== null ? '✕ cannot run' : text ? '✕ does not fit' : ''];
      setText(mark, marks.filter(Boolean).join('\n')); // one a line
      setText(why, text);
      button.setAttribute('aria-pressed', String(selected));
    });
    table.dataset.renders = String(Number(table.dataset.renders ?? 0) + 1);
  }

  return { update };
}
