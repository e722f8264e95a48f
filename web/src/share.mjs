// Sharing: the address bar follows the last valid scenario, "Copy link" and "Copy embed code"
// (refused, naming the field, while a field is invalid), optionally with the pins, and, when
// the page is framed, each new result posted to the embedding page.
import { toQuery, usesCustom, MAX_LINK_CHARS } from './url.mjs';
import { customItem } from './state.mjs';
import { refusal } from './messages.mjs';
import { int } from './format.mjs';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const URL_PAUSE_MS = 150;
// Why a link is not made or followed, and what makes it fit (see url.mjs, MAX_LINK_CHARS).
/** @param {string} subject @param {number} length */
const tooLong = (subject, length) => `${subject} would be ${int(length)} characters long, and links longer than ${int(MAX_LINK_CHARS)} characters fail to open on many servers`;
/** @param {string} text */
const attribute = (text) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
const SHORTEN = 'To fit, use fewer distinct rows (equal rows next to each other are written once) or one row with a count in place of repeated rows.';

/** @typedef {import('./state.mjs').State} State */

// current(): { state, errors } of the scenario on screen (see messages.mjs, refusal).
// dispatch: the page's one way to change the state.
/**
 * @param {{
 *   current: () => { state: State, errors: import('./messages.mjs').ErrorLine[], caption: string },
 *   dispatch: import('./state.mjs').Dispatch, embed: boolean,
 * }} options
 */
