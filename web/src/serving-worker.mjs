// The Serving view's worker (worker.mjs), its life: started with the first run, kept while
// idle (its module stays loaded for the next Simulate), ended by stop() or when it could not
// run, and started again by the next run. Ending it is how a run is cancelled: the core's simulation runs to its end
// once begun, and a worker busy with it would read no 'cancel' message until then.
/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./wasm/stepcalc.mjs').SimulationResponse['summary']} SimulationSummary */
/** @typedef {import('./serving-charts.mjs').StepColumns} StepColumns */
/** @typedef {{ summary: SimulationSummary, steps: StepColumns | null }} Simulated the worker's 'simulated' message */
/** @typedef {{ input: boolean, where: string | null, message: string }} Failed the worker's 'failed' message */

// What a run's promise is rejected with when stop() ended it: nothing to say, it was asked for.
export const CANCELLED = Symbol('cancelled');

export function createServingWorker() {
  /** @type {Worker | null} */
  let worker = null;
  /** @type {{ id: number, resolve: (m: Simulated) => void, reject: (why: Failed | typeof CANCELLED) => void } | null} */
  let pending = null;
  let messageId = 0;

  const end = () => {
    worker?.terminate();
    worker = null;
  };
  // Only the pending run's answer counts: one of a run that stop() ended never comes, as
  // its worker is gone.
  function started() {
    if (worker) return worker;
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', ({ data }) => {
      if (!pending || data.id !== pending.id) return;
      const { resolve, reject } = pending;
      pending = null;
      if (data.type === 'simulated') resolve(data);
      else reject(data);
    });
    // A worker whose script did not load takes no more messages: it is ended, so that the
    // next run starts another (else that run would wait for ever).
    worker.addEventListener('error', (e) => {
      end();
      pending?.reject({ input: false, where: null, message: `the worker could not run (${e.message ?? 'no message'})` });
      pending = null;
    });
    return worker;
  }

  return {
    // One run in the worker: its result, or rejected with its Failed message or CANCELLED.
    /** @param {SimulationRequest} request @returns {Promise<Simulated>} */
    simulate: (request) => new Promise((resolve, reject) => {
      pending = { id: ++messageId, resolve, reject };
      started().postMessage({ type: 'simulate', id: pending.id, request });
    }),
    // Whether a run is in the worker now.
    busy: () => pending !== null,
    // Ends the worker, and with it the run in progress (rejected with CANCELLED).
    stop() {
      end();
      pending?.reject(CANCELLED);
      pending = null;
    },
  };
}
