// The embedded view (embed=1), designed for a 640×480 frame: the step time with the link
// back, the verdict, the memory fit, the contributions bar and the roofline chart come
// first, then the details and the controls. The nodes are moved, not only restyled, so the
// tab order follows the order on screen.
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

export function applyEmbedLayout() {
  document.body.classList.add('embed');
  $('app').prepend(/** @type {HTMLElement} */ (document.querySelector('#app > .outputs')));
  $('summary').after($('roofline-fig'));
  // The page's heading stays, for screen readers only: the header it sits in is hidden here.
  const heading = /** @type {HTMLElement} */ (document.querySelector('header h1'));
  heading.classList.add('sr-only');
  $('app').prepend(heading);
}
