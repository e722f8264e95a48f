// What the page tells the user: dismissable notices above the calculator, the report of an
// internal error (a bug, said to be one), and inline errors beside the fields at fault.
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string} text
 * @param {string} [className]
 */
export function notice(text, className = 'notice') {
  const p = document.createElement('p');
  p.className = className;
  p.append(text, ' ');
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => p.remove());
  p.append(dismiss);
  $('notices').append(p);
}

// An internal error is not the user's input: it is reported once per message, as a bug.
const reported = new Set();
/** @param {string} message */
export function reportBug(message) {
  if (reported.has(message)) return;
  reported.add(message);
  notice(`The calculator hit an internal error; this is a bug in stepcalc, not a problem with your input. Please report it with this message: ${message}`, 'notice bug');
}

// "Decode group 1, Context length": the row's title and the field's own label.
/** @param {HTMLElement} input */
function fieldLabel(input) {
  const row = input.closest('.row');
  const label = input.closest('label')?.querySelector('span')?.textContent ?? document.querySelector(`label[for="${input.id}"]`)?.textContent;
  return [row?.querySelector('.row-title')?.textContent, label].filter(Boolean).join(', ');
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

// The text of one error, as shown beside its field (and quoted where a field is refused).
/**
 * @param {import('./state.mjs').FieldError} error
 * @param {HTMLElement | null} input
 */
export function errorText(error, input) {
  return input ? `${fieldLabel(input)}: ${error.what} (${error.where})` : `${error.where}: ${error.what}`;
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
