// Compare: a pinned scenario against the current one, with the difference in percent.
import { num, int, human } from './format.mjs';
import { phases } from './results.mjs';

const ROWS = [
  ['Step time (µs)', (r) => r.step_time_us],
  ['t_pf_compute', (r) => r.basis.t_pf_compute],
  ['t_pf_kv', (r) => r.basis.t_pf_kv],
  ['t_dc_compute', (r) => r.basis.t_dc_compute],
  ['t_dc_kv', (r) => r.basis.t_dc_kv],
  ['t_weight', (r) => r.basis.t_weight],
  ['t_tp', (r) => r.basis.t_tp],
  ['Batch size', (r) => r.basis.batch_size],
  ['Tokens/s', (r) => phases(r).tokensPerS],
];

function cell(tag, text, props = {}) {
  const c = document.createElement(tag);
  c.textContent = text;
  Object.assign(c, props);
  return c;
}

export function describe(r) {
  return `${r.scenario.model} · ${r.scenario.gpu} · TP ${r.scenario.tp} · ${int(r.basis.batch_size)} requests`;
}

export function createCompare() {
  const out = document.getElementById('compare-out');
  const pinBtn = document.getElementById('pin'), unpinBtn = document.getElementById('unpin');
  let pinned = null, current = null;

  function render() {
    if (!pinned || !current) {
      out.replaceChildren();
      return;
    }
    const table = document.createElement('table');
    table.className = 'compare';
    table.append(cell('caption', `Pinned ${human(pinned.step_time_us)} vs current ${human(current.step_time_us)}`));
    const head = document.createElement('tr');
    head.append(cell('th', 'Figure', { scope: 'col' }), cell('th', `Pinned: ${describe(pinned)}`, { scope: 'col' }),
      cell('th', `Current: ${describe(current)}`, { scope: 'col' }), cell('th', 'Difference', { scope: 'col' }));
    const thead = document.createElement('thead');
    thead.append(head);
    const body = document.createElement('tbody');
    for (const [label, get] of ROWS) {
      const a = get(pinned), b = get(current);
      const diff = a > 0 ? ((b - a) / a) * 100 : NaN;
      const tr = document.createElement('tr');
      tr.append(cell('th', label, { scope: 'row' }), cell('td', num(a)), cell('td', num(b)),
        cell('td', Number.isFinite(diff) ? `${diff > 0 ? '+' : ''}${num(diff)}%` : (a === b ? '0%' : '–')));
      if (label.startsWith('Step')) tr.id = 'compare-step';
      body.append(tr);
    }
    table.append(thead, body);
    out.replaceChildren(table);
  }

  pinBtn.addEventListener('click', () => {
    if (!current) return;
    pinned = current;
    unpinBtn.hidden = false;
    render();
  });
  unpinBtn.addEventListener('click', () => {
    pinned = null;
    unpinBtn.hidden = true;
    render();
    pinBtn.focus();
  });

  return {
    update(r) {
      current = r;
      if (pinned) render();
    },
  };
}
