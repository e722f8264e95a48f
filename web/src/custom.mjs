// Custom models (a pasted or uploaded config.json) and custom GPUs (a small datasheet form).
// Each is checked by the core's own check for it (checkModel, checkGpu) before it is kept;
// the page then dispatches it into the state, and main.mjs writes the store.
import { checkModel, checkGpu } from './calc.mjs';
import { customItem } from './state.mjs';
import { newKey } from './storage.mjs';
import { readField } from './fields.mjs';
import { reportBug } from './messages.mjs';

const $ = (id) => document.getElementById(id);
// The same cap for a pasted and an uploaded config.json.
const MAX_CONFIG_BYTES = 1_000_000;

function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

// What the two editors share. kind: 'model' or 'gpu' (the state field it selects);
// prefix: of the generated ids (`${prefix}-error`, -use, -delete). Both editors get the
// same error line and Use/Delete buttons, appended to their <details>.
function createEditor({ kind, prefix, noun, dispatch }) {
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

  let state = null; // the state last rendered
  let marked = [];
  remove.addEventListener('click', () => {
    if (customItem(state.custom[list], state[kind])) dispatch({ type: 'custom-deleted', list, key: state[kind].slice(7) });
  });

  return {
    use,
    list,
    state: () => state,
    clearError() {
      error.hidden = true;
      for (const input of marked) input.removeAttribute('aria-invalid');
      marked = [];
    },
    // Shows why the item was refused, marking the inputs at fault.
    fail(text, inputs = []) {
      error.textContent = `${text}. The ${noun} in use is unchanged.`;
      error.hidden = false;
      marked = inputs;
      for (const input of inputs) input.setAttribute('aria-invalid', 'true');
    },
    // A check that failed: the core's input error, or a bug reported as one.
    failCheck(out, label, input) {
      if (!out.input) {
        reportBug(out.message);
        return this.fail(`The ${noun} could not be checked because of an internal error`);
      }
      this.fail(`${label ?? out.where}: ${out.what}`, input ? [input] : []);
    },
    render(s) {
      state = s;
      remove.hidden = !customItem(s.custom[list], s[kind]);
    },
  };
}

function createModelEditor(dispatch) {
  const editor = createEditor({ kind: 'model', prefix: 'config', noun: 'model', dispatch });
  const text = $('config-text'), name = $('config-name');

  function useConfig(source) {
    editor.clearError();
    const bytes = new Blob([text.value]).size;
    if (bytes > MAX_CONFIG_BYTES) {
      return editor.fail(`The ${source} config.json is ${(bytes / 1e6).toFixed(1)} MB; the limit is 1 MB (a config.json is a few KB)`, [text]);
    }
    let cfg;
    try {
      cfg = JSON.parse(text.value);
    } catch (e) {
      return editor.fail(`config.json is not valid JSON: ${e.message}`, [text]);
    }
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) return editor.fail('config.json must be a JSON object', [text]);
    const check = checkModel(cfg);
    if (!check.ok) return editor.failCheck(check, null, text);
    const label = (name.value.trim() || String(cfg._name_or_path ?? cfg.model_type ?? 'custom model')).slice(0, 80);
    const key = newKey(editor.state().custom.models, label);
    dispatch({ type: 'custom-saved', list: 'models', key, item: { name: label, config: cfg } });
  }

  editor.use.addEventListener('click', () => useConfig('pasted'));
  $('config-file').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    editor.clearError();
    if (file.size > MAX_CONFIG_BYTES) return editor.fail(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is 1 MB (a config.json is a few KB)`);
    text.value = await file.text();
    if (!name.value.trim()) name.value = file.name.replace(/\.json$/i, '');
    useConfig('uploaded');
  });
  return editor;
}

// Each figure's state field, input, label and the datasheet path the core names in its errors.
const GPU_FIELDS = [
  ['tflops', 'cg-tflops', 'Dense FP16 TFLOPS', 'gpu.compute.fp16_tensor_core'],
  ['hbm', 'cg-hbm', 'HBM bandwidth', 'gpu.memory.bandwidth_tb_s'],
  ['mem', 'cg-mem', 'Memory', 'gpu.memory.capacity_gb'],
  ['link', 'cg-link', 'GPU link', 'gpu.interconnect'],
];

// The form's fields live in the state (state.gpuDraft), so what is typed there survives any
// other change until it is used or another GPU is chosen.
function createGpuEditor(dispatch) {
  const editor = createEditor({ kind: 'gpu', prefix: 'cg', noun: 'GPU', dispatch });
  const inputs = { name: $('cg-name'), linkKind: $('cg-link-kind') };
  for (const [field, id] of GPU_FIELDS) inputs[field] = $(id);
  for (const [field, input] of Object.entries(inputs)) {
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => dispatch({ type: 'gpu-draft', field, value: input.value }));
  }

  editor.use.addEventListener('click', () => {
    editor.clearError();
    const draft = editor.state().gpuDraft;
    // The link and the memory are optional; the others must be numbers. Every bad field is named.
    const bad = [], values = {};
    for (const [field, id, label] of GPU_FIELDS) {
      if ((field === 'link' || field === 'mem') && (draft[field] ?? '').trim() === '') continue;
      const read = readField(draft[field], 'real');
      if (read.error) bad.push([label, read.error, $(id)]);
      else values[field] = read.value;
    }
    if (bad.length) return editor.fail(bad.map(([label, why]) => `${label}: ${why}`).join('; '), bad.map((b) => b[2]));
    const name = draft.name.trim() || 'Custom GPU';
    const ds = {
      name, source: 'entered in stepcalc',
      compute: { fp16_tensor_core: values.tflops, with_sparsity: false },
      memory: { bandwidth_tb_s: values.hbm },
    };
    if (values.mem !== undefined) ds.memory.capacity_gb = values.mem;
    if (values.link !== undefined) ds.interconnect = { [draft.linkKind]: values.link };
    const check = checkGpu(ds);
    if (!check.ok) {
      const hit = check.input && GPU_FIELDS.find(([, , , where]) => check.where.startsWith(where));
      return editor.failCheck(check, hit?.[2], hit && $(hit[1]));
    }
    // Using the selected custom GPU again under the same name updates it in place.
    const s = editor.state();
    const key = customItem(s.custom.gpus, s.gpu)?.name === name ? s.gpu.slice(7) : newKey(s.custom.gpus, name);
    dispatch({ type: 'custom-saved', list: 'gpus', key, item: { name, datasheet: ds } });
  });

  return {
    render(s) {
      editor.render(s);
      for (const [field, input] of Object.entries(inputs)) setValue(input, s.gpuDraft[field]);
    },
  };
}

export function createCustomEditors(dispatch) {
  const model = createModelEditor(dispatch), gpu = createGpuEditor(dispatch);
  return {
    render(state) {
      model.render(state);
      gpu.render(state);
    },
  };
}
