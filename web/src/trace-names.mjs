// The calculator's model, GPU and coefficients as the Trace view names them: a custom
// model or GPU by the name the user gave it, as the Compare table names it.
import { customItem } from './state.mjs';

/** @typedef {import('./state.mjs').State} State */

export const coefficientsName = (/** @type {State} */ state) => (state.coef === 'custom' ? 'custom β' : state.coef);
export const modelName = (/** @type {State} */ state) => customItem(state.custom.models, state.model)?.name ?? state.model;
export const gpuName = (/** @type {State} */ state) => customItem(state.custom.gpus, state.gpu)?.name ?? state.gpu;
