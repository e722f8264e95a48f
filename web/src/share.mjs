// Sharing: the address bar follows the scenario, "Copy link" and "Copy embed code", and,
// when the page is framed, each new result posted to the embedding page.
import { toQuery } from './state.mjs';
import { customItem } from './storage.mjs';

const $ = (id) => document.getElementById(id);

export function createShare(state, store) {
  const box = $('share-text'), status = $('share-status'), customNote = $('share-custom'), openFull = $('open-full');
  let urlTimer = 0;

  const link = (embed) => new URL(location.pathname + toQuery(state, { embed }), location.href).href;

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
  $('copy-link').addEventListener('click', () => copy(link(false), 'Link'));
  $('copy-embed').addEventListener('click', () => {
    const src = link(true).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    copy(`<iframe src="${src}" title="stepcalc: LLM inference step time" width="640" height="480" style="border:0" loading="lazy" allow="clipboard-write"></iframe>`, 'Embed code');
  });
  openFull.hidden = !state.embed;

  return {
    // replaceState is rate-limited by browsers, so the address bar follows at most every 150 ms.
    followUrl() {
      if (urlTimer) return;
      urlTimer = setTimeout(() => {
        urlTimer = 0;
        history.replaceState(null, '', location.pathname + toQuery(state));
        openFull.href = location.pathname + toQuery(state, { embed: false });
      }, 150);
    },

    // Custom items live in this browser only; say so beside the buttons.
    showCustomNote() {
      const cm = customItem(store.models, state.model), cg = customItem(store.gpus, state.gpu);
      const items = [cm && `model “${cm.name}”`, cg && `GPU “${cg.name}”`].filter(Boolean);
      customNote.hidden = items.length === 0;
      customNote.textContent = items.length
        ? `The custom ${items.join(' and ')} is stored only in this browser and cannot travel in a link; the link uses the default ${[cm && 'model', cg && 'GPU'].filter(Boolean).join(' and ')} instead.`
        : '';
    },

    // The result is public arithmetic on the scenario; any embedding page may read it.
    postToParent(r) {
      if (window.parent === window) return;
      window.parent.postMessage({
        type: 'stepcalc:result', version: 1,
        step_time_us: r.step_time_us, basis: r.basis, bottleneck: r.bottleneck,
        contributions_us: r.contributions_us, scenario: r.scenario, url: link(false),
      }, '*');
    },
  };
}
