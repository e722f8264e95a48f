// Declarations for stepcalc_worker.mjs, the worker's module (trace, fit and simulate). Its
// types are the calculator's (stepcalc.d.mts), whose trace, fit and simulate load this module.
import type { FitReport, TraceHooks, TraceOptions, TraceResult, TraceSource, StepCalcOptions, SimulationRequest, SimulationResponse, GridRequest, GridResponse } from './stepcalc.mjs';
export type { FitReport, TraceHooks, TraceOptions, TraceResult, TraceSource, TraceColumns, TraceSummary, StepIdCells } from './stepcalc.mjs';
export { StepCalcError, UnsupportedEngineError } from './stepcalc.mjs';

export interface StepCalcWorker {
  /** Every step of a trace (an experiment document or JSON Lines), read chunk by chunk. */
  trace(source: TraceSource, options?: TraceOptions, hooks?: TraceHooks): Promise<TraceResult>;
  /** β fitted to a trace's measured step durations. */
  fit(source: TraceSource, options?: TraceOptions & { lambda?: number }): Promise<FitReport>;
  /** The serving simulation: exactly what `stepcalc simulate` prints, as an object. */
  simulate(request: SimulationRequest | string): SimulationResponse;
  /** One batch on many GPUs and TPs: exactly what `stepcalc grid` prints, as an object. */
  grid(request: GridRequest | string): GridResponse;
  /** Bytes malloc has handed out and not had back, for leak checks. */
  heapBytesInUse(): number;
  /** Bytes of WebAssembly memory. */
  memoryBytes(): number;
}

/** options: as the calculator's, for stepcalc_worker.wasm (default: beside this module). */
export default function createStepCalcWorker(options?: StepCalcOptions): Promise<StepCalcWorker>;
