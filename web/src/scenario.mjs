// Scenario controls: the model, GPU and coefficient selects with a line describing each
// choice, the TP field and its quick buttons, and the β editor.
import { customItem } from './state.mjs';
import { num } from './format.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {{ arch?: import('./wasm/stepcalc.mjs').Arch, hardware?: StepResponse['hardware'] }} Checked what the core's check said of the selected custom model and GPU */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const BETA_NAMES = ['β₁ prefill max', 'β₂ decode max', 'β₃ weights', 'β₄ TP comm', 'β₅ per layer', 'β₆ per request', 'β₇ constant'];
/** @type {Record<string, string>} */
const LINK_NAMES = { nvlink_bandwidth_gb_s: 'NVLink', link_bandwidth_gb_s: 'GPU link', pcie_bandwidth_gb_s: 'PCIe', none: 'no link' };
/** @param {string} link */
const linkName = (link) => LINK_NAMES[link] ?? link;

/**
 * @param {string} value
 * @param {string} text
 */
function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}
/**
 * @param {string} label
 * @param {HTMLOptionElement[]} options
 */
function group(label, options) {
  const g = document.createElement('optgroup');
  g.label = label;
  g.append(...options);
  return g;
}
// Views run on every render: the DOM is touched only where something changed, so focus,
// caret and selection stay where the user left them.
/**
 * @param {HTMLElement} el
 * @param {string} text
 */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
/**
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {string} value
 */
function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

// P: the core's preset listing. dispatch: the page's one way to change the state.
/**
 * @param {{ presets: import('./wasm/stepcalc.mjs').PresetListing, dispatch: import('./state.mjs').Dispatch }} options
 */
