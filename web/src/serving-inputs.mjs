// The Serving view's input fields on the page: their markup, their text as typed, and their
// errors beside them: those read from the text (serving-form.mjs), and the core's from the
// last run, each kept until its field is edited. The fields' rules are serving-form.mjs's.
import { SERVING_FIELDS, SERVING_DEFAULTS, readServing, fieldAt } from './serving-form.mjs';
import { createFieldErrors, errorText, fieldNames } from './messages.mjs';

/** @typedef {import('./state.mjs').FieldError} FieldError */
/** @typedef {import('./serving-form.mjs').ServingValues} ServingValues */
/** @typedef {import('./serving-form.mjs').ServingKey} ServingKey */
/** @typedef {import('./serving-form.mjs').ServingField} ServingField */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// Each field with its error line, which its input names in aria-describedby.
export const FIELDS_HTML = SERVING_FIELDS.map(({ key, label, where, kind }) => `<div class="field"><label for="serving-${key}">${label}</label>` +
  `<input id="serving-${key}" type="text" inputmode="${kind === 'count' ? 'numeric' : 'decimal'}" autocomplete="off" data-number="${kind}" data-where="${where}" aria-describedby="serving-${key}-error">` +
  `<p id="serving-${key}-error" class="error" hidden></p></div>`).join('');

// Once FIELDS_HTML is on the page: the fields, holding the defaults.
/** @param {Readonly<import('./wasm/stepcalc.mjs').Limits>} limits */
export function createServingInputs(limits) {
  const inputs = /** @type {Record<ServingKey, HTMLInputElement>} */ (Object.fromEntries(SERVING_FIELDS.map((f) => [f.key, $(`serving-${f.key}`)])));
  const inputAt = (/** @type {string} */ where) => { const key = fieldAt(where); return key ? inputs[key] : null; };
  const fieldErrors = createFieldErrors(inputAt);
  /** @type {ServingValues} the inputs' text, as typed */
  let values = { ...SERVING_DEFAULTS };
  /** @type {FieldError[]} core errors on the inputs from the last run, until they are edited */
  let coreErrors = [];
  const write = () => { for (const field of SERVING_FIELDS) inputs[field.key].value = values[field.key]; };
  write();

  return {
    values: () => values,
    // The fields' text -> the workload, the scheduler and the fields in error.
    read: () => readServing(values, limits),
    /** @param {ServingValues} text put into the fields */
    set(text) {
      values = { ...text };
      write();
    },
    // An input event's field, its text taken (and its core error dropped); null for none of ours.
    /** @param {EventTarget | null} target @returns {ServingField | null} */
    edited(target) {
      const field = SERVING_FIELDS.find((f) => inputs[f.key] === target);
      if (!field) return null;
      values = { ...values, [field.key]: inputs[field.key].value };
      coreErrors = coreErrors.filter((c) => c.where !== field.where);
      return field;
    },
    // Shows errors beside their fields, with the core's that they do not replace.
    /** @param {FieldError[]} errors */
    showErrors(errors) {
      fieldErrors.show([...errors, ...coreErrors.filter((e) => !errors.some((o) => o.where === e.where))]);
    },
    // A run's error on a field (the core's place and words): kept beside it until it is
    // edited or the next run; its text as the page says it, or null for no field of ours.
    /** @param {FieldError} error @returns {string | null} */
    coreError(error) {
      const input = inputAt(error.where);
      if (!input) return null;
      coreErrors = [error];
      return errorText(error, input);
    },
    clearCoreErrors() { coreErrors = []; },
    /** @param {FieldError[]} errors @returns {string} the fields as the page names them */
    names: (errors) => fieldNames(errors, inputAt),
    /** @param {FieldError[]} errors as the page's refusals list them */
    refusals: (errors) => errors.map((e) => ({ text: errorText(e, inputAt(e.where)) })),
  };
}