export function createShare({ current, dispatch, embed }) {
  const box = /** @type {HTMLTextAreaElement} */ ($('share-text')), status = $('share-status'), customNote = $('share-custom');
  const openFull = /** @type {HTMLAnchorElement} */ ($('open-full'));
  let urlTimer = 0;
  /** @type {State} set by followUrl() before its timer reads it */
  let validState;
  // Said when the address bar cannot follow the scenario on screen.
  const urlNote = Object.assign(document.createElement('p'), { id: 'url-note', className: 'info', hidden: true });
  urlNote.setAttribute('role', 'status');
  customNote.after(urlNote);

  // "Include the pinned scenarios", beside the copy buttons; shown when something is pinned.
  const pinsLabel = document.createElement('label');
  const pinsBox = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'share-pins' });
  pinsLabel.append(pinsBox, ' Include the pinned scenarios in the link');
  pinsLabel.hidden = true;
  $('copy-embed').after(pinsLabel);
  pinsBox.addEventListener('change', () => dispatch({ type: 'pins-in-link', value: pinsBox.checked }));

  // The pins a shared link carries: those made of presets only (custom items cannot travel).
  /** @param {State} state */
  const travelling = (state) => (state.pinsInLink ? state.pins.filter((p) => !usesCustom(p)) : []);
  /**
   * @param {State} state
   * @param {boolean} embedded
   */
  const link = (state, embedded) =>
    new URL(location.pathname + toQuery(state, { embed: embedded, pins: embedded ? [] : travelling(state) }), location.href).href;

  /**
   * @param {string} text
   * @param {string} what
   */
  async function copy(text, what) {
    box.value = text;
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = `${what} copied to the clipboard.`;
    } catch {
      // No clipboard permission (e.g. in a frame): leave it selected for the user to copy.
      box.focus();
      box.select();
      status.textContent = `${what} is selected in the box below; press Ctrl+C (⌘C) to copy it.`;
    }
  }
  // A link is made only from a scenario with no invalid field, so it never carries bad text.
  /**
   * @param {string} what
   * @param {import('./messages.mjs').ErrorLine[]} errors
   */
  function refuse(what, errors) {
    box.value = '';
    status.textContent = refusal(`${what} was not made, as it would not carry your scenario`, errors);
  }
  /** @param {boolean} embedded */
  function copyLink(embedded) {
    const { state, errors, caption } = current();
    const what = embedded ? 'The embed code' : 'The link';
    if (errors.length) return refuse(what, errors);
    const href = link(state, embedded);
    if (href.length > MAX_LINK_CHARS) {
      box.value = '';
      status.textContent = `${what} was not made: ${tooLong('it', href.length)}. ${SHORTEN}` +
        (state.pinsInLink && state.pins.length && !embedded ? ' Leaving the pins out of the link also shortens it.' : '');
      return;
    }
    if (embedded) {
      // The frame's title is the caption the embed shows, so a page with several embeds tells
      // them apart; a custom model or GPU does not travel (the link has the default), so a
      // frame using one keeps the page's own title.
      const title = usesCustom(state) ? 'stepcalc: LLM inference step time' : `stepcalc: ${caption}`;
      // No `allow`: the embedded view has no copy buttons, so the frame needs no clipboard.
      return copy(`<iframe src="${attribute(href)}" title="${attribute(title)}" width="640" height="480" style="border:0" loading="lazy"></iframe>`, 'Embed code');
    }
    copy(href, 'Link');
  }
  $('copy-link').addEventListener('click', () => copyLink(false));
  $('copy-embed').addEventListener('click', () => copyLink(true));
  openFull.hidden = !embed;

  return {
    // After a valid render: the address bar names this scenario (custom items by their stored
    // id and the pins too, so a reload restores both). While a field is invalid it is not
    // called, and the bar keeps the last valid scenario. The bar follows once edits pause
    // for URL_PAUSE_MS: replaceState is rate-limited by browsers, and with a 1,000-row link
    // one call took several milliseconds, which landed in the middle of typing.
    /** @param {State} state */
    followUrl(state) {
      validState = state;
      clearTimeout(urlTimer);
      // For the tests: the bar is about to follow (they wait for it, not for a time).
      document.documentElement.dataset.addressBar = 'pending';
      urlTimer = setTimeout(() => {
        document.documentElement.dataset.addressBar = 'current';
        // The bar holds what a reload can open: with the pins if that fits, else without them,
        // else it keeps what it had and says why.
        const fits = (/** @type {string} */ query) => new URL(location.pathname + query, location.href).href.length <= MAX_LINK_CHARS;
        const withPins = toQuery(validState, { keepCustom: true, pins: validState.pins });
        const withoutPins = toQuery(validState, { keepCustom: true });
        const query = [withPins, withoutPins].find(fits);
        if (query) history.replaceState(null, '', location.pathname + query);
        const length = new URL(location.pathname + withoutPins, location.href).href.length;
        const note = query === undefined
          ? `The address bar does not follow this batch: ${tooLong('its link', length)}, so a reload would not bring it back. ${SHORTEN}`
          : query !== withPins ? 'The address bar leaves the pins out: with them its link would be too long to open on many servers.' : '';
        urlNote.hidden = note === '';
        if (urlNote.textContent !== note) urlNote.textContent = note;
        openFull.href = location.pathname + toQuery(validState, { embed: false, pins: travelling(validState) });
      }, URL_PAUSE_MS);
    },

    /** @param {State} state */
    render(state) {
      pinsLabel.hidden = state.pins.length === 0;
      pinsBox.checked = state.pinsInLink;
      // Custom items live in this browser only; say so beside the buttons.
      const cm = customItem(state.custom.models, state.model), cg = customItem(state.custom.gpus, state.gpu);
      const items = [cm && `model “${cm.name}”`, cg && `GPU “${cg.name}”`].filter(Boolean);
      const left = state.pinsInLink ? state.pins.length - travelling(state).length : 0;
      const texts = [];
      if (items.length) {
        texts.push(`The custom ${items.join(' and ')} ${items.length === 1 ? 'is' : 'are'} stored only in this browser and cannot travel in a link; ` +
          `the link uses the default ${[cm && 'model', cg && 'GPU'].filter(Boolean).join(' and ')} instead.`);
      }
      if (left) texts.push(`${left === 1 ? 'One pin uses' : `${left} pins use`} a custom model or GPU and ${left === 1 ? 'is' : 'are'} left out of the link.`);
      const text = texts.join(' ');
      customNote.hidden = text === '';
      if (customNote.textContent !== text) customNote.textContent = text;
    },

    // The result is public arithmetic on the scenario; any embedding page may read it.
    /**
     * @param {import('./wasm/stepcalc.mjs').StepResponse} r
     * @param {State} state
     */
    postToParent(r, state) {
      if (window.parent === window) return;
      window.parent.postMessage({
        type: 'stepcalc:result', version: 1,
        step_time_us: r.step_time_us, basis: r.basis, bottleneck: r.bottleneck,
        contributions_us: r.contributions_us, scenario: r.scenario, url: link(state, false),
      }, '*');
    },
  };
}
