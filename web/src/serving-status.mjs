// How the Serving view's run goes, said under its inputs: the progress while it runs (with
// Cancel beside it), then the error or the cancellation; and the view's phase for the tests
// and the benchmark (data-phase on #serving: running, done, failed, cancelled).
import { progressLine } from './serving-text.mjs';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

export const STATUS_HTML = `<div id="serving-running" class="inline" hidden><progress id="serving-progress" value="0" aria-label="Simulations done"></progress><span id="serving-progress-text" class="info" role="status"></span><button id="serving-cancel" type="button">Cancel</button></div>
<p id="serving-error" class="error" role="alert" hidden></p>`;

// Once STATUS_HTML is on the page.
export function createServingStatus() {
  const root = $('serving'), running = $('serving-running'), errorLine = $('serving-error');
  const progress = /** @type {HTMLProgressElement} */ ($('serving-progress')), progressText = $('serving-progress-text');
  const setPhase = (/** @type {string} */ phase) => { root.dataset.phase = phase; };
  /** @param {string} text '' hides the line */
  const say = (text) => { errorLine.textContent = text; errorLine.hidden = !text; };

  return {
    say,
    running: () => !running.hidden,
    started() {
      say('');
      running.hidden = false;
      setPhase('running');
    },
    // Runs done of total (at most that until known); doing: what runs now, null for no change.
    /** @param {number} done @param {number} total @param {boolean} totalKnown @param {string | null} doing */
    progress(done, total, totalKnown, doing) {
      Object.assign(progress, { max: total, value: done });
      if (doing !== null) progressText.textContent = progressLine(done, total, totalKnown, doing);
    },
    /** @param {'done' | 'failed' | 'cancelled'} phase */
    ended(phase) {
      running.hidden = true;
      setPhase(phase);
    },
  };
}
