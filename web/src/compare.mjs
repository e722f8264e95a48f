// Compare: up to three pinned scenarios beside the current one, each figure with the pinned
// scenario's difference from the current one in percent. Pins are scenarios in the state
// (so they survive a reload through the address bar and can go into a link); each can be
// loaded back or removed. The table itself (compare-table.mjs) loads with the first pin.
import { MAX_PINS } from './state.mjs';
import { refusal } from './messages.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/**
 * A pin's result: the core's outcome, or the first field error of a pin the page could not
 * send (it has no core message).
 * @typedef {import('./calc.mjs').Outcome<StepResponse> | { ok: false, input: true, where: string, what: string }} PinOutcome
 */

// current(): { state, errors } of the scenario on screen (see messages.mjs, refusal).
// dispatch: the one way to change the state.
/**
 * @param {{ current: () => { state: import('./state.mjs').State, errors: import('./messages.mjs').ErrorLine[] }, dispatch: import('./state.mjs').Dispatch }} options
 */
export function createCompare({ current, dispatch }) {
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const out = byId('compare-out'), status = byId('compare-status');
  const pinButton = byId('pin');
  /** @type {{ pins: import('./state.mjs').Scenario[] | null, result: StepResponse | null, pinOutcomes: PinOutcome[] | null }} */
  let shown = { pins: null, result: null, pinOutcomes: null };
  /** @type {number | null} */
  let focusAfter = null;
  /** @type {Promise<import('./compare-table.mjs').CompareTable> | null} */
  let table = null;

  // Shows `shown` (the latest pins and results; an older load that ends late shows it too).
  /** @param {import('./state.mjs').Scenario & { custom: import('./state.mjs').Custom }} scenario */
  async function show(scenario) {
    const { pins, result, pinOutcomes } = shown;
    if (!pins || !pinOutcomes) return;
    pinButton.setAttribute('aria-disabled', String(pins.length >= MAX_PINS));
    const empty = pins.length === 0 || !result;
    if (empty && !table) return; // nothing was ever shown
    table ??= import('./compare-table.mjs').then(({ createCompareTable }) => createCompareTable(out));
    const builder = await table;
    if (shown.pins !== pins || shown.result !== result || shown.pinOutcomes !== pinOutcomes) return; // a later call shows its own
    if (empty) builder.clear();
    else builder.render(pins, /** @type {StepResponse} */ (result), pinOutcomes, scenario);
    if (focusAfter !== null) {
      const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (out.querySelectorAll('button.unpin'));
      (buttons[Math.min(focusAfter, buttons.length - 1)] ?? pinButton).focus();
      focusAfter = null;
    }
  }

  // Pinning takes the scenario on screen only when it is valid: a pin is never a half-typed one.
  pinButton.addEventListener('click', () => {
    const { state, errors } = current();
    if (state.pins.length >= MAX_PINS) {
      status.textContent = `${MAX_PINS} scenarios are pinned; remove one to pin another.`;
      return;
    }
    if (errors.length) {
      status.textContent = refusal('Nothing was pinned', errors);
      return;
    }
    dispatch({ type: 'pin' });
    status.textContent = `Pinned as pin ${state.pins.length + 1}.`;
  });
  out.addEventListener('click', (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button[data-pin]');
    if (!button) return;
    const i = Number(/** @type {HTMLButtonElement} */ (button).dataset.pin);
    if (button.classList.contains('load')) {
      dispatch({ type: 'load-pin', index: i });
      status.textContent = `Pin ${i + 1} loaded into the calculator; press Undo to go back.`;
      return;
    }
    // Removing a pin keeps keyboard focus on the next Remove button, or on Pin.
    focusAfter = i;
    dispatch({ type: 'unpin', index: i });
    status.textContent = `Pin ${i + 1} removed.`;
  });

  return {
    // Rebuilt only when the pins, the current result or the pins' results changed.
    /**
     * @param {import('./state.mjs').Scenario[]} pins
     * @param {StepResponse} result
     * @param {PinOutcome[]} pinOutcomes
     * @param {import('./state.mjs').Scenario & { custom: import('./state.mjs').Custom }} scenario
     */
    render(pins, result, pinOutcomes, scenario) {
      if (pins === shown.pins && result === shown.result && pinOutcomes === shown.pinOutcomes) return;
      shown = { pins, result, pinOutcomes };
      show(scenario).catch((error) => {
        table = null;
        status.textContent = `The comparison table could not be loaded (${error.message}); reload the page to try again.`;
      });
    },
  };
}
