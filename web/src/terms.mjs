// The six roofline terms in the order the page lists them, with their names.

/** @typedef {import('./wasm/stepcalc.mjs').BasisTerm} BasisTerm */

/** @type {[BasisTerm, string][]} */
export const TERMS = [
  ['t_pf_compute', 'Prefill compute'],
  ['t_pf_kv', 'Prefill KV write'],
  ['t_dc_compute', 'Decode compute'],
  ['t_dc_kv', 'Decode KV read'],
  ['t_weight', 'Weight read'],
  ['t_tp', 'TP all-reduce'],
];
