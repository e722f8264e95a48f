// Batch editor: prefill chunks and decode groups. It renders the state's rows and dispatches
// what the user does; it never changes the state itself. Rows are matched by identity, so a
// keystroke touches one row and adding, duplicating or removing a row touches the DOM of
// that row only (the rows after it are renumbered): a 1,000-row batch stays fast.
import { ROW_FIELDS } from './state.mjs';
import { int, count } from './format.mjs';

/** @typedef {import('./state.mjs').RowKind} RowKind */
/** @typedef {import('./state.mjs').BatchRow} BatchRow */
/**
 * One row on screen: its element, title, inputs by state key, and its index in the list.
 * @typedef {{ item: HTMLElement, title: HTMLElement, inputs: Record<string, HTMLInputElement>, index: number }} RowNode
 */

/** @type {Record<RowKind, string>} */
const TITLES = { prefill: 'Prefill chunk', decode: 'Decode group' };
const ROW_PATH = /^step\.(prefill|decode)\[(\d+)\]\.(\w+)$/;

/**
 * @param {string} tag
 * @param {Record<string, unknown>} [props] properties of the element, its dataset, or else attributes
 * @param {(Node | string)[]} children
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[k] = v;
    else node.setAttribute(k, String(v));
  }
  node.append(...children);
  return node;
}

// One row's DOM, cloned from a template per kind; ids are serial (not the row's index) so
// they never need renumbering.
/** @param {RowKind} kind */
function rowTemplate(kind) {
  const item = el('div', { className: 'row', role: 'listitem' }, el('span', { className: 'row-title' }));
  for (const [key, label] of ROW_FIELDS[kind]) {
    const input = el('input', { type: 'text', inputMode: 'numeric', autocomplete: 'off', spellcheck: false, dataset: { field: key, number: 'count' } });
    item.append(el('label', { className: 'cell' }, el('span', {}, label), input));
  }
  item.append(
    el('button', { type: 'button', dataset: { act: 'dup' } }, 'Duplicate'),
    el('button', { type: 'button', dataset: { act: 'del' } }, 'Remove'),
    el('p', { className: 'error', hidden: true }),
  );
  return item;
}

let serial = 0;

// A long link is put on the page in two steps: the first rows of each list (more than a
// screen shows) before the first frame, so that frame neither waits for nor styles a
// thousand rows, and the rest in a task after it (showAll).
const FIRST_ROWS = 40;

