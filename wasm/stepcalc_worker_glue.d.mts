// Declarations for the worker module's Emscripten glue as wasm/worker_bindings.cpp binds
// it: what stepcalc_worker.mjs may call. `npm run typecheck` checks it against this file.
import type { Outcome, GlueOptions } from './stepcalc_glue.mjs';

export interface CoreTraceSession {
  start(options: string): Outcome;
  /** UTF-8 bytes at a heap address: 0, or -1 on an error (see error()). */
  push(address: number, length: number): number;
  finish(): number;
  steps(): number;
  skipped(): number;
  columns(): Record<string, Float64Array>;
  stepIdCells(): { rows: Float64Array; cells: string[] };
  summaryJson(): string;
  fit(lambda: number): Outcome;
  error(): { where: string; what: string };
  delete(): void;
}

export interface WorkerGlue {
  TraceSession: new () => CoreTraceSession;
  simulateJson(request: string): Outcome;
  gridJson(request: string): Outcome;
  heapBytesInUse(): number;
  _malloc(bytes: number): number;
  _free(address: number): void;
  HEAPU8: Uint8Array;
}

export default function createStepCalcWorkerGlue(options?: GlueOptions): Promise<WorkerGlue>;
