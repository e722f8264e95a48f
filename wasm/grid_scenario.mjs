// calc.gridScenario(header): one model and β open in the core on many GPUs and TP degrees,
// for many batches (the page's live grid). Each GPU and TP is a Session (sessions.mjs);
// each batch's rows go into the heap once, and one call into the core
// (stepcalc_grid_compute) reads them once and evaluates them for every GPU and TP. A cell
// carries the figures of calc.grid's cells (the worker's module; `stepcalc grid`).

import { StepCalcError } from './errors.mjs';
import { requestText } from './request_json.mjs';

/** @typedef {import('./stepcalc.mjs').GridScenarioCell} GridScenarioCell */
/** @typedef {import('./stepcalc.mjs').GridScenarioHeader} GridScenarioHeader */

const FIGURES = 6; // numbers per cell, in wasm/scenario_binding.cpp's order
/** @param {number} value */
const orNull = (value) => (Number.isNaN(value) ? null : value);

/**
 * @param {import('./stepcalc_glue.mjs').Glue} glue
 * @param {ReturnType<typeof import('./sessions.mjs').createSessions>['Session']} Session
 * @param {ReturnType<typeof import('./row_packing.mjs').createRowPacker>} packer
 * @param {ReturnType<typeof import('./heap_pool.mjs').createHeapPool>} pool
 * @param {{ malloc(bytes: number): number, free(address: number): void }} heapFunctions
 */
export function createGridScenarioClass(glue, Session, { packStep }, { heap, release }, { malloc, free }) {
  return class GridScenario {
    /** @type {InstanceType<typeof Session>[]} the cells the core can run, in cell order */
    #open = [];
    /** @type {{ cell: Pick<GridScenarioCell, 'gpu' | 'gpu_index' | 'tp' | 'error'>, at: number }[]} at: index in #open, or -1 */
    #cells = [];
    #addresses = 0; // the open sessions' core addresses, as uint32
    #out = 0; // FIGURES doubles per open session
    #deleted = false;

    /** @param {GridScenarioHeader} header */
    constructor(header) {
      const { gpus, tps, ...rest } = header ?? {};
      for (const [name, list] of /** @type {const} */ ([['gpus', gpus], ['tps', tps]])) {
        if (!Array.isArray(list) || list.length === 0) throw new StepCalcError(name, 'expected a non-empty list');
      }
      try {
        gpus.forEach((gpu, gpuIndex) => {
          for (const tp of tps) {
            const session = new Session(requestText({ ...rest, gpu, tp }));
            const error = session.error;
            // The model, β or utilization is wrong for every cell: bad input, as calc.grid says.
            if (error && !/^(gpu|tp)\b/.test(error.where)) throw error;
            const cell = { gpu: typeof gpu === 'string' ? gpu : 'custom', gpu_index: gpuIndex, tp, error: error?.message ?? null };
            this.#cells.push({ cell, at: error ? -1 : this.#open.length });
            if (!error) this.#open.push(session);
          }
        });
      } catch (error) {
        this.delete();
        throw error;
      }
      this.#addresses = malloc(4 * Math.max(1, this.#open.length));
      this.#out = malloc(8 * FIGURES * Math.max(1, this.#open.length));
      new Uint32Array(glue.HEAPU8.buffer, this.#addresses, this.#open.length).set(this.#open.map((s) => s.address));
    }

    /** @param {import('./stepcalc.mjs').Step} step @returns {GridScenarioCell[]} */
    compute(step) {
      if (this.#deleted) throw new Error('stepcalc: this GridScenario was deleted');
      const rows = packStep(step);
      if (rows === null) throw new StepCalcError('step', 'expected prefill and decode lists of plain rows ({tokens_this_step, prompt_tokens, count}, {context_length, count}) with numbers');
      const status = this.#open.length === 0 ? 0 : glue._stepcalc_grid_compute(this.#addresses, this.#open.length,
        rows.address, rows.prefillRows, rows.address + 24 * rows.prefillRows, rows.decodeRows, this.#out);
      release(rows);
      if (status < 0) {
        const { where, what } = /** @type {import('./stepcalc_glue.mjs').CoreScenario} */ (this.#open[0].core).error();
        throw new StepCalcError(where, what);
      }
      const figures = heap(), first = this.#out / 8;
      return this.#cells.map(({ cell: { gpu, gpu_index, tp, error }, at }) => {
        const i = first + FIGURES * at, runs = at >= 0, fits = runs ? figures[i + 1] : NaN;
        // A literal of known shape: spreading `cell` here cost 25 µs a cell in V8.
        return {
          gpu, gpu_index, tp, error,
          step_time_us: runs ? figures[i] : null,
          fits: Number.isNaN(fits) ? null : fits === 1,
          headroom_bytes: runs ? orNull(figures[i + 2]) : null,
          max_decode_requests: runs ? orNull(figures[i + 3]) : null,
          tokens_per_s: runs ? orNull(figures[i + 4]) : null,
          tokens_per_s_per_gpu: runs ? orNull(figures[i + 5]) : null,
        };
      });
    }

    delete() {
      if (this.#deleted) return;
      this.#deleted = true;
      for (const session of this.#open) session.delete();
      free(this.#addresses);
      free(this.#out);
    }
  };
}
