// The page's module's open headers: a Session is one request header opened in the core
// (a Scenario there), which computes batches already in the heap; recent headers stay
// open, so a run of calls with one header opens it once. withQuickRequest is the quick
// way of calc.compute and calc.sweep: the request's rows packed, its header's session found.

import { StepCalcError } from './errors.mjs';
import { requestText, plainWithFields } from './request_json.mjs';
import { buildResponse } from './response_builder.mjs';
import { sweepColumns } from './json_path.mjs';

/** @typedef {import('./stepcalc_glue.mjs').Glue} Glue */
/** @typedef {import('./stepcalc_glue.mjs').CoreScenario} CoreScenario */
/** @typedef {import('./response_builder.mjs').StepResponse} StepResponse */
/** @typedef {import('./response_builder.mjs').Note} Note */
/** @typedef {import('./stepcalc.mjs').SweepSeries} SweepSeries */
/** @typedef {import('./request_json.mjs').JsonObject} JsonObject */
/** @typedef {import('./heap_pool.mjs').HeapRows} HeapRows */

const HEADER_FIELDS = ['model', 'gpu', 'tp', 'coefficients', 'gpu_memory_utilization'];
const REQUEST_FIELDS = new Set([...HEADER_FIELDS, 'step']);
const SCENARIO_CACHE_SIZE = 8; // headers calc.compute and calc.sweep keep open

/** @param {Note[]} notes @returns {Note[]} */
function copyNotes(notes) {
  return notes.map((note) => ({ code: note.code, message: note.message, affects: note.affects.slice() }));
}

/**
 * @param {Glue} glue
 * @param {(scenario: number, prefill: number, prefillRows: number, decode: number, decodeRows: number) => number} computeScenario
 *   the core's compute, called directly (glue._stepcalc_scenario_compute, resolved)
 * @param {ReturnType<typeof import('./heap_pool.mjs').createHeapPool>} pool
 * @param {ReturnType<typeof import('./row_packing.mjs').createRowPacker>} packer
 */
export function createSessions(glue, computeScenario, { heap, release }, { packStep }) {
  // One open header in the core. Callers never see it: they get a Scenario (scenario.mjs).
  class Session {
    /** @param {string} headerText */
    constructor(headerText) {
      /** @type {CoreScenario | null} */
      this.core = new glue.Scenario();
      /** @type {StepCalcError | null} */
      this.error = null;
      /** @type {JsonObject} */
      this.fields = {};
      /** @type {Note[]} */
      this.notes = [];
      this.recordAt = 0;
      this.address = 0; // of the core's object, for computeScenario
      const outcome = this.core.open(headerText);
      if (!outcome.ok) {
        this.core.delete();
        this.core = null;
        this.error = new StepCalcError(outcome.where, outcome.what);
        return;
      }
      this.fields = JSON.parse(outcome.text);
      this.recordAt = this.core.recordAddress() / 8;
      this.address = this.core.address();
    }

    // The response for rows in the heap (freed here), or null on an error (the full path
    // then reports it, or this.core.error() says which).
    /** @param {HeapRows} rows @returns {StepResponse | null} */
    compute(rows) {
      const core = /** @type {CoreScenario} */ (this.core);
      const status = computeScenario(this.address, rows.address, rows.prefillRows, rows.address + 24 * rows.prefillRows, rows.decodeRows);
      release(rows);
      if (status < 0) return null;
      if (status === 1) this.notes = JSON.parse(core.notesJson());
      return buildResponse(heap(), this.recordAt, this.fields, copyNotes(this.notes));
    }

    /** @param {HeapRows} rows @param {string} variable @param {ArrayLike<number>} values
     * @returns {SweepSeries | null} */
    sweep(rows, variable, values) {
      const outcome = /** @type {CoreScenario} */ (this.core).sweep(rows.address, rows.prefillRows, rows.address + 24 * rows.prefillRows, rows.decodeRows, variable, Array.from(values));
      release(rows);
      return outcome.ok ? sweepColumns(outcome) : null;
    }

    delete() {
      this.core?.delete();
      this.core = null;
    }
  }

  /** @param {Session} session @param {HeapRows} rows */
  const computeRows = (session, rows) => session.compute(rows);

  // calc.compute and calc.sweep keep the sessions of recent headers open.
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @param {string} headerText @returns {Session | null} */
  function sessionFor(headerText) {
    let session = sessions.get(headerText);
    if (session) {
      sessions.delete(headerText); // most recently used goes last
      sessions.set(headerText, session);
      return session;
    }
    session = new Session(headerText);
    if (session.error) return null;
    sessions.set(headerText, session);
    if (sessions.size > SCENARIO_CACHE_SIZE) {
      const [oldest, evicted] = /** @type {[string, Session]} */ (sessions.entries().next().value);
      sessions.delete(oldest);
      evicted.delete();
    }
    return session;
  }

  // The header fields of the last request whose fields were all strings, numbers or
  // absent (preset ids: the usual case), with its session: a run of calls with one header
  // finds its session by comparing five values, building nothing.
  /** @type {{ values: unknown[], session: Session } | null} */
  let lastPrimitive = null;
  /** @param {unknown} value */
  const isPrimitive = (value) => value === undefined || typeof value === 'string' || typeof value === 'number';

  // The session of the request's header, or null when the header cannot be written or
  // opened (the full path then says why). Each field is read once, as JSON.stringify would.
  /** @param {JsonObject} request @returns {Session | null} */
  function sessionForRequest(request) {
    const model = request.model, gpu = request.gpu, tp = request.tp;
    const coefficients = request.coefficients, utilization = request.gpu_memory_utilization;
    const last = lastPrimitive;
    if (last !== null && last.session.core !== null && last.values[0] === model && last.values[1] === gpu &&
      last.values[2] === tp && last.values[3] === coefficients && last.values[4] === utilization) {
      return last.session;
    }
    const values = [model, gpu, tp, coefficients, utilization]; // in HEADER_FIELDS order
    /** @type {JsonObject} */
    const header = {};
    HEADER_FIELDS.forEach((field, i) => { if (values[i] !== undefined) header[field] = values[i]; });
    let text;
    try {
      text = requestText(header);
    } catch {
      return null;
    }
    const session = sessionFor(text);
    if (session !== null && values.every(isPrimitive)) lastPrimitive = { values, session };
    return session;
  }

  // The request by the quick way, or null when the full path must answer. The rows are
  // packed before the header is written and a session chosen, so any code of the
  // caller's (a getter, a toJSON) has run before the core is called.
  /** @template T
   * @param {unknown} request @param {(session: Session, rows: HeapRows) => T | null} use
   * @returns {T | null} */
  function withQuickRequest(request, use) {
    if (!plainWithFields(request, REQUEST_FIELDS)) return null;
    const rows = packStep(request.step);
    if (rows === null) return null;
    let session;
    try {
      session = sessionForRequest(request); // may run the caller's getters, which may throw
    } catch (error) {
      release(rows);
      throw error;
    }
    if (session === null) {
      release(rows);
      return null;
    }
    return use(session, rows);
  }

  return { Session, withQuickRequest, computeRows };
}
