// Compare's table: the current scenario and the pinned ones side by side, each pinned figure
// with its difference from the current one. Loaded when the first pin is shown (compare.mjs),
// so the first load does without it.
import { num, int, human, DASH } from './format.mjs';
import { phases } from './results.mjs';
import { TERMS } from './terms.mjs';
import { customItem } from './state.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./compare.mjs').PinOutcome} PinOutcome */

/** @typedef {[key: string, label: string, figure: (r: StepResponse) => number]} CompareRow */
/** @type {CompareRow[]} */
const ROWS = [
  ['step', 'Step time (µs)', (r) => r.step_time_us],
  ...TERMS.map(([key, label]) => /** @type {CompareRow} */ ([key, `${label} (${key}, µs)`, (r) => r.basis[key]])),
  ['batch', 'Batch size (requests)', (r) => r.basis.batch_size],
  ['tps', 'Tokens/s', (r) => phases(r).tokensPerS],
];

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} text
 * @param {Partial<HTMLElementTagNameMap[K]>} [props]
 */
function el(tag, text, props = {}) {
  const node = document.createElement(tag);
  node.textContent = text;
  return Object.assign(node, props);
}

// scenario: the page's scenario r was computed for; custom: the stored custom items. The core
// names a custom model or GPU only "custom"; the page names it as the user did.
/**
 * @param {StepResponse} r
 * @param {import('./state.mjs').Scenario} scenario
 * @param {import('./state.mjs').Custom} custom
 */
function scenarioNames(r, scenario, custom) {
  return { model: customItem(custom.models, scenario.model)?.name ?? r.scenario.model,
    gpu: customItem(custom.gpus, scenario.gpu)?.name ?? r.scenario.gpu };
}

/**
 * @param {StepResponse} r
 * @param {import('./state.mjs').Scenario} scenario
 * @param {import('./state.mjs').Custom} custom
 */
function describe(r, scenario, custom) {
  const tokens = r.work.prefill.tokens + r.work.decode.tokens;
  const { model, gpu } = scenarioNames(r, scenario, custom);
  return `${model} · ${gpu} · TP ${r.scenario.tp} · ${int(r.basis.batch_size)} requests, ${int(tokens)} tokens · ${r.scenario.coefficients}`;
}

// (pinned − current) / current, as text; where no percent exists, why not.
/**
 * @param {number} pinned
 * @param {number} current
 */
export function difference(pinned, current) {
  if (!Number.isFinite(pinned) || !Number.isFinite(current)) return `${DASH} (not defined for a step time of 0)`;
  if (pinned === current) return '0%';
  if (current === 0) return `${DASH} (the current value is 0, so no percent)`;
  const d = ((pinned - current) / current) * 100;
  return `${d > 0 ? '+' : ''}${num(d)}%`;
}

// Which columns of a table that scrolls sideways are out of view, said above it: at 360 px
// the pins are off to the right with no other cue.
/**
 * @param {HTMLElement} scroller
 * @param {HTMLElement} hint
 */
function showHiddenColumns(scroller, hint) {
  const left = scroller.scrollLeft, right = left + scroller.clientWidth;
  const heads = /** @type {HTMLElement[]} */ ([...scroller.querySelectorAll('thead th')]).slice(1); // not "Figure"
  /** @param {HTMLElement} th */
  const name = (th) => /** @type {string} */ (th.dataset.name);
  const offRight = heads.filter((th) => th.offsetLeft + th.offsetWidth > right + 1).map(name);
  const offLeft = heads.filter((th) => th.offsetLeft < left - 1).map(name);
  /** @param {string[]} names @param {string} side */
  const say = (names, side) => `${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} off to the ${side}`;
  const parts = [offLeft.length ? say(offLeft, 'left') : '', offRight.length ? say(offRight, 'right') : ''].filter(Boolean);
  const said = parts.join('; ');
  const text = parts.length ? `${said[0].toUpperCase()}${said.slice(1)}: scroll the table sideways${offRight.length ? ' (→)' : ' (←)'}.` : '';
  hint.hidden = text === '';
  if (hint.textContent !== text) hint.textContent = text;
}


/** @typedef {ReturnType<typeof createCompareTable>} CompareTable */

// The table's builder for the box `out`: render() replaces what it shows; clear() empties it.
/** @param {HTMLElement} out */
export function createCompareTable(out) {
  // Re-checks the hint whenever the table's box changes size (first layout included).
  let resized = new ResizeObserver(() => {});
  // pinOutcomes: one compute outcome per pin, in order; scenario: the one `result` is for.
  /**
   * @param {import('./state.mjs').Scenario[]} pins
   * @param {StepResponse} result
   * @param {PinOutcome[]} pinOutcomes
   * @param {import('./state.mjs').Scenario & { custom: import('./state.mjs').Custom }} scenario
   */
  function render(pins, result, pinOutcomes, scenario) {
    const table = el('table', '', { className: 'compare' });
    table.append(el('caption', `The current scenario (${human(result.step_time_us)}) and ${pins.length} pinned; each pinned figure shows its difference from the current one`));
    const head = document.createElement('tr');
    head.append(el('th', 'Figure', { scope: 'col' }), el('th', `Current: ${describe(result, scenario, scenario.custom)}`, { scope: 'col' }));
    /** @type {HTMLElement} */ (head.lastChild).dataset.name = 'the current scenario';
    pinOutcomes.forEach((o, i) => {
      const th = el('th', `Pin ${i + 1}: ${o.ok ? describe(o.value, pins[i], scenario.custom) : `not available (${o.input ? `${o.where}: ${o.what}` : 'internal error'})`} `, { scope: 'col' });
      th.dataset.name = `pin ${i + 1}`;
      for (const [act, text] of [['load', 'Load'], ['unpin', 'Remove']]) {
        const button = el('button', text, { type: 'button', className: act });
        button.dataset.pin = String(i);
        button.setAttribute('aria-label', `${text} pin ${i + 1}`);
        th.append(button, ' ');
      }
      head.append(th);
    });
    const body = document.createElement('tbody');
    for (const [key, label, get] of ROWS) {
      const now = get(result);
      const tr = el('tr', '', { id: `compare-${key}` });
      tr.append(el('th', label, { scope: 'row' }), el('td', num(now)));
      for (const o of pinOutcomes) {
        if (!o.ok) {
          tr.append(el('td', DASH));
          continue;
        }
        const td = el('td', num(get(o.value)));
        td.append(document.createElement('br'), el('span', difference(get(o.value), now), { className: 'diff' }));
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
    const hint = el('p', '', { className: 'scroll-hint', hidden: true });
    hint.id = 'compare-scroll-hint';
    scroller.addEventListener('scroll', () => showHiddenColumns(scroller, hint), { passive: true });
    resized.disconnect();
    resized = new ResizeObserver(() => showHiddenColumns(scroller, hint));
    resized.observe(scroller);
    out.replaceChildren(hint, scroller);
  }
  return {
    render,
    clear() {
      resized.disconnect();
      out.replaceChildren();
    },
  };
}
