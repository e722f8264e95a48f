// Compare: up to three pinned scenarios beside the current one, each figure with the pinned
// scenario's difference from the current one in percent.
import { num, int, human, DASH } from './format.mjs';
import { phases } from './results.mjs';
import { TERMS } from './formula.mjs';

const MAX_PINS = 3;
const ROWS = [
  ['step', 'Step time (µs)', (r) => r.step_time_us],
  ...TERMS.map(([key, label]) => [key, `${label} (${key}, µs)`, (r) => r.basis[key]]),
  ['batch', 'Batch size (requests)', (r) => r.basis.batch_size],
  ['tps', 'Tokens/s', (r) => phases(r).tokensPerS],
];

function el(tag, text, props = {}) {
  const node = document.createElement(tag);
  node.textContent = text;
  return Object.assign(node, props);
}

function describe(r) {
  const tokens = r.work.prefill.tokens + r.work.decode.tokens;
  return `${r.scenario.model} · ${r.scenario.gpu} · TP ${r.scenario.tp} · ${int(r.basis.batch_size)} requests, ${int(tokens)} tokens · ${r.scenario.coefficients}`;
}

// (pinned − current) / current, as text.
function difference(pinned, current) {
  if (pinned === current) return '0%';
  if (!(current > 0)) return DASH;
  const d = ((pinned - current) / current) * 100;
  return `${d > 0 ? '+' : ''}${num(d)}%`;
}

export function createCompare() {
  const out = document.getElementById('compare-out'), status = document.getElementById('compare-status');
  const pinButton = document.getElementById('pin');
  const pins = [];
  let current = null;

  function render() {
    pinButton.setAttribute('aria-disabled', String(pins.length >= MAX_PINS));
    if (pins.length === 0 || !current) {
      out.replaceChildren();
      return;
    }
    const table = el('table', '', { className: 'compare' });
    table.append(el('caption', `The current scenario (${human(current.step_time_us)}) and ${pins.length} pinned; each pinned figure shows its difference from the current one`));
    const head = document.createElement('tr');
    head.append(el('th', 'Figure', { scope: 'col' }), el('th', `Current: ${describe(current)}`, { scope: 'col' }));
    pins.forEach((pin, i) => {
      const th = el('th', `Pin ${i + 1}: ${describe(pin)} `, { scope: 'col' });
      const remove = el('button', 'Remove', { type: 'button', className: 'unpin' });
      remove.dataset.pin = String(i);
      remove.setAttribute('aria-label', `Remove pin ${i + 1}`);
      th.append(remove);
      head.append(th);
    });
    const body = document.createElement('tbody');
    for (const [key, label, get] of ROWS) {
      const now = get(current);
      const tr = el('tr', '', { id: `compare-${key}` });
      tr.append(el('th', label, { scope: 'row' }), el('td', num(now)));
      for (const pin of pins) {
        const td = el('td', num(get(pin)));
        td.append(document.createElement('br'), el('span', difference(get(pin), now), { className: 'diff' }));
        tr.append(td);
      }
      body.append(tr);
    }
    const thead = document.createElement('thead');
    thead.append(head);
    table.append(thead, body);
    // Four columns may not fit a phone: the table scrolls sideways, from the keyboard too.
    const scroller = el('div', '', { className: 'scroll', tabIndex: 0 });
    scroller.setAttribute('role', 'region');
    scroller.setAttribute('aria-label', 'Compared scenarios');
    scroller.append(table);
    out.replaceChildren(scroller);
  }

  pinButton.addEventListener('click', () => {
    if (!current) return;
    if (pins.length >= MAX_PINS) {
      status.textContent = `${MAX_PINS} scenarios are pinned; remove one to pin another.`;
      return;
    }
    pins.push(current);
    status.textContent = `Pinned as pin ${pins.length}.`;
    render();
  });
  // Removing a pin keeps keyboard focus on the next Remove button, or on Pin.
  out.addEventListener('click', (e) => {
    const i = e.target.closest('button.unpin')?.dataset.pin;
    if (i === undefined) return;
    pins.splice(Number(i), 1);
    status.textContent = `Pin ${Number(i) + 1} removed.`;
    render();
    const buttons = out.querySelectorAll('button.unpin');
    (buttons[Math.min(Number(i), buttons.length - 1)] ?? pinButton).focus();
  });

  return {
    update(r) {
      current = r;
      if (pins.length) render();
    },
  };
}
