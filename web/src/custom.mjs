// Custom models (a pasted or uploaded config.json) and custom GPUs (a small datasheet
// form): each is checked by the core before it is used, then kept in localStorage.
import { compute } from './calc.mjs';
import { DEFAULTS } from './state.mjs';
import { saveStore, newKey, customItem } from './storage.mjs';
import { fieldValue, typedHint } from './fields.mjs';
import { notice } from './messages.mjs';

const $ = (id) => document.getElementById(id);

// What the two editors share. kind: 'model' or 'gpu' (the state field it selects);
// prefix: of the generated ids (`${prefix}-error`, -use, -delete). Both editors get the
// same error line and Use/Delete buttons, appended to their <details>.
function createEditor({ kind, prefix, noun, state, store, fill, onSelect }) {
  const list = `${kind}s`;
  const details = $(`custom-${kind}`);
  const error = Object.assign(document.createElement('p'), { id: `${prefix}-error`, className: 'error', hidden: true });
  error.setAttribute('role', 'alert');
  const button = (act, text) => Object.assign(document.createElement('button'), { id: `${prefix}-${act}`, type: 'button', textContent: text });
  const use = button('use', `Check and use this ${noun}`);
  const remove = button('delete', `Delete selected custom ${noun}`);
  const buttons = Object.assign(document.createElement('div'), { className: 'row-buttons' });
  buttons.append(use, remove);
  details.append(error, buttons);

  let marked = null;
  const selected = () => customItem(store[list], state[kind]);
  function select(value) {
    state[kind] = value;
    fill();
    onSelect();
  }
  function persist() {
    if (!saveStore(store)) notice(`This browser did not let the page save your custom ${noun}; it lasts until you leave the page.`);
  }

  remove.addEventListener('click', () => {
    delete store[list][state[kind].slice(7)];
    persist();
    select(DEFAULTS[kind]);
  });

  return {
    use,
    selected,
    clearError() {
      error.hidden = true;
      marked?.removeAttribute('aria-invalid');
    },
    // Shows why the item was refused, marking the input at fault if there is one.
    fail(text, input) {
      error.textContent = `${text}. The ${noun} in use is unchanged.`;
      error.hidden = false;
      marked = input;
      input?.setAttribute('aria-invalid', 'true');
    },
    // Stores the checked item under key and selects it.
    keep(key, item) {
      store[list][key] = item;
      persist();
      select(`custom:${key}`);
    },
    showSelected() {
      remove.hidden = !selected();
    },
  };
}

function createModelEditor(shared) {
  const editor = createEditor({ ...shared, kind: 'model', prefix: 'config', noun: 'model', fill: shared.scenario.fillModels });
  const text = $('config-text'), name = $('config-name');

  function useConfig() {
    editor.clearError();
    let cfg;
    try {
      cfg = JSON.parse(text.value);
    } catch (e) {
      return editor.fail(`config.json is not valid JSON: ${e.message}`, text);
    }
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return editor.fail('config.json must be a JSON object', text);
    const check = compute({ model: cfg, gpu: DEFAULTS.gpu, tp: 1, step: { decode: [{ context_length: 1 }] } });
    if (!check.ok) return editor.fail(`${check.where}: ${check.what}`, text);
    const label = (name.value.trim() || String(cfg._name_or_path ?? cfg.model_type ?? 'custom model')).slice(0, 80);
    editor.keep(newKey(shared.store.models, label), { name: label, config: cfg });
  }

  editor.use.addEventListener('click', useConfig);
  $('config-file').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 1_000_000) return editor.fail(`${file.name} is larger than 1 MB; a config.json is a few KB`);
    text.value = await file.text();
    if (!name.value.trim()) name.value = file.name.replace(/\.json$/i, '');
    useConfig();
  });
  return editor;
}

// Each figure's input, its label and the datasheet path the core names in its errors.
const GPU_FIELDS = [['cg-tflops', 'Dense FP16 TFLOPS', 'gpu.compute.fp16_tensor_core'], ['cg-hbm', 'HBM bandwidth', 'gpu.memory.bandwidth_tb_s'], ['cg-link', 'GPU link', 'gpu.interconnect']];

function createGpuEditor(shared) {
  const { state, store } = shared;
  const editor = createEditor({ ...shared, kind: 'gpu', prefix: 'cg', noun: 'GPU', fill: shared.scenario.fillGpus });
  const figure = (id) => fieldValue($(id).value, 'real');

  // The editor shows the selected custom GPU, so it can be adjusted and used again.
  function showSelected() {
    editor.showSelected();
    const cg = editor.selected();
    if (!cg) return;
    const ds = cg.datasheet;
    const kind = Object.keys(ds.interconnect ?? {})[0] ?? 'nvlink_bandwidth_gb_s';
    $('cg-name').value = cg.name;
    $('cg-tflops').value = ds.compute.fp16_tensor_core;
    $('cg-hbm').value = ds.memory.bandwidth_tb_s;
    $('cg-link').value = ds.interconnect?.[kind] ?? '';
    $('cg-link-kind').value = kind;
  }

  editor.use.addEventListener('click', () => {
    editor.clearError();
    for (const [id, label] of GPU_FIELDS.slice(0, 2)) if (figure(id) === undefined) return editor.fail(`${label} is empty`, $(id));
    const name = $('cg-name').value.trim() || 'Custom GPU';
    const ds = {
      name, source: 'entered in stepcalc',
      compute: { fp16_tensor_core: figure('cg-tflops'), with_sparsity: false },
      memory: { bandwidth_tb_s: figure('cg-hbm') },
    };
    if (figure('cg-link') !== undefined) ds.interconnect = { [$('cg-link-kind').value]: figure('cg-link') };
    const check = compute({ model: DEFAULTS.model, gpu: ds, tp: 1, step: {} });
    if (!check.ok) {
      const hit = GPU_FIELDS.find(([, , where]) => check.where.startsWith(where));
      const input = hit && $(hit[0]);
      return editor.fail(`${hit ? hit[1] : check.where}: ${check.what}${typedHint(input, check.what)}`, input);
    }
    // Using the selected custom GPU again under the same name updates it in place.
    const key = editor.selected()?.name === name ? state.gpu.slice(7) : newKey(store.gpus, name);
    editor.keep(key, { name, datasheet: ds });
  });
  return { showSelected };
}

// shared: { state, store, scenario (its fillModels, fillGpus), onSelect }.
export function createCustomEditors(shared) {
  const model = createModelEditor(shared), gpu = createGpuEditor(shared);
  return {
    // After the model or GPU selection changed: Delete buttons, and the GPU form.
    showSelected() {
      model.showSelected();
      gpu.showSelected();
    },
  };
}
