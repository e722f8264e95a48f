// Batch editor: prefill chunks and decode groups. Rows are rebuilt only when their
// number changes; typing edits state in place so focus and caret stay put.
import { SCENARIOS, copyRows } from './state.mjs';
import { int } from './format.mjs';

const KINDS = {
  prefill: {
    title: 'Prefill chunk',
    fields: [
      ['t', 'Tokens this step', 'tokens_this_step'],
      ['p', 'Prompt tokens', 'prompt_tokens'],
      ['n', 'Count', 'count'],
    ],
    blank: () => ({ t: '512', p: '512', n: '1' }),
  },
  decode: {
    title: 'Decode group',
    fields: [
      ['c', 'Context length', 'context_length'],
      ['n', 'Count', 'count'],
    ],
    blank: () => ({ c: '1024', n: '1' }),
  },
};

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

export function createBatchEditor(state, onChange) {
  const lists = {
    prefill: document.getElementById('prefill-rows'),
    decode: document.getElementById('decode-rows'),
  };
  const totals = document.getElementById('totals');

  function renderList(kind) {
    const spec = KINDS[kind];
    const rows = state[kind];
    const frag = document.createDocumentFragment();
    rows.forEach((row, i) => {
      const errId = `${kind}-err-${i}`;
      const item = el('div', { className: 'row', role: 'listitem', dataset: { kind, index: String(i) } });
      item.append(el('span', { className: 'row-title' }, `${spec.title} ${i + 1}`));
      for (const [key, label, field] of spec.fields) {
        const input = el('input', {
          type: 'text', inputMode: 'numeric', autocomplete: 'off', value: row[key],
          dataset: { field: key, number: 'count', where: `step.${kind}[${i}].${field}` },
        });
        input.setAttribute('aria-describedby', errId);
        item.append(el('label', { className: 'cell' }, el('span', {}, label), input));
      }
      item.append(
        el('button', { type: 'button', dataset: { act: 'dup' }, 'aria-label': `Duplicate ${spec.title.toLowerCase()} ${i + 1}` }, 'Duplicate'),
        el('button', { type: 'button', dataset: { act: 'del' }, 'aria-label': `Remove ${spec.title.toLowerCase()} ${i + 1}` }, 'Remove'),
        el('p', { className: 'error', id: errId, hidden: true }),
      );
      frag.append(item);
    });
    if (rows.length === 0) frag.append(el('p', { className: 'hint' }, `No ${kind} rows.`));
    lists[kind].replaceChildren(frag);
  }

  function render() {
    renderList('prefill');
    renderList('decode');
  }

  for (const kind of ['prefill', 'decode']) {
    const list = lists[kind];
    list.addEventListener('input', (e) => {
      const input = e.target;
      const row = input.closest('.row');
      if (!row || !input.dataset.field) return;
      state[kind][Number(row.dataset.index)][input.dataset.field] = input.value;
      onChange();
    });
    list.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-act]');
      if (!button) return;
      const i = Number(button.closest('.row').dataset.index);
      if (button.dataset.act === 'dup') state[kind].splice(i + 1, 0, { ...state[kind][i] });
      else state[kind].splice(i, 1);
      renderList(kind);
      // Keep keyboard users in place after the row list is rebuilt.
      const rows = lists[kind].querySelectorAll('.row');
      const target = rows[Math.min(button.dataset.act === 'dup' ? i + 1 : i, rows.length - 1)];
      (target?.querySelector('input') ?? document.getElementById(`add-${kind}`)).focus();
      onChange();
    });
    document.getElementById(`add-${kind}`).addEventListener('click', () => {
      state[kind].push(KINDS[kind].blank());
      renderList(kind);
      lists[kind].querySelector('.row:last-of-type input')?.focus();
      onChange();
    });
  }

  document.querySelector('.quick-scen').addEventListener('click', (e) => {
    const name = e.target.closest('button')?.dataset.scenario;
    if (!name) return;
    state.prefill = copyRows(SCENARIOS[name].prefill);
    state.decode = copyRows(SCENARIOS[name].decode);
    render();
    onChange();
  });

  function showTotals(r) {
    const w = r.work;
    totals.textContent =
      `Totals: ${int(w.prefill.tokens + w.decode.tokens)} tokens this step ` +
      `(${int(w.prefill.tokens)} prefill, ${int(w.decode.tokens)} decode) · ` +
      `batch size ${int(r.basis.batch_size)} requests · ${int(w.decode.context_tokens)} decode context tokens`;
  }

  return { render, showTotals };
}
