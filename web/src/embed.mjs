// The embedded view (embed=1), designed for a 640×480 frame: what the step time is for,
// the step time with the link back, the verdict, the memory fit, the contributions bar and the roofline chart come
// first, then the details and the controls. With grid=1 the GPU × TP grid, which the link
// asked for, comes straight under the summary, before the roofline. The nodes are moved, not
// only restyled, so the tab order follows the order on screen.
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {{ grid: boolean }} options grid: the link has grid=1 */
export function applyEmbedLayout({ grid }) {
  document.body.classList.add('embed');
  $('app').prepend(/** @type {HTMLElement} */ (document.querySelector('#app > .outputs')));
  $('summary').after($('roofline-fig'));
  if (grid) $('summary').after($('grid-card'));
  // The heading and the caption share the first line, "Predicted step time for <caption>",
  // which leaves the roofline room in a 640×480 frame.
  const captionLine = Object.assign(document.createElement('div'), { className: 'caption-line' });
  $('scenario-caption').before(captionLine);
  captionLine.append($('results-h'), $('scenario-caption'));
  // The page's heading stays, for screen readers only: the header it sits in is hidden here.
  const heading = /** @type {HTMLElement} */ (document.querySelector('header h1'));
  heading.classList.add('sr-only');
  $('app').prepend(heading);
}
