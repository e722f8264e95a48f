// The GPU × TP grid under the result: which GPU, at which TP, for the batch on screen. Its
// table's code (grid-view.mjs) is a chunk loaded when the grid first comes near the view,
// and it computes only while it is near the view: the first load carries none of it, and
// an edit made with the grid scrolled away costs nothing; in view, it is redrawn after the
// result is painted. Clicking a cell selects that GPU (a preset or a saved custom GPU)
// and TP as the GPU and TP controls would.
import { notice } from './messages.mjs';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./state.mjs').State} State */

/**
 * @param {{ dispatch: import('./state.mjs').Dispatch, presets: import('./wasm/stepcalc.mjs').PresetListing, hidden: boolean }} options
 */
export function createGrid({ dispatch, presets, hidden }) {
  const box = $('grid-card');
  box.hidden = hidden;
  /** @type {ReturnType<typeof import('./grid-view.mjs').createGridView> | null} */
  let view = null;
  /** @type {[PageRequest, State] | null} the last valid request, for when the grid comes into view */
  let latest = null;
  let near = false;
  // The grid follows in a task after the frame that paints the result, at most once per
  // frame with the latest request: it never delays the numbers an edit changes.
  let pending = false;
  const show = () => {
    if (!view || !near || !latest || pending) return;
    pending = true;
    requestAnimationFrame(() => setTimeout(() => {
      pending = false;
      if (view && near && latest) view.update(...latest);
    }));
  };
  if (!hidden) {
    new IntersectionObserver((entries) => {
      near = entries[entries.length - 1].isIntersecting;
      if (near && !view) {
        import('./grid-view.mjs').then(({ createGridView }) => {
          view ??= createGridView({
            box, presets,
            select(gpu, tp) {
              dispatch({ type: 'gpu', value: gpu });
              dispatch({ type: 'tp', value: String(tp) });
            },
          });
          show();
        }).catch((e) => notice(`The GPU × TP grid could not be loaded (${e?.message ?? e}). Reload the page to retry.`));
      }
      show();
    }, { rootMargin: '300px 0px' }).observe(box);
  }

  return {
    /** @param {PageRequest} request @param {State} state */
    update(request, state) {
      latest = [request, state];
      show();
    },
  };
}
