// Batch editor: prefill chunks and decode groups. It renders the state's rows and dispatches
// what the user does; it never changes the state itself. Rows are matched by identity, so a
// keystroke touches one row and adding, duplicating or removing a row touches the DOM of
// that row only (the rows after it are renumbered): a 1,000-row batch stays fast.
import { ROW_FIELDS } from './state.mjs';
import { int, count } from './format.mjs';

const TITLES = { prefill: 'Prefill chunk', decode: 'Decode group' };
const ROW_PATH = /^step\.(prefill|decode)\[(\d+)\]\.(\w+)$/;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

// One row's DOM, cloned from a template per kind; ids are serial (not the row's index) so
// they never need renumbering.
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

// dispatch: the page's one way to change the state.
export function createBatchEditor(dispatch) {
  const views = {};
  for (const kind of ['prefill', 'decode']) {
    views[kind] = {
      list: document.getElementById(`${kind}-rows`),
      template: rowTemplate(kind),
      empty: el('p', { className: 'hint' }, `No ${kind} rows.`),
      rows: [], // the state rows on screen
      nodes: [], // per row: { item, title, inputs: { key: input }, index }
      focus: null, // the row to focus after the next render (after add, duplicate, remove)
    };
  }
  const nodeOf = new WeakMap();
  const totals = document.getElementById('totals');

  function makeRow(kind) {
    const view = views[kind];
    const item = view.template.cloneNode(true);
    const id = `row-${++serial}`;
    const title = item.querySelector('.row-title');
    title.id = `${id}-title`;
    item.querySelector('.error').id = `${id}-err`;
    const inputs = {};
    for (const input of item.querySelectorAll('input')) {
      input.setAttribute('aria-describedby', `${id}-err`);
      inputs[input.dataset.field] = input;
    }
    for (const button of item.querySelectorAll('button')) {
      button.id = `${id}-${button.dataset.act}`;
      button.setAttribute('aria-labelledby', `${button.id} ${title.id}`); // "Duplicate Decode group 3"
    }
    const node = { item, title, inputs, index: -1 };
    nodeOf.set(item, node);
    return node;
  }

  function number(kind, node, i) {
    node.index = i;
    node.title.textContent = `${TITLES[kind]} ${i + 1}`;
    for (const [key, , field] of ROW_FIELDS[kind]) node.inputs[key].dataset.where = `step.${kind}[${i}].${field}`;
  }

  function fill(kind, node, row) {
    for (const [key] of ROW_FIELDS[kind]) if (node.inputs[key].value !== row[key]) node.inputs[key].value = row[key];
  }

  function renderList(kind, rows) {
    const view = views[kind];
    const old = view.rows;
    if (rows === old) return;
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

  for (const kind of ['prefill', 'decode']) {
    const view = views[kind];
    view.list.addEventListener('input', (e) => {
      const node = nodeOf.get(e.target.closest('.row'));
      const key = e.target.dataset.field;
      if (node && key) dispatch({ type: 'row', kind, index: node.index, key, value: e.target.value });
    });
    view.list.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-act]');
      const node = button && nodeOf.get(button.closest('.row'));
      if (!node) return;
      // Keep keyboard users in place after the rows change.
      const dup = button.dataset.act === 'dup';
      view.focus = dup ? node.index + 1 : node.index;
      dispatch({ type: dup ? 'duplicate-row' : 'remove-row', kind, index: node.index });
    });
    document.getElementById(`add-${kind}`).addEventListener('click', () => {
      view.focus = Infinity;
      dispatch({ type: 'add-row', kind });
    });
  }

  document.querySelector('.quick-scen').addEventListener('click', (e) => {
    const name = e.target.closest('button')?.dataset.scenario;
    if (name) dispatch({ type: 'quick-scenario', name });
  });

  return {
    render(state) {
      renderList('prefill', state.prefill);
      renderList('decode', state.decode);
    },
    // The input a row error path names, found by index (no selector over every row).
    find(where) {
      const m = ROW_PATH.exec(where);
      if (!m) return null;
      const key = ROW_FIELDS[m[1]].find(([, , field]) => field === m[3])?.[0];
      return views[m[1]].nodes[Number(m[2])]?.inputs[key] ?? null;
    },
    showTotals(r) {
      const w = r.work;
      totals.textContent =
        `Totals: ${count(w.prefill.tokens + w.decode.tokens, 'token')} this step ` +
        `(${int(w.prefill.tokens)} prefill, ${int(w.decode.tokens)} decode) · ` +
        `batch size ${count(r.basis.batch_size, 'request')} · ${count(w.decode.context_tokens, 'decode context token')}`;
    },
  };
}
