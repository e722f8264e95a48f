// What the page tells the user: dismissable notices above the calculator, and inline
// errors beside the field the core named.
import { typedHint } from './fields.mjs';

const $ = (id) => document.getElementById(id);

export function notice(text) {
  const p = document.createElement('p');
  p.className = 'notice';
  p.append(text, ' ');
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => p.remove());
  p.append(dismiss);
  $('notices').append(p);
}

// "Decode group 1, Context length": the row's title and the field's own label.
function fieldLabel(input) {
  const row = input.closest('.row');
  const label = input.closest('label')?.querySelector('span')?.textContent ?? document.querySelector(`label[for="${input.id}"]`)?.textContent;
  return [row?.querySelector('.row-title')?.textContent, label].filter(Boolean).join(', ');
}

// Error lines for request paths no input carries, by the path's first part.
function sectionError(where) {
  if (where.startsWith('model')) return $('model-error');
  if (where.startsWith('gpu')) return $('gpu-error');
  if (where.startsWith('coefficients')) return $('coef-error');
  if (where === 'tp') return $('tp-error');
  return $('step-error');
}

// The core names a field by its request path ("step.decode[0].count"); the input for it
// carries that path in data-where and points at its error line with aria-describedby.
export function createFieldErrors() {
  let shown = [];
  return {
    clear() {
      for (const [input, p] of shown) {
        input?.removeAttribute('aria-invalid');
        p.hidden = true;
        p.textContent = '';
      }
      shown = [];
    },
    show(where, what) {
      const input = where ? document.querySelector(`[data-where="${CSS.escape(where)}"]`) : null;
      const p = input ? $(input.getAttribute('aria-describedby')) : sectionError(where);
      p.textContent = input
        ? `${fieldLabel(input)}: ${what}${typedHint(input, what)} (${where})`
        : `${where ? where + ': ' : ''}${what}`;
      p.hidden = false;
      input?.setAttribute('aria-invalid', 'true');
      shown.push([input, p]);
    },
  };
}
