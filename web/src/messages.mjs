// What the page tells the user: dismissable notices above the calculator, the report of an
// internal error (a bug, said to be one), and inline errors beside the fields at fault.
import { exact, groupDigits } from './format.mjs';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The core's names for the batch fields its messages mention, as the page labels them.
/** @type {Record<string, string>} */
const CORE_FIELD_NAMES = { prompt_tokens: 'prompt tokens', tokens_this_step: 'tokens this step', context_length: 'context length' };

// A core message in the page's words: its field names as the page's labels, its numbers in
// the page's format ("4,096", "1e7", "1e9" for "4096", "10000000", "1e+09"), every digit
// kept where the short form would be another number ("100,000,001"). Digits that are part
// of a name, a decimal, an exponent or quoted input (“12345”) are left alone.
/** @param {string} text */
export function pageWords(text) {
  return text
    .replace(/\b(prompt_tokens|tokens_this_step|context_length)\b/g, (name) => CORE_FIELD_NAMES[name])
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)e\+(\d+)(?![\w.])/g, (_, mantissa, exponent) => `${mantissa}e${Number(exponent)}`)
    .replace(/(?<![\w.,+“-])-?\d{4,}(?!\w|[.,]\d)/g, (digits) => (Number.isSafeInteger(Number(digits)) ? exact(Number(digits)) : groupDigits(digits)));
}

/**
 * @param {string} text
 * @param {string} [className]
 * @param {HTMLElement} [into] where it is shown: the page's notices, or a view's own
 */
export function notice(text, className = 'notice', into = $('notices')) {
  const p = document.createElement('p');
  p.className = className;
  p.append(text, ' ');
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => p.remove());
  p.append(dismiss);
  into.append(p);
}

// An internal error is not the user's input: it is reported once per message, as a bug.
const reported = new Set();
/** @param {string} message */
export function reportBug(message) {
  if (reported.has(message)) return;
  reported.add(message);
  notice(`The calculator hit an internal error; this is a bug in stepcalc, not a problem with your input. Please report it with this message: ${message}`, 'notice bug');
}

// "Decode group 1, Context length": the row's title and the field's own label, without a
// range in parentheses at its end (the error says it), so the stale line and the error
// name a field alike ("GPU memory utilization").
/** @param {HTMLElement} input */
function fieldLabel(input) {
  const row = input.closest('.row');
  const label = input.closest('label')?.querySelector('span')?.textContent ?? document.querySelector(`label[for="${input.id}"]`)?.textContent;
  return [row?.querySelector('.row-title')?.textContent, label].filter(Boolean).join(', ').replace(/ \([^)]* to [^)]*\)$/, '');
}

// Error lines for request paths no input carries, by the path's first part.
/** @param {string} where */
function sectionError(where) {
  if (where.startsWith('model')) return $('model-error');
  if (where.startsWith('gpu')) return $('gpu-error');
  if (where.startsWith('coefficients')) return $('coef-error');
  if (where === 'tp') return $('tp-error');
  return $('step-error');
}

// The input that shows an error whose path no input carries (a core error on the model,
// the GPU or the coefficients; a batch-wide one): the control of that section.
/** @param {string} where */
function sectionInput(where) {
  if (where.startsWith('model')) return $('model');
  if (where.startsWith('gpu')) return $('gpu');
  if (where.startsWith('coefficients')) return $('coef');
  if (where === 'tp') return $('tp');
  return $('add-prefill');
}

// The control to take the focus to for an error: its input, or else its section's control.
/**
 * @param {string} where
 * @param {(where: string) => HTMLElement | null} find
 */
const controlFor = (where, find) => find(where) ?? sectionInput(where);

// Each field in error as the page names it: "Decode group 2, Count", or where no input
// carries the path, its section's control and the path ("GPU (gpu.memory.capacity_gb)").
/**
 * @param {import('./state.mjs').FieldError[]} errors
 * @param {(where: string) => HTMLElement | null} find
 */
function namedFields(errors, find) {
  return errors.map((e) => {
    const input = find(e.where);
    if (input) return { where: e.where, name: fieldLabel(input) };
    const label = document.querySelector(`label[for="${sectionInput(e.where).id}"]`)?.textContent ?? 'Batch of this step';
    return { where: e.where, name: `${label} (${e.where})` };
  });
}

// "Decode group 2, Count", "A and B", "A, B, C and 2 more".
/**
 * @param {import('./state.mjs').FieldError[]} errors
 * @param {(where: string) => HTMLElement | null} find
 */
