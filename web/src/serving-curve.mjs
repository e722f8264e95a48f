// The Serving view's latency–throughput curve: which arrival rates it runs, and where its
// knee is. Pure functions, no DOM.
//
// Capacity: the workload with every request at t = 0 keeps the engine as full as its
// limits allow, so requests ÷ makespan of that run is the rate the engine sustains for
// this workload. The curve runs RATE_SHARES of it, denser near 100%, where TTFT turns.
// Knee: the lowest rate whose TTFT p90 is at least KNEE_FACTOR times the TTFT p90 at the
// curve's lowest rate: there the queue, not the work, has come to set the first token's wait.

/** @typedef {import('./wasm/stepcalc.mjs').SimulationResponse['summary']} SimulationSummary */
/** @typedef {{ rate: number, summary: SimulationSummary }} CurvePoint */

export const RATE_SHARES = [0.25, 0.5, 0.7, 0.8, 0.9, 1, 1.1, 1.25];
export const KNEE_FACTOR = 4;
// The core's bounds on a non-zero arrival rate (requests per second); a rate outside them is
// moved to the bound (and rates made equal by that are run once).
const MIN_RATE = 0.001, MAX_RATE = 1e9;

// Requests per second the engine sustains, from the all-at-once run; null when that run
// took no time (every step 0 µs, as with all β zero), where no rate saturates it.
/** @param {SimulationSummary} atOnce */
export function capacityRate(atOnce) {
  return atOnce.makespan_us > 0 ? (atOnce.requests * 1e6) / atOnce.makespan_us : null;
}

// The curve's rates for a capacity: 4 significant digits (a rate the link and the CLI read
// back as written), within the core's bounds, each once, ascending.
/** @param {number} capacity */
export function curveRates(capacity) {
  const rates = RATE_SHARES.map((share) => Math.min(MAX_RATE, Math.max(MIN_RATE, Number((capacity * share).toPrecision(4)))));
  return [...new Set(rates)].sort((a, b) => a - b);
}

// The knee's index in points (ascending rates), or -1 when TTFT p90 never reaches
// KNEE_FACTOR times its value at the lowest rate (or that value is 0).
/** @param {CurvePoint[]} points */
export function kneeIndex(points) {
  const base = points[0]?.summary.ttft_us.p90;
  if (!(base > 0)) return -1;
  return points.findIndex((p) => p.summary.ttft_us.p90 >= KNEE_FACTOR * base);
}
