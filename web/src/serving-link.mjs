// The Serving view's part of the page's link: the "serve" parameter, which the page's state
// holds and url.mjs writes. It follows the inputs while they read valid, as the
// calculator's scenario does: text in error stays out of it (the link keeps the last valid
// inputs, and Copy link, refused, names the field).
import { SERVING_DEFAULTS, readServing, readServingLink, linkText } from './serving-form.mjs';
import { notice } from './messages.mjs';

/** @typedef {import('./serving-form.mjs').ServingValues} ServingValues */

/**
 * @param {import('./state.mjs').Dispatch} dispatch the page's one way to change its state
 * @param {Readonly<import('./wasm/stepcalc.mjs').Limits>} limits
 */
export function createServingLink(dispatch, limits) {
  let validLink = linkText(SERVING_DEFAULTS);
  return {
    // The link carries values, or while one is in error the last valid ones.
    /** @param {ServingValues} values */
    follow(values) {
      if (readServing(values, limits).errors.length === 0) validLink = linkText(values);
      dispatch({ type: 'serve', value: validLink });
    },
    // The view is hidden: the link no longer asks for it.
    drop() {
      dispatch({ type: 'serve', value: null });
    },
    // A link's "serve" parameter -> the inputs' text, with one notice naming every part
    // that could not be used, in the view (which the link brings into view), not at the
    // page's top.
    /** @param {string} link @returns {ServingValues} */
    read(link) {
      const read = readServingLink(link, limits);
      if (read.notice) notice(read.notice, 'notice', /** @type {HTMLElement} */ (document.getElementById('serving-notices')));
      return read.values;
    },
  };
}