export function fieldNames(errors, find) {
  const names = namedFields(errors.slice(0, 3), find).map((f) => f.name);
  if (errors.length > 3) return `${names.join(', ')} and ${errors.length - 3} more`;
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}

// The stale line over the last good result: it names each field to fix, as a button that
// takes the focus there, because the field is not always above it (the 2-column layout has
// it beside, the embedded view below).
/**
 * @param {HTMLElement} line
 * @param {import('./state.mjs').FieldError[]} errors
 * @param {(where: string) => HTMLElement | null} find
 * @param {boolean} hasResult whether a last good result is on screen
 */
export function showStale(line, errors, find, hasResult) {
  const targets = namedFields(errors.slice(0, 3), find);
  const key = JSON.stringify([hasResult, errors.length, targets]);
  if (line.dataset.key === key) return;
  line.dataset.key = key;
  if (!errors.length) { // not the input: an internal error, reported as a bug
    line.textContent = `${hasResult ? 'Showing the last good result' : 'No result'}: the calculator hit an internal error (reported above).`;
    return;
  }
  const head = hasResult ? 'Showing the last good result; to update it, fix ' : 'No result yet; to compute one, fix ';
  line.replaceChildren(head);
  targets.forEach(({ where, name }, i) => {
    if (i > 0) line.append(i === targets.length - 1 && errors.length <= 3 ? ' and ' : ', ');
    const go = document.createElement('button');
    go.type = 'button';
    go.className = 'link';
    go.textContent = name;
    // Found when clicked: rows are renumbered, so an input may have moved or gone since.
    go.addEventListener('click', () => {
      const input = controlFor(where, find);
      input.scrollIntoView({ block: 'center' });
      input.focus();
    });
    line.append(go);
  });
  if (errors.length > 3) line.append(` and ${errors.length - 3} more`);
  line.append(' (marked in red).');
}

// The text of one error, as shown beside its field (and quoted where a field is refused).
/**
 * @param {import('./state.mjs').FieldError} error
 * @param {HTMLElement | null} input
 */
export function errorText(error, input) {
  // The label says where (the request path would repeat it in the core's terms).
  return input ? `${fieldLabel(input)}: ${pageWords(error.what)}` : `${error.where}: ${pageWords(error.what)}`;
}

// Why nothing was made from the scenario on screen (a link, a pin): `done` is what was not
// made ("The link was not made"); errors: from main's current(), each { text } or a bug.
/** @typedef {{ text: string, bug?: boolean }} ErrorLine one invalid field, or the internal error (bug) */
/**
 * @param {string} done
 * @param {ErrorLine[]} errors
 */
export function refusal(done, errors) {
  if (errors.some((e) => e.bug)) return `${done}: the calculator hit an internal error (reported above).`;
  const texts = errors.map((e) => e.text);
  return `${done}: ${errors.length === 1 ? 'a field is' : `${errors.length} fields are`} not valid. ` +
    `Fix ${texts.slice(0, 3).join('; ')}${texts.length > 3 ? `; and ${texts.length - 3} more` : ''}.`;
}

// Errors are named by request path ("step.decode[0].count"); find(where) returns the input
// for a path (it carries an aria-describedby pointing at its error line), or null.
/** @param {(where: string) => HTMLElement | null} find */
export function createFieldErrors(find) {
  /** @typedef {Map<HTMLElement, { texts: string[], inputs: HTMLElement[] }>} Lines */
  /** @type {Lines} */
  let shown = new Map(); // error line -> inputs marked for it
  return {
    // Shows every error, each beside its own field; lines and marks of fixed fields go.
    /** @param {import('./state.mjs').FieldError[]} errors */
    show(errors) {
      /** @type {Lines} */
      const lines = new Map();
      for (const error of errors) {
        const input = find(error.where);
        // Every input find() returns names its error line in aria-describedby.
        const p = input ? $(/** @type {string} */ (input.getAttribute('aria-describedby'))) : sectionError(error.where);
        let line = lines.get(p);
        if (!line) lines.set(p, (line = { texts: [], inputs: [] }));
        line.texts.push(errorText(error, input));
        if (input) line.inputs.push(input);
      }
      for (const [p, { inputs }] of shown) {
        for (const input of inputs) input.removeAttribute('aria-invalid');
        if (!lines.has(p)) {
          p.hidden = true;
          p.textContent = '';
        }
      }
      for (const [p, { texts, inputs }] of lines) {
        const text = texts.join(' ');
        if (p.textContent !== text) p.textContent = text;
        p.hidden = false;
        for (const input of inputs) input.setAttribute('aria-invalid', 'true');
      }
      shown = lines;
    },
  };
}
