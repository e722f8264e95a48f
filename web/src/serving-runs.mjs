// What one Simulate runs, one after the other in the worker (serving-worker.mjs): the
// workload as given (with its step records, for the charts over time); the same workload
// with every request at t = 0 (the engine's capacity for it, serving-curve.mjs); the
// curve's rates. Each run is sent when the one before has come back, so cancel() (ending
// the worker) stops the rest. Only the latest start() is heard: once a Cancel or a newer
// Simulate has come, an older one calls no hook again.
import { capacityRate, curveRates, RATE_SHARES } from './serving-curve.mjs';
import { pageWords } from './messages.mjs';
import { count } from './format.mjs';
import { createServingWorker, CANCELLED } from './serving-worker.mjs';

/** @typedef {import('./wasm/stepcalc.mjs').SimulationRequest} SimulationRequest */
/** @typedef {import('./serving-worker.mjs').Simulated} Simulated */
/** @typedef {import('./serving-worker.mjs').Failed} Failed */
/** @typedef {import('./serving-worker.mjs').SimulationSummary} SimulationSummary */
/** @typedef {import('./serving-curve.mjs').CurvePoint} CurvePoint */
/**
 * progress(done, total, totalKnown, doing): runs done of total (at most that until the
 * curve's rates are known), and what runs now (null: only the count changed).
 * noRecords(why): the main run had more steps than the core records, so it ran again
 * without them. main: the main run's result. capacity: the all-at-once run's summary, the
 * capacity it gives (null for a run of no time) and the curve's rates. curve: those and the
 * curve's points, all run. done: every run came back. failed(why): a run failed (the
 * worker's message).
 * @typedef {{ progress: (done: number, total: number, totalKnown: boolean, doing: string | null) => void,
 *   noRecords: (why: string) => void, main: (main: Simulated) => void,
 *   capacity: (atOnce: SimulationSummary, capacity: number | null, rates: number[]) => void,
 *   curve: (atOnce: SimulationSummary, capacity: number | null, rates: number[], points: CurvePoint[]) => void,
 *   done: () => void, failed: (why: Failed) => void }} RunHooks
 */

/** @param {SimulationRequest} request @param {number} rate */
const atRate = (request, rate) => ({ ...request, workload: { ...request.workload, arrival_rate_per_s: rate } });

export function createServingRuns() {
  const worker = createServingWorker();
  let runId = 0;

  // The main run with its step records; a run of more steps than the core records runs
  // again without them (the view then says the charts over time are left out).
  /** @param {SimulationRequest} request @param {RunHooks} hooks */
  async function withRecords(request, hooks) {
    try {
      return await worker.simulate({ ...request, step_records: true });
    } catch (why) {
      if (why === CANCELLED || /** @type {Failed} */ (why).where !== 'step_records') throw why;
      hooks.noRecords(pageWords(/** @type {Failed} */ (why).message.replace(/^error: step_records: /, '')));
      return worker.simulate(request);
    }
  }

  /** @param {SimulationRequest} request @param {RunHooks} hooks @param {() => boolean} latest */
  async function runAll(request, hooks, latest) {
    const tally = { done: 0, total: 2 + RATE_SHARES.length, known: false };
    const report = (/** @type {string | null} */ doing = null) => hooks.progress(tally.done, tally.total, tally.known, doing);
    // A run come back is counted, unless a Cancel or a newer Simulate came meanwhile: then
    // the rest is dropped as a cancelled run is.
    /** @template T @param {Promise<T>} run @returns {Promise<T>} */
    const counted = async (run) => {
      const result = await run;
      if (!latest()) throw CANCELLED;
      tally.done++;
      report();
      return result;
    };
    report(`Simulating ${count(/** @type {number} */ (request.workload.requests), 'request')}…`);
    hooks.main(await counted(withRecords(request, hooks)));
    report('Finding the engine\'s capacity: every request at t = 0…');
    const atOnce = (await counted(worker.simulate(atRate(request, 0)))).summary;
    const capacity = capacityRate(atOnce);
    const rates = capacity === null ? [] : curveRates(capacity);
    Object.assign(tally, { total: 2 + rates.length, known: true });
    report();
    hooks.capacity(atOnce, capacity, rates);
    /** @type {CurvePoint[]} */
    const points = [];
    for (const rate of rates) {
      report(`Curve: ${points.length + 1} of ${rates.length} rates, ${rate} requests per second…`);
      points.push({ rate, summary: (await counted(worker.simulate(atRate(request, rate)))).summary });
    }
    hooks.curve(atOnce, capacity, rates, points);
    hooks.done();
  }

  return {
    // Runs them all for request, telling hooks as they come back; a run still in the
    // worker is ended first (an idle worker is kept, its module loaded).
    /** @param {SimulationRequest} request @param {RunHooks} hooks */
    async start(request, hooks) {
      if (worker.busy()) worker.stop();
      const id = ++runId;
      const latest = () => id === runId;
      try {
        await runAll(request, hooks, latest);
      } catch (why) {
        if (why === CANCELLED || !latest()) return;
        hooks.failed(/** @type {Failed} */ (why));
      }
    },
    // Ends the runs in progress; their hooks are not called again.
    cancel() {
      runId++;
      worker.stop();
    },
  };
}