export function createScenario({ presets: P, dispatch }) {
  const select = (/** @type {string} */ id) => /** @type {HTMLSelectElement} */ ($(id));
  const modelSel = select('model'), gpuSel = select('gpu'), coefSel = select('coef'), tp = /** @type {HTMLInputElement} */ ($('tp'));
  const util = /** @type {HTMLInputElement} */ ($('util'));
  const tpButtons = /** @type {HTMLButtonElement[]} */ ([...$('tp-quick').querySelectorAll('button[data-tp]')]);
  const coefById = Object.fromEntries(P.coefficients.map((c) => [c.id, c]));
  /** @param {import('./wasm/stepcalc.mjs').ModelPreset} m */
  const modelLabel = (m) => `${m.name} · L${m.L} d${m.d} H${m.H} kv${m.kv_heads}` + (m.kind === 'moe' ? ` · ${m.N} experts, top-${m.k}` : '');
  /** @param {'dense' | 'moe'} kind */
  const presetModels = (kind) => P.models.filter((m) => m.kind === kind).map((m) => option(m.id, modelLabel(m)));
  const presetGpus = P.gpus.map((g) => option(g.id, `${g.name} · ${g.dense_fp16_tflops} TFLOPS · ${g.hbm_tb_s} TB/s`));
  coefSel.replaceChildren(...P.coefficients.map((c) => option(c.id, c.name)), option('custom', 'Custom β (edit the seven numbers)'));

  const betaInputs = BETA_NAMES.map((name, i) => {
    const label = document.createElement('label');
    label.className = 'cell';
    const span = document.createElement('span');
    span.textContent = name;
    const input = document.createElement('input');
    Object.assign(input, { type: 'text', inputMode: 'decimal', autocomplete: 'off', spellcheck: false });
    input.dataset.number = 'real';
    input.dataset.where = `coefficients.beta[${i}]`;
    input.setAttribute('aria-describedby', 'coef-error');
    input.addEventListener('input', () => dispatch({ type: 'beta', index: i, value: input.value }));
    label.append(span, input);
    $('beta-fields').append(label);
    return input;
  });

  modelSel.addEventListener('change', () => dispatch({ type: 'model', value: modelSel.value }));
  gpuSel.addEventListener('change', () => dispatch({ type: 'gpu', value: gpuSel.value }));
  coefSel.addEventListener('change', () => dispatch({ type: 'coefficients', value: coefSel.value }));
  tp.addEventListener('input', () => dispatch({ type: 'tp', value: tp.value }));
  util.addEventListener('input', () => dispatch({ type: 'util', value: util.value }));
  $('tp-quick').addEventListener('click', (e) => {
    const v = /** @type {HTMLElement} */ (e.target).closest('button')?.dataset.tp;
    if (v) dispatch({ type: 'tp', value: v });
  });

  // The selects list the custom items stored in this browser; rebuilt only when they change.
  /** @type {import('./state.mjs').Custom | null} */
  let shownCustom = null;
  /** @param {import('./state.mjs').Custom} custom */
  function fillSelects(custom) {
    if (custom === shownCustom) return;
    shownCustom = custom;
    // Items that share a name are told apart by their stored id.
    /** @param {Record<string, { name: string }>} map */
    const mine = (map) => {
      const entries = Object.entries(map);
      const shared = (/** @type {string} */ name) => entries.filter(([, v]) => v.name === name).length > 1;
      return entries.map(([k, v]) => option(`custom:${k}`, shared(v.name) ? `${v.name} (custom, id ${k})` : `${v.name} (custom)`));
    };
    const models = mine(custom.models), gpus = mine(custom.gpus);
    modelSel.replaceChildren(
      group('Dense', presetModels('dense')),
      group('Mixture of experts', presetModels('moe')),
      ...(models.length ? [group('Your models (this browser)', models)] : []),
    );
    gpuSel.replaceChildren(
      group('Presets', presetGpus),
      ...(gpus.length ? [group('Your GPUs (this browser)', gpus)] : []),
    );
  }

  // Lines describing the chosen model, GPU and coefficients. A custom item's figures come
  // from the core (its check of the item: arch, hardware).
  /**
   * @param {State} state
   * @param {Checked} checked
   */
  function showInfo(state, checked) {
    const m = P.models.find((x) => x.id === state.model);
    const cm = customItem(state.custom.models, state.model);
    const arch = m ?? checked.arch;
    let text = m ? `${m.kind === 'moe' ? 'MoE' : 'Dense'} · ` : cm ? `Custom (${cm.name}) · ` : '';
    if (arch) {
      text += `L ${arch.L} · d ${arch.d} · heads ${arch.H} · kv heads ${arch.kv_heads} · d_h ${arch.d_h} · d_ff ${arch.d_ff}` +
        (arch.N > 0 ? ` · experts ${arch.N}, ${arch.k} active` : '');
    }
    if (m) text += ` · source: ${m.source}`;
    setText($('model-info'), text);
    const g = P.gpus.find((x) => x.id === state.gpu);
    const cg = customItem(state.custom.gpus, state.gpu);
    const hw = checked.hardware;
    setText($('gpu-info'), g
      ? `${g.dense_fp16_tflops} TFLOPS dense FP16 · ${g.hbm_tb_s} TB/s HBM · ${g.link_gb_s} GB/s ${linkName(g.link)} · source: ${g.source}`
      : cg && hw ? `Custom (${cg.name}) · ${hw.flops_peak_tflops} TFLOPS dense FP16 · ${hw.bw_hbm_tb_s} TB/s HBM · ${hw.bw_link_gb_s} GB/s ${linkName(hw.link)}` : '');
    const c = coefById[state.coef];
    setText($('coef-info'), c ? `β = [${c.beta.map((b) => num(b)).join(', ')}] · source: ${c.source}` : 'Your own β, applied as step = Σ βᵢ·Xᵢ.');
  }

  return {
    // checked: { arch, hardware } of the selected custom model and GPU, from the core's check.
    /**
     * @param {State} state
     * @param {Checked} checked
     */
    render(state, checked) {
      fillSelects(state.custom);
      setValue(modelSel, state.model);
      setValue(gpuSel, state.gpu);
      setValue(coefSel, state.coef);
      setValue(tp, state.tp);
      for (const b of tpButtons) b.setAttribute('aria-pressed', String(b.dataset.tp === state.tp));
      setValue(util, state.util);
      const custom = state.coef === 'custom';
      $('beta-editor').hidden = !custom;
      if (custom) betaInputs.forEach((input, i) => setValue(input, /** @type {string[]} */ (state.beta)[i]));
      showInfo(state, checked);
    },
  };
}
