// Scenario controls: the model, GPU and coefficient selects with a line describing each
// choice, the TP field and its quick buttons, and the β editor.
import { DEFAULTS } from './state.mjs';
import { customItem } from './storage.mjs';
import { num } from './format.mjs';

const $ = (id) => document.getElementById(id);
const BETA_NAMES = ['β₁ prefill max', 'β₂ decode max', 'β₃ weights', 'β₄ TP comm', 'β₅ per layer', 'β₆ per request', 'β₇ constant'];
const LINK_NAMES = { nvlink_bandwidth_gb_s: 'NVLink', link_bandwidth_gb_s: 'GPU link', pcie_bandwidth_gb_s: 'PCIe', none: 'no link' };
const linkName = (link) => LINK_NAMES[link] ?? link;

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}
function group(label, options) {
  const g = document.createElement('optgroup');
  g.label = label;
  g.append(...options);
  return g;
}
// Keeps the DOM untouched when nothing changed, since this runs on every render with a custom item.
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// P: the core's preset listing. store: custom models and GPUs. onSelect: the model, GPU or
// coefficient choice changed. onChange: TP or β text changed.
export function createScenario({ state, presets: P, store, onSelect, onChange }) {
  const modelSel = $('model'), gpuSel = $('gpu'), coefSel = $('coef'), tp = $('tp');
  const coefById = Object.fromEntries(P.coefficients.map((c) => [c.id, c]));

  // A custom item that has been deleted (or came from another browser) falls back to the default.
  function fillModels() {
    const label = (m) => `${m.name} · L${m.L} d${m.d} H${m.H} kv${m.kv_heads}` + (m.kind === 'moe' ? ` · ${m.N} experts, top-${m.k}` : '');
    const presets = (kind) => P.models.filter((m) => m.kind === kind).map((m) => option(m.id, label(m)));
    const custom = Object.entries(store.models).map(([k, v]) => option(`custom:${k}`, `${v.name} (custom)`));
    modelSel.replaceChildren(
      group('Dense', presets('dense')),
      group('Mixture of experts', presets('moe')),
      ...(custom.length ? [group('Your models (this browser)', custom)] : []),
    );
    if (state.model.startsWith('custom:') && !customItem(store.models, state.model)) state.model = DEFAULTS.model;
    modelSel.value = state.model;
  }
  function fillGpus() {
    const custom = Object.entries(store.gpus).map(([k, v]) => option(`custom:${k}`, `${v.name} (custom)`));
    gpuSel.replaceChildren(
      group('Presets', P.gpus.map((g) => option(g.id, `${g.name} · ${g.dense_fp16_tflops} TFLOPS · ${g.hbm_tb_s} TB/s`))),
      ...(custom.length ? [group('Your GPUs (this browser)', custom)] : []),
    );
    if (state.gpu.startsWith('custom:') && !customItem(store.gpus, state.gpu)) state.gpu = DEFAULTS.gpu;
    gpuSel.value = state.gpu;
  }
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
    input.addEventListener('input', () => { state.beta[i] = input.value; onChange(); });
    label.append(span, input);
    $('beta-fields').append(label);
    return input;
  });

  // The controls from the state (at start, and after the coefficient choice changes).
  function sync() {
    modelSel.value = state.model;
    gpuSel.value = state.gpu;
    coefSel.value = state.coef;
    tp.value = state.tp;
    betaInputs.forEach((input, i) => { input.value = state.beta[i]; });
    $('beta-editor').hidden = state.coef !== 'custom';
  }

  // Lines describing the chosen model, GPU and coefficients. A custom item's figures come
  // from the core's result r (arch, hardware), so they appear once it computes.
  function showInfo(r) {
    const m = P.models.find((x) => x.id === state.model);
    const cm = customItem(store.models, state.model);
    const arch = m ?? r?.arch;
    let text = m ? `${m.kind === 'moe' ? 'MoE' : 'Dense'} · ` : cm ? `Custom (${cm.name}) · ` : '';
    if (arch) {
      text += `L ${arch.L} · d ${arch.d} · heads ${arch.H} · kv heads ${arch.kv_heads} · d_h ${arch.d_h} · d_ff ${arch.d_ff}` +
        (arch.N > 0 ? ` · experts ${arch.N}, ${arch.k} active` : '');
    }
    if (m) text += ` · source: ${m.source}`;
    setText($('model-info'), text);
    const g = P.gpus.find((x) => x.id === state.gpu);
    const cg = customItem(store.gpus, state.gpu);
    const hw = r?.hardware;
    setText($('gpu-info'), g
      ? `${g.dense_fp16_tflops} TFLOPS dense FP16 · ${g.hbm_tb_s} TB/s HBM · ${g.link_gb_s} GB/s ${linkName(g.link)} · source: ${g.source}`
      : cg && hw ? `Custom (${cg.name}) · ${hw.flops_peak_tflops} TFLOPS dense FP16 · ${hw.bw_hbm_tb_s} TB/s HBM · ${hw.bw_link_gb_s} GB/s ${linkName(hw.link)}` : '');
    const c = coefById[state.coef];
    setText($('coef-info'), c ? `β = [${c.beta.map((b) => num(b)).join(', ')}] · source: ${c.source}` : 'Your own β, applied as step = Σ βᵢ·Xᵢ.');
  }

  modelSel.addEventListener('change', () => { state.model = modelSel.value; onSelect(); });
  gpuSel.addEventListener('change', () => { state.gpu = gpuSel.value; onSelect(); });
  coefSel.addEventListener('change', () => {
    // Custom β starts from the set that was selected, so one number can be changed.
    if (coefSel.value === 'custom' && coefById[state.coef]) state.beta = coefById[state.coef].beta.map(String);
    state.coef = coefSel.value;
    sync();
    onSelect();
  });
  tp.addEventListener('input', () => { state.tp = tp.value; onChange(); });
  $('tp-quick').addEventListener('click', (e) => {
    const v = e.target.closest('button')?.dataset.tp;
    if (!v) return;
    state.tp = tp.value = v;
    onChange();
  });

  fillModels();
  fillGpus();
  sync();
  return { fillModels, fillGpus, showInfo };
}
