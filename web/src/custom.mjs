// Custom models (a pasted or uploaded config.json) and custom GPUs (a small datasheet form).
// Each is checked by the core's own check for it (checkModel, checkGpu) before it is kept;
// the page then dispatches it into the state, and main.mjs writes the store.
import { checkModel, checkGpu } from './calc.mjs';
import { customItem } from './state.mjs';
import { newKey } from './storage.mjs';
import { readField } from './fields.mjs';
import { reportBug, pageWords } from './messages.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').Dispatch} Dispatch */
/** @typedef {import('./state.mjs').GpuDraft} GpuDraft */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
// The same cap for a pasted and an uploaded config.json.
const MAX_CONFIG_BYTES = 1_000_000;

/**
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {string} value
 */
function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

// What the two editors share. kind: 'model' or 'gpu' (the state field it selects);
// prefix: of the generated ids (`${prefix}-error`, -use, -delete). Both editors get the
// same error line and Use/Delete buttons, appended to their <details>.
/**
 * @param {{ kind: 'model' | 'gpu', prefix: string, noun: string, dispatch: Dispatch }} options
 */
function createEditor({ kind, prefix, noun, dispatch }) {
  const list = /** @type {import('./state.mjs').CustomList} */ (`${kind}s`);
  const details = $(`custom-${kind}`);
  const error = Object.assign(document.createElement('p'), { id: `${prefix}-error`, className: 'error', hidden: true });
  error.setAttribute('role', 'alert');
  /**
   * @param {string} act
   * @param {string} text
   */
  const button = (act, text) => Object.assign(document.createElement('button'), { id: `${prefix}-${act}`, type: 'button', textContent: text });
  const use = button('use', `Check and use this ${noun}`);
  const remove = button('delete', `Delete selected custom ${noun}`);
  const buttons = Object.assign(document.createElement('div'), { className: 'row-buttons' });
  buttons.append(use, remove);
  details.append(error, buttons);

  /** @type {State} the state last rendered (render() runs before any button can be pressed) */
  let state;
  /** @type {HTMLElement[]} */
  let marked = [];
  remove.addEventListener('click', () => {
    if (customItem(/** @type {Record<string, unknown>} */ (state.custom[list]), state[kind])) dispatch({ type: 'custom-deleted', list, key: state[kind].slice(7) });
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
    /**
     * @param {string} text
     * @param {HTMLElement[]} [inputs]
     */
    fail(text, inputs = []) {
      error.textContent = `${text}. The ${noun} in use is unchanged.`;
      error.hidden = false;
      marked = inputs;
      for (const input of inputs) input.setAttribute('aria-invalid', 'true');
    },
    // A check that failed: the core's input error, or a bug reported as one.
    /**
     * @param {import('./calc.mjs').Failure} out
     * @param {string | null | undefined} label how the page names the field, or null for the core's path
     * @param {HTMLElement | null | undefined | false} input the input at fault, if the page has one
     */
    failCheck(out, label, input) {
      if (!out.input) {
        reportBug(out.message);
        return this.fail(`The ${noun} could not be checked because of an internal error`);
      }
      // A config's field by its key in the config.json, not the request path.
      const where = label ?? (out.where.startsWith('model.') ? `config.json's ${out.where.slice(6)}` : out.where);
      this.fail(`${where}: ${pageWords(out.what)}`, input ? [input] : []);
    },
    /** @param {State} s */
    render(s) {
      state = s;
      remove.hidden = !customItem(/** @type {Record<string, unknown>} */ (s.custom[list]), s[kind]);
    },
  };
}

/** @param {Dispatch} dispatch */
function createModelEditor(dispatch) {
  const editor = createEditor({ kind: 'model', prefix: 'config', noun: 'model', dispatch });
  const text = /** @type {HTMLTextAreaElement} */ ($('config-text')), name = /** @type {HTMLInputElement} */ ($('config-name'));

  /** @param {string} source 'pasted' or 'uploaded' */
  function useConfig(source) {
    editor.clearError();
    const bytes = new Blob([text.value]).size;
    if (bytes > MAX_CONFIG_BYTES) {
      return editor.fail(`The ${source} config.json is ${(bytes / 1e6).toFixed(1)} MB; the limit is 1 MB (a config.json is a few KB)`, [text]);
    }
    if (text.value.trim() === '') return editor.fail('The config.json box is empty: paste a config.json or choose the file', [text]);
    let cfg;
    try {
      cfg = JSON.parse(text.value);
    } catch (e) {
      return editor.fail(`config.json is not valid JSON: ${/** @type {SyntaxError} */ (e).message}`, [text]);
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
    const file = /** @type {HTMLInputElement} */ (e.target).files?.[0];
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
/** @type {[field: 'tflops' | 'hbm' | 'mem' | 'link', id: string, label: string, where: string][]} */
const GPU_FIELDS = [
  ['tflops', 'cg-tflops', 'Dense FP16 TFLOPS', 'gpu.compute.fp16_tensor_core'],
  ['hbm', 'cg-hbm', 'HBM bandwidth', 'gpu.memory.bandwidth_tb_s'],
  ['mem', 'cg-mem', 'Memory', 'gpu.memory.capacity_gb'],
  ['link', 'cg-link', 'GPU link', 'gpu.interconnect'],
];

// How the page names a datasheet path the core's check names (the editor's label for its
// field: "HBM bandwidth"), or undefined for a path no field of the form holds.
/** @param {string} where */
export const gpuFieldLabel = (where) => GPU_FIELDS.find(([, , , path]) => where.startsWith(path))?.[2];

// The form's fields live in the state (state.gpuDraft), so what is typed there survives any
// other change until it is used or another GPU is chosen.
/** @param {Dispatch} dispatch */
function createGpuEditor(dispatch) {
  const editor = createEditor({ kind: 'gpu', prefix: 'cg', noun: 'GPU', dispatch });
  /** @typedef {Record<keyof GpuDraft, HTMLInputElement | HTMLSelectElement>} DraftInputs */
  const inputs = /** @type {DraftInputs} */ ({ name: $('cg-name'), linkKind: $('cg-link-kind') }); // the figures are added next
  for (const [field, id] of GPU_FIELDS) inputs[field] = /** @type {HTMLInputElement} */ ($(id));
  const entries = /** @type {[keyof GpuDraft, HTMLInputElement | HTMLSelectElement][]} */ (Object.entries(inputs));
  for (const [field, input] of entries) {
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => dispatch({ type: 'gpu-draft', field, value: input.value }));
  }

  editor.use.addEventListener('click', () => {
    editor.clearError();
    const draft = editor.state().gpuDraft;
    // The link and the memory are optional; the others must be numbers. Every bad field is named.
    /** @type {[string, string, HTMLElement][]} label, what is wrong, the input */
    const bad = [];
    /** @type {Partial<Record<'tflops' | 'hbm' | 'mem' | 'link', number>>} */
    const values = {};
    for (const [field, id, label] of GPU_FIELDS) {
      if ((field === 'link' || field === 'mem') && (draft[field] ?? '').trim() === '') continue;
      const read = readField(draft[field], 'real');
      if (read.error) bad.push([label, read.error, $(id)]);
      else values[field] = read.value;
    }
    if (bad.length) return editor.fail(bad.map(([label, why]) => `${label}: ${why}`).join('; '), bad.map((b) => b[2]));
    const name = draft.name.trim() || 'Custom GPU';
    // With no bad field, tflops and hbm were read as numbers.
    /** @type {import('./wasm/stepcalc.mjs').Datasheet} */
    const ds = {
      name, source: 'entered in stepcalc',
      compute: { fp16_tensor_core: /** @type {number} */ (values.tflops), with_sparsity: false },
      memory: { bandwidth_tb_s: /** @type {number} */ (values.hbm) },
    };
    if (values.mem !== undefined) ds.memory.capacity_gb = values.mem;
    if (values.link !== undefined) ds.interconnect = { [draft.linkKind]: values.link };
    const check = checkGpu(ds);
    if (!check.ok) {
      const hit = check.input ? GPU_FIELDS.find(([, , , where]) => check.where.startsWith(where)) : undefined;
      return editor.failCheck(check, hit?.[2], hit && $(hit[1]));
    }
    // Using the selected custom GPU again under the same name updates it in place.
    const s = editor.state();
    const key = customItem(s.custom.gpus, s.gpu)?.name === name ? s.gpu.slice(7) : newKey(s.custom.gpus, name);
    dispatch({ type: 'custom-saved', list: 'gpus', key, item: { name, datasheet: ds } });
  });

  return {
    /** @param {State} s */
    render(s) {
      editor.render(s);
      for (const [field, input] of entries) setValue(input, s.gpuDraft[field]);
    },
  };
}

/** @param {Dispatch} dispatch */
export function createCustomEditors(dispatch) {
  const model = createModelEditor(dispatch), gpu = createGpuEditor(dispatch);
  return {
    /** @param {State} state */
    render(state) {
      model.render(state);
      gpu.render(state);
    },
  };
}
