// Declarations for the page module's Emscripten glue as wasm/bindings.cpp binds it: what the facade
// (stepcalc.mjs) may call. Only the facade imports the glue; `npm run typecheck` checks
// the facade against this file.

export interface Outcome {
  ok: boolean;
  /** The result JSON when ok. */
  text: string;
  where: string;
  what: string;
}

export type SweepOutcome =
  | { ok: false; where: string; what: string }
  | ({ ok: true } & Record<string, Float64Array>);

export interface CoreScenario {
  open(header: string): Outcome;
  notesJson(): string;
  sweep(prefill: number, prefillRows: number, decode: number, decodeRows: number, variable: string, values: number[]): SweepOutcome;
  error(): { where: string; what: string };
  recordAddress(): number;
  /** The object's address, for _stepcalc_scenario_compute. */
  address(): number;
  delete(): void;
}

export interface Glue {
  Scenario: new () => CoreScenario;
  computeJson(request: string): Outcome;
  sweepJson(request: string, variable: string, values: number[]): SweepOutcome;
  checkModel(config: string): Outcome;
  checkGpu(datasheet: string): Outcome;
  presets(): string;
  limits(): string;
  responseFields(): string;
  stepRecordSize(): number;
  heapBytesInUse(): number;
  _malloc(bytes: number): number;
  _free(address: number): void;
  /** Evaluates rows at byte addresses in the heap (3 numbers per prefill row, 2 per decode
   * row) with the scenario at `scenario` (CoreScenario.address()): 1 ready, notes changed;
   * 0 ready, same notes; -1 error (see CoreScenario.error()). */
  _stepcalc_scenario_compute(scenario: number, prefill: number, prefillRows: number, decode: number, decodeRows: number): number;
  /** One batch on many scenarios (the live grid): `count` CoreScenario addresses (uint32)
   * at byte address `scenarios`, the rows read once by the first; 6 doubles per scenario
   * at `out`. 0, or -1 when the rows are wrong (the first scenario's error()). */
  _stepcalc_grid_compute(scenarios: number, count: number, prefill: number, prefillRows: number, decode: number, decodeRows: number, out: number): number;
  HEAPF64: Float64Array;
  HEAPU8: Uint8Array;
}

export interface GlueOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string) => string;
}

export default function createStepCalcGlue(options?: GlueOptions): Promise<Glue>;
