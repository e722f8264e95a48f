// What was typed survives a reload while it is invalid. The link (the address bar) carries
// only valid scenarios, so a field in error would come back as the last valid value; the
// scenario on screen (and the Serving view's inputs, when one of them is in error) is kept
// in sessionStorage instead (this tab only), under the address it was typed at, and is
// brought back only at that same address: another link opened in the tab since is another
// scenario. Valid text leaves nothing stored: the link has it. What is read back is checked
// by draft-check.mjs, loaded only when something was kept.

/** @typedef {import('./state.mjs').Scenario} Scenario */
/**
 * What is kept: the calculator's scenario while a field of it is in error, the Serving
 * view's inputs (their text) while one of them is; null for the part that is valid.
 * @typedef {{ scenario: Scenario | null, serving: Record<string, string> | null }} Draft
 */

const here = () => `stepcalc.draft:${location.pathname}${location.search}`;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked (a sandboxed frame): typed text then lasts until the page goes
  }
}

// The keys this page read or wrote: leaving with a valid scenario clears them, wherever the
// address was then.
/** @type {Set<string>} */
const touched = new Set();

// The text kept at this address when the page was last left, or null.
export function keptDraft() {
  const key = here();
  touched.add(key);
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

// When the page is hidden or left: what is on screen while a field is in error, else
// nothing. invalid(): that draft, or null when every field is valid.
/** @param {() => Draft | null} invalid */
export function keepDraftWhenLeaving(invalid) {
  const store = storage();
  if (!store) return;
  const keep = () => {
    const draft = invalid(), key = here();
    try {
      for (const old of touched) if (old !== key || !draft) store.removeItem(old);
      touched.clear();
      if (draft) {
        store.setItem(key, JSON.stringify(draft));
        touched.add(key);
      }
    } catch { /* full or blocked: the link still has the last valid scenario */ }
  };
  addEventListener('pagehide', keep);
  addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keep(); });
}