// dispatch: the page's one way to change the state.
/** @param {import('./state.mjs').Dispatch} dispatch */
export function createBatchEditor(dispatch) {
  /**
   * rows: the state rows on screen; nodes: their DOM; focus: the row to focus after the next render.
   * @typedef {{ list: HTMLElement, template: HTMLElement, empty: HTMLElement, rows: BatchRow[], nodes: RowNode[], focus: number | null }} View
   */
  const views = /** @type {Record<RowKind, View>} */ ({}); // one per kind, made next
  for (const kind of /** @type {RowKind[]} */ (['prefill', 'decode'])) {
    views[kind] = {
      list: /** @type {HTMLElement} */ (document.getElementById(`${kind}-rows`)),
      template: rowTemplate(kind),
      empty: el('p', { className: 'hint' }, `No ${kind} rows.`),
      rows: [], // the state rows on screen
      nodes: [], // per row: { item, title, inputs: { key: input }, index }
      focus: null, // the row to focus after the next render (after add, duplicate, remove)
    };
  }
  /** @type {WeakMap<Element, RowNode>} */
  const nodeOf = new WeakMap();
  let limit = FIRST_ROWS; // rows per list on the page until showAll()
  const totals = /** @type {HTMLElement} */ (document.getElementById('totals'));

  // The template has the title, the inputs, the buttons and the error line.
  /** @param {RowKind} kind */
  function makeRow(kind) {
    const view = views[kind];
    const item = /** @type {HTMLElement} */ (view.template.cloneNode(true));
    const id = `row-${++serial}`;
    const title = /** @type {HTMLElement} */ (item.querySelector('.row-title'));
    title.id = `${id}-title`;
    /** @type {HTMLElement} */ (item.querySelector('.error')).id = `${id}-err`;
    /** @type {Record<string, HTMLInputElement>} */
    const inputs = {};
    for (const input of item.querySelectorAll('input')) {
      input.setAttribute('aria-describedby', `${id}-err`);
      inputs[/** @type {string} */ (input.dataset.field)] = input;
    }
    for (const button of item.querySelectorAll('button')) {
      button.id = `${id}-${button.dataset.act}`;
      button.setAttribute('aria-labelledby', `${button.id} ${title.id}`); // "Duplicate Decode group 3"
    }
    const node = { item, title, inputs, index: -1 };
    nodeOf.set(item, node);
    return node;
  }

  /**
   * @param {RowKind} kind
   * @param {RowNode} node
   * @param {number} i
   */
  function number(kind, node, i) {
    node.index = i;
    node.title.textContent = `${TITLES[kind]} ${i + 1}`;
    for (const [key, label, field] of ROW_FIELDS[kind]) {
      const input = node.inputs[key];
      input.dataset.where = `step.${kind}[${i}].${field}`;
      // Named with its row ("Decode group 3, Context length"), not only its column.
      input.setAttribute('aria-label', `${TITLES[kind]} ${i + 1}, ${label}`);
    }
  }

  /**
   * @param {RowKind} kind
   * @param {RowNode} node
   * @param {BatchRow} row
   */
  function fill(kind, node, row) {
    for (const [key] of ROW_FIELDS[kind]) if (node.inputs[key].value !== row[key]) node.inputs[key].value = row[key];
  }

  /**
   * @param {RowKind} kind
   * @param {BatchRow[]} all the state's rows
   */
  function renderList(kind, all) {
    const view = views[kind];
    const old = view.rows;
    if (all === old) return;
    // Until showAll, the first rows stand for the list: an edit among them is patched in
    // place like any other, and showAll then appends the rows after them.
    const rows = all.length > limit ? all.slice(0, limit) : all;
    // The rows that stayed the same object at the start and at the end keep their DOM.
    let start = 0;
    while (start < rows.length && start < old.length && rows[start] === old[start]) start++;
    let endOld = old.length, endNew = rows.length;
    while (endOld > start && endNew > start && old[endOld - 1] === rows[endNew - 1]) { endOld--; endNew--; }
    if (endOld - start === endNew - start) {
      for (let i = start; i < endNew; i++) fill(kind, view.nodes[i], rows[i]); // an edit in place
    } else {
      for (let i = start; i < endOld; i++) view.nodes[i].item.remove();
      const added = [];
      const frag = document.createDocumentFragment();
      for (let i = start; i < endNew; i++) {
        const node = makeRow(kind);
        fill(kind, node, rows[i]);
        added.push(node);
        frag.append(node.item);
      }
      view.list.insertBefore(frag, view.nodes[endOld]?.item ?? null);
      view.nodes.splice(start, endOld - start, ...added);
      for (let i = start; i < view.nodes.length; i++) number(kind, view.nodes[i], i);
    }
    view.rows = rows;
    if (rows.length === 0) view.list.append(view.empty);
    else view.empty.remove();
    if (view.focus !== null) {
      const target = view.nodes[Math.min(view.focus, view.nodes.length - 1)];
      (target?.inputs[ROW_FIELDS[kind][0][0]] ?? document.getElementById(`add-${kind}`)).focus();
      view.focus = null;
    }
  }

  for (const kind of /** @type {RowKind[]} */ (['prefill', 'decode'])) {
    const view = views[kind];
    view.list.addEventListener('input', (e) => {
      const input = /** @type {HTMLInputElement} */ (e.target);
      const node = nodeOf.get(/** @type {Element} */ (input.closest('.row')));
      const key = input.dataset.field;
      if (node && key) dispatch({ type: 'row', kind, index: node.index, key, value: input.value });
    });
    view.list.addEventListener('click', (e) => {
      const button = /** @type {HTMLElement | null} */ (/** @type {Element} */ (e.target).closest('button[data-act]'));
      const node = button && nodeOf.get(/** @type {Element} */ (button.closest('.row')));
      if (!node) return;
      // Keep keyboard users in place after the rows change.
      const dup = button.dataset.act === 'dup';
      view.focus = dup ? node.index + 1 : node.index;
      dispatch({ type: dup ? 'duplicate-row' : 'remove-row', kind, index: node.index });
    });
    /** @type {HTMLElement} */ (document.getElementById(`add-${kind}`)).addEventListener('click', () => {
      view.focus = Infinity;
      dispatch({ type: 'add-row', kind });
    });
  }

  /** @type {HTMLElement} */ (document.querySelector('.quick-scen')).addEventListener('click', (e) => {
    const name = /** @type {Element} */ (e.target).closest('button')?.dataset.scenario;
    // The buttons' data-scenario values are SCENARIOS' names.
    if (name) dispatch({ type: 'quick-scenario', name: /** @type {keyof typeof import('./state.mjs').SCENARIOS} */ (name) });
  });

  /** @param {import('./state.mjs').State} state */
  function render(state) {
    renderList('prefill', state.prefill);
    renderList('decode', state.decode);
  }

  return {
    render,
    // Puts every row of the state on the page from now on (see FIRST_ROWS).
    /** @param {import('./state.mjs').State} state */
    showAll(state) {
      limit = Infinity;
      render(state);
    },
    // The input a row error path names, found by index (no selector over every row).
    /**
     * @param {string} where
     * @returns {HTMLInputElement | null}
     */
    find(where) {
      const m = ROW_PATH.exec(where);
      if (!m) return null;
      const kind = /** @type {RowKind} */ (m[1]); // ROW_PATH matches only the two kinds
      /** @type {[string, string, string, string][]} */
      const fields = ROW_FIELDS[kind];
      const key = fields.find(([, , field]) => field === m[3])?.[0];
      return views[kind].nodes[Number(m[2])]?.inputs[/** @type {string} */ (key)] ?? null;
    },
    // The totals line, always shown, from the core's response. While a field is invalid
    // the response is the last valid one: if its batch is not the one on screen (invalid
    // names the fields to fix), the line says whose totals these are; with no valid
    // result yet, it says there are none.
    /**
     * @param {import('./wasm/stepcalc.mjs').StepResponse | null} r
     * @param {string} [invalid]
     */
    showTotals(r, invalid) {
      totals.classList.toggle('stale', Boolean(invalid) || !r);
      if (!r) {
        totals.textContent = `Totals: none yet, as nothing could be computed since the page opened; fix ${invalid}.`;
        return;
      }
      const w = r.work;
      const head = invalid ? `Totals of the last valid batch, not of the rows on screen, until ${invalid} ${invalid.includes(' and ') ? 'are' : 'is'} fixed` : 'Totals';
      totals.textContent =
        `${head}: ${count(w.prefill.tokens + w.decode.tokens, 'token')} this step ` +
        `(${int(w.prefill.tokens)} prefill, ${int(w.decode.tokens)} decode) · ` +
        `batch size ${count(r.basis.batch_size, 'request')} · ${count(w.decode.context_tokens, 'decode context token')}`;
    },
  };
}
