// What the page asks the core, memoized: the request the state makes (with its field
// errors) and the core's answer, each pin's answer, and what the core says of a custom
// model or GPU. Views read these; nothing here touches the page.
import { compute } from './calc.mjs';
import { buildRequest, SCENARIO_KEYS } from './state.mjs';

/** @typedef {import('./state.mjs').State} State */
/** @typedef {import('./state.mjs').Scenario} Scenario */
/** @typedef {import('./state.mjs').PageRequest} PageRequest */
/** @typedef {import('./wasm/stepcalc.mjs').StepResponse} StepResponse */
/** @typedef {import('./compare.mjs').PinOutcome} PinOutcome */
/**
 * @template T
 * @typedef {import('./calc.mjs').Outcome<T>} Outcome
 */

// A one-entry cache keyed by the identity of the parts of the state a value depends on.
/**
 * @template S, V
 * @param {(keyof S)[]} keys
 * @param {(state: S) => V} make
 * @returns {(state: S) => V}
 */
export function memoByParts(keys, make) {
  /** @type {unknown[] | null} */
  let parts = null;
  /** @type {V} */
  let value;
  return (state) => {
    if (parts && keys.every((k, i) => /** @type {unknown[]} */ (parts)[i] === state[k])) return value;
    parts = keys.map((k) => state[k]);
    value = make(state);
    return value;
  };
}

// The request for a scenario, its field errors and the core's answer (when it can be asked).
// Without field errors every number was read, so the draft is the whole request; with
// errors, request is not sent and out is null.
/**
 * @param {Scenario & { custom: import('./state.mjs').Custom }} scenario
 * @param {Readonly<import('./wasm/stepcalc.mjs').Limits>} limits
 * @returns {{ request: PageRequest, errors: import('./state.mjs').FieldError[], out: Outcome<StepResponse> | null }}
 */
export function evaluate(scenario, limits) {
  const built = buildRequest(scenario, limits);
  const request = /** @type {PageRequest} */ (/** @type {unknown} */ (built.request)), errors = built.errors;
  return { request, errors, out: errors.length ? null : compute(request) };
}

/** @param {Readonly<import('./wasm/stepcalc.mjs').Limits>} limits */
export function createEvaluations(limits) {
  const evaluation = memoByParts([...SCENARIO_KEYS, 'custom'], (/** @type {State} */ s) => evaluate(s, limits));

  // Each pin's result, kept while the pin and the custom items it may use are unchanged.
  /** @type {WeakMap<Scenario, { custom: import('./state.mjs').Custom, out: PinOutcome }>} */
  const pinCache = new WeakMap();
  // A pin's outcome; a pin with a field error gets that error, without the core's message.
  /** @param {Scenario} pin @param {import('./state.mjs').Custom} custom @returns {PinOutcome} */
  const pinOutcome = (pin, custom) => {
    const hit = pinCache.get(pin);
    if (hit?.custom === custom) return hit.out;
    const { errors, out } = evaluate({ ...pin, custom }, limits);
    /** @type {PinOutcome} */
    const result = out ?? { ok: false, input: true, ...errors[0] };
    pinCache.set(pin, { custom, out: result });
    return result;
  };
  const pinOutcomes = memoByParts(['pins', 'custom'], (/** @type {State} */ s) => s.pins.map((pin) => pinOutcome(pin, s.custom)));

  // What the core says of the selected custom model and GPU (their arch and hardware lines).
  /** @type {WeakMap<object, Outcome<unknown>>} */
  const checks = new WeakMap();
  /**
   * @template {object} I
   * @template {keyof I} K
   * @template V
   * @param {I | undefined} item
   * @param {K} field
   * @param {(value: I[K]) => Outcome<V>} check
   * @returns {V | undefined}
   */
  const checked = (item, field, check) => {
    if (!item) return undefined;
    if (!checks.has(item)) checks.set(item, check(item[field]));
    const out = /** @type {Outcome<V>} */ (checks.get(item)); // made by this check for this item
    return out.ok ? out.value : undefined;
  };

  return { evaluation, pinOutcomes, checked };
}
