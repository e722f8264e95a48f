// Declarations for stepcalc.mjs (".d.mts" is the .d.ts form TypeScript reads for an .mjs module).
// Written by hand (Emscripten 3.1.6 cannot emit them); checked by `npm run typecheck`.

/** A HF config.json: the fields the core reads; any others are allowed and ignored. */
export interface ModelConfig {
  num_hidden_layers?: number;
  hidden_size?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  num_kv_heads?: number;
  multi_query_group_num?: number;
  head_dim?: number;
  intermediate_size?: number;
  moe_intermediate_size?: number;
  num_local_experts?: number;
  num_experts?: number;
  n_routed_experts?: number;
  num_experts_per_tok?: number;
  experts_per_token?: number;
  text_config?: ModelConfig;
  vocab_size?: number;
  tie_word_embeddings?: boolean;
  [field: string]: unknown;
}

/** A GPU datasheet in the seed's schema. */
export interface Datasheet {
  name?: string;
  source?: string;
  compute: { fp16_tensor_core: number; with_sparsity?: boolean; [field: string]: unknown };
  memory: { bandwidth_tb_s: number; capacity_gb?: number; [field: string]: unknown };
  interconnect?: {
    nvlink_bandwidth_gb_s?: number;
    link_bandwidth_gb_s?: number;
    pcie_bandwidth_gb_s?: number;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export type Beta = [number, number, number, number, number, number, number];

export interface PrefillChunk {
  tokens_this_step: number;
  prompt_tokens: number;
  /** Repeats of this chunk, each a request of its own; default 1. */
  count?: number;
}

export interface DecodeGroup {
  context_length: number;
  count?: number;
}

export interface Step {
  prefill?: PrefillChunk[];
  decode?: DecodeGroup[];
}

/** Everything of a request but its step: what a Scenario is opened with. */
export interface ScenarioHeader {
  /** A preset id or a HF config.json object. */
  model: string | ModelConfig;
  /** A preset id or a datasheet object. */
  gpu: string | Datasheet;
  /** Tensor-parallel degree; default 1. */
  tp?: number;
  /** A preset id or { beta }; default "trained-roofline-h100". */
  coefficients?: string | { beta: Beta };
  /** The share of GPU memory the engine may use (vLLM's setting); default 0.9. */
  gpu_memory_utilization?: number;
}

export interface StepRequest extends ScenarioHeader {
  step: Step;
}

export type BasisTerm = 't_pf_compute' | 't_pf_kv' | 't_dc_compute' | 't_dc_kv' | 't_weight' | 't_tp';

export interface Note {
  code: string;
  message: string;
  /** The response fields the note concerns: basis terms, or "memory". */
  affects: (BasisTerm | 'memory')[];
}

export interface PhaseWork {
  flops_proj: number;
  flops_attn: number;
  flops_ffn: number;
  flops: number;
  /** Query-key token pairs: flops_attn = L * 4 * heads_per_gpu * attn_pairs * d_h. */
  attn_pairs: number;
  kv_bytes: number;
  tokens: number;
  requests: number;
}

export type Bottleneck = 'compute' | 'memory' | 'none';

export interface StepResponse {
  step_time_us: number;
  /** Time terms in microseconds. */
  basis: Record<BasisTerm, number> & { num_layers: number; batch_size: number };
  /** X = [max(pf), max(dc), t_weight, t_tp, L, batch_size, 1]. */
  features: Beta;
  /** beta_i * x_i; they sum to step_time_us. */
  contributions_us: Beta;
  beta: Beta;
  bottleneck: { prefill: Bottleneck; decode: Bottleneck };
  work: {
    prefill: PhaseWork;
    decode: PhaseWork & { context_tokens: number };
    weight: { active_experts: number; bytes_attn: number; bytes_ffn: number; bytes: number };
    tp: { bytes: number };
  };
  /** Per GPU. Fields that need the datasheet's memory.capacity_gb are null without it. */
  memory: {
    weight_bytes: number;
    kv_cache_bytes: number;
    capacity_bytes: number | null;
    utilization: number;
    usable_bytes: number | null;
    /** usable - weights - KV cache; negative when the step does not fit. */
    headroom_bytes: number | null;
    fits: boolean | null;
    /** Decode requests at the step's mean decode context that fit; null without decodes. */
    max_decode_requests: number | null;
  };
  arch: Arch;
  sharding: { heads_per_gpu: number; kv_heads_per_gpu: number; kv_heads_stored_per_gpu: number };
  hardware: {
    flops_peak_tflops: number;
    bw_hbm_tb_s: number;
    bw_link_gb_s: number;
    link: 'nvlink_bandwidth_gb_s' | 'link_bandwidth_gb_s' | 'pcie_bandwidth_gb_s' | 'none';
    ridge_flops_per_byte: number;
    capacity_gb: number | null;
  };
  scenario: { model: string; gpu: string; tp: number; coefficients: string; gpu_memory_utilization: number };
  notes: Note[];
}

export interface Arch {
  L: number; d: number; H: number; kv_heads: number; d_h: number; q_dim: number;
  d_kv: number; d_ff: number; N: number; k: number; k_eff: number; is_moe: boolean;
  vocab: number; tied_embeddings: boolean;
}

export interface ModelPreset {
  id: string; name: string; kind: 'dense' | 'moe';
  L: number; d: number; H: number; kv_heads: number; d_h: number; d_ff: number; N: number; k: number;
  source: string; notes: Note[]; config: ModelConfig;
}

export interface GpuPreset {
  id: string; name: string;
  dense_fp16_tflops: number; hbm_tb_s: number; link_gb_s: number; link: string;
  source: string; datasheet: Datasheet;
}

export interface CoefficientPreset {
  id: string; name: string; beta: Beta; source: string; document: Record<string, unknown>;
}

export interface PresetListing {
  default_coefficients: string;
  models: ModelPreset[];
  gpus: GpuPreset[];
  coefficients: CoefficientPreset[];
}

/**
 * "tp", "prefill[i].tokens_this_step", "prefill[i].prompt_tokens", "prefill[i].count",
 * "decode[i].context_length" or "decode[i].count"; i may be "*" for every row.
 */
export type SweepVariable = string;

export interface SweepSeries {
  values: Float64Array;
  t_pf_compute: Float64Array;
  t_pf_kv: Float64Array;
  t_dc_compute: Float64Array;
  t_dc_kv: Float64Array;
  t_weight: Float64Array;
  t_tp: Float64Array;
  batch_size: Float64Array;
  step_time_us: Float64Array;
  /** Memory headroom per GPU in bytes (negative: does not fit); NaN when capacity is unknown. */
  headroom_bytes: Float64Array;
}

/** The core's input bounds. */
export interface Limits {
  max_tokens: number; max_count: number; max_rows: number; max_tp: number;
  max_sweep_points: number; max_json_depth: number; max_layers: number; max_width: number;
  max_heads: number; max_experts: number; max_vocab: number; min_rate: number; max_rate: number;
  max_beta: number; max_capacity_gb: number; min_gpu_memory_utilization: number;
  /** The serving simulation's: requests in one run, steps it may take, and the arrival rate
   * (req/s) when it is not 0. */
  max_simulation_requests: number; max_simulation_steps: number; min_arrival_rate: number; max_arrival_rate: number;
  default_gpu_memory_utilization: number;
}

/** One model, GPU, TP and β, open in the core for many batches. Call delete() when done. */
export interface Scenario {
  compute(step: Step): StepResponse;
  /**
   * The batch as numbers: prefill as (tokens_this_step, prompt_tokens, count) triples,
   * decode as (context_length, count) pairs.
   */
  computePacked(prefill: ArrayLike<number>, decode: ArrayLike<number>): StepResponse;
  sweep(step: Step, variable: SweepVariable, values: ArrayLike<number>): SweepSeries;
  /** Frees the core's memory for this scenario; later calls throw. */
  delete(): void;
}

/** `stepcalc grid`'s request (docs/grid.md): a request without gpu and tp, with the lists. */
export interface GridRequest extends Omit<ScenarioHeader, 'gpu' | 'tp'> {
  step: Step;
  /** Preset ids or datasheets; default every preset GPU, in preset order. */
  gpus?: (string | Datasheet)[];
  /** Distinct TP degrees; default [1, 2, 4, 8]. */
  tps?: number[];
}

/** The figures of one GPU and TP; all null when error is not. */
export interface GridFigures {
  step_time_us: number | null;
  /** null also for a datasheet without a capacity. */
  fits: boolean | null;
  headroom_bytes: number | null;
  max_decode_requests: number | null;
  tokens_per_s: number | null;
  tokens_per_s_per_gpu: number | null;
}

/** A cell of `stepcalc grid`. */
export interface GridCell extends GridFigures {
  /** The preset id, or "custom" for a datasheet. */
  gpu: string;
  /** The GPU's place in the request's gpus. */
  gpu_index: number;
  tp: number;
  /** Why this GPU cannot run at this TP (the CLI's error line), else null. */
  error: string | null;
  bottleneck: { prefill: Bottleneck; decode: Bottleneck } | null;
  dominant: SimulationTerm | null;
  notes: string[];
}

export interface GridResponse {
  cells: GridCell[];
}

/** What a GridScenario is opened with: a grid request without its step, both lists given. */
export interface GridScenarioHeader extends Omit<GridRequest, 'step' | 'gpus' | 'tps'> {
  gpus: (string | Datasheet)[];
  tps: number[];
}

/** A cell of a GridScenario: calc.grid's cell without bottleneck, dominant and notes. */
export interface GridScenarioCell extends GridFigures {
  gpu: string;
  gpu_index: number;
  tp: number;
  /** Why this GPU cannot run at this TP, as calc.compute names it (where "gpu" or "tp"). */
  error: string | null;
}

/** One model and β on many GPUs and TP degrees, open in the core for many batches: each
 * batch is packed once and evaluated for every GPU and TP. Call delete() when done. */
export interface GridScenario {
  /** One cell per GPU and TP, GPU by GPU; throws StepCalcError for a bad step. */
  compute(step: Step): GridScenarioCell[];
  /** Frees the core's memory; later calls throw. */
  delete(): void;
}

/** For steps in the training format: model, GPU, coefficients; tp overrides the document's. */
export interface TraceOptions {
  model?: string | ModelConfig;
  gpu?: string | Datasheet;
  coefficients?: string | { beta: Beta };
  tp?: number;
  /** Skip (and count) bad steps instead of stopping at the first. */
  skipBad?: boolean;
  /** The share of timed steps held out to test a fit; default 0.2. */
  holdout?: number;
}

export interface TraceHooks {
  onProgress?: (progress: { bytes: number; steps: number; skipped: number }) => void;
  signal?: AbortSignal;
}

/** One entry per step, in file order; NaN where a step has no value (duration) or its id is
 * not a plain integer. */
export type TraceColumns = Record<
  'position' | 'step_id' | BasisTerm | 'num_layers' | 'batch_size' | 'step_time_us' | 'duration_us' | 'error_pct' |
  'x1' | 'x2' | 'x3' | 'x4' | 'x5' | 'x6' | 'x7' | 'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6' | 'c7',
  Float64Array>;

export interface TraceSummary {
  steps: number;
  skipped: number;
  /** The TP every step was evaluated at; null when they differ (whole-request lines at
   * other TPs) or there is no step. */
  tp: number | null;
  /** Each TP the steps were evaluated at, once, ascending. */
  tps: number[];
  /** Steps that were whole requests (JSON Lines), read with their own model, GPU, TP and
   * coefficients (the preset default where a line names none), not the trace options. */
  request_steps: number;
  /** What the file was read as: an experiment document or JSON Lines (null before any byte). */
  format: 'document' | 'json_lines' | null;
  total_predicted_us: number;
  /** The share of steps whose largest contribution is each term. */
  dominant_share: Record<'prefill' | 'decode' | 'weight' | 'tp' | 'per_layer' | 'per_request' | 'constant', number>;
  timed_steps: number;
  mape_pct?: number;
  rmse_us?: number;
  mae_us?: number;
  skipped_errors: string[];
}

export interface ErrorFigures { mape_pct: number; rmse_us: number; mae_us: number }

/** What `stepcalc fit` prints. */
export interface FitReport {
  beta: Beta;
  steps: { train: number; test: number; untimed: number; skipped: number };
  lambda: number;
  before: ErrorFigures | null;
  after: ErrorFigures | null;
  notes: { code: string; message: string; affects: string[] }[];
}

/** The steps whose id is not a plain integer (text, a fraction, more than 15 digits), where
 * columns.step_id is NaN: their rows in the columns and their ids as `stepcalc trace --format
 * csv` writes them. */
export interface StepIdCells { rows: Float64Array; cells: string[] }

export interface TraceResult {
  /** step_id: the id as the CLI names the step (its step_id, else its line or position)
   * when that is a plain integer, else NaN (see stepIdCells). */
  columns: TraceColumns;
  stepIdCells: StepIdCells;
  summary: TraceSummary;
  /** β fitted to the timed steps (Tikhonov weight λ, default 0). */
  fit(lambda?: number): FitReport;
  /** Frees the run's memory in the module; fit() then throws. */
  release(): void;
}

export type TraceSource = string | ArrayBuffer | ArrayBufferView | Blob | ReadableStream<Uint8Array | string> |
  AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** The serving simulation's request (docs/simulation.md). */
export interface SimulationRequest extends ScenarioHeader {
  workload: {
    /** A number of requests to generate, or the requests themselves (id = index). */
    requests: number | { arrival_us?: number; prompt_tokens: number; output_tokens: number }[];
    /** Generated requests: Poisson arrivals per second; 0 or absent: all at t = 0. */
    arrival_rate_per_s?: number;
    prompt_tokens?: number | { min: number; max: number };
    output_tokens?: number | { min: number; max: number };
    seed?: number;
  };
  scheduler?: { max_num_batched_tokens?: number; max_num_seqs?: number };
  /** Adds step_records, one entry per step in each column. */
  step_records?: boolean;
}

/** Nearest-rank percentiles and the mean, in µs. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export type SimulationTerm = 'prefill' | 'decode' | 'weight' | 'tp' | 'per_layer' | 'per_request' | 'constant';

export interface SimulationResponse {
  summary: {
    requests: number;
    steps: number;
    makespan_us: number;
    prompt_tokens: number;
    output_tokens: number;
    /** null when the makespan is 0. */
    throughput_tokens_per_s: number | null;
    ttft_us: LatencySummary;
    tpot_us: LatencySummary;
    e2e_us: LatencySummary;
    busy_us: number;
    peak_running: number;
    peak_waiting: number;
    /** null when the GPU's capacity is unknown (memory does not limit admission). */
    kv_capacity_tokens: number | null;
    dominant_share: Record<SimulationTerm, number>;
  };
  scenario: {
    model: string;
    gpu: string;
    tp: number;
    coefficients: string;
    gpu_memory_utilization: number;
    max_num_batched_tokens: number;
    max_num_seqs: number;
  };
  requests: {
    id: number;
    arrival_us: number;
    prompt_tokens: number;
    output_tokens: number;
    first_token_us: number;
    finish_us: number;
    ttft_us: number;
    tpot_us: number;
    e2e_us: number;
  }[];
  step_records?: {
    start_us: number[];
    duration_us: number[];
    prefill_tokens: number[];
    prefill_requests: number[];
    decode_requests: number[];
    running: number[];
    waiting: number[];
    dominant: SimulationTerm[];
  };
  notes: Note[];
}

export interface StepCalc {
  compute(request: StepRequest | string): StepResponse;
  sweep(request: StepRequest | string, variable: SweepVariable, values: ArrayLike<number>): SweepSeries;
  /** Every step of a trace (an experiment document or JSON Lines), read chunk by chunk (by
   * the worker's module, stepcalc_worker.mjs, loaded on the first call). */
  trace(source: TraceSource, options?: TraceOptions, hooks?: TraceHooks): Promise<TraceResult>;
  /** A serving workload through the scheduler, each step timed by the model: exactly what
   * `stepcalc simulate` prints, as an object (by the worker's module, loaded on the first
   * call). Rejects with a StepCalcError on bad input. */
  simulate(request: SimulationRequest | string): Promise<SimulationResponse>;
  /** One batch on many GPUs and TP degrees: exactly what `stepcalc grid` prints, as an
   * object (by the worker's module, loaded on the first call). Rejects with a
   * StepCalcError on bad input. */
  grid(request: GridRequest | string): Promise<GridResponse>;
  /** Opens one model and β on many GPUs and TPs for many batches (the page's live grid);
   * rejects with a StepCalcError when the model, β or a list is invalid. Its code loads on
   * the first call; each batch is then computed synchronously. */
  gridScenario(header: GridScenarioHeader): Promise<GridScenario>;
  /** β fitted to a trace's measured step durations (by the worker's module too). */
  fit(source: TraceSource, options?: TraceOptions & { lambda?: number }): Promise<FitReport>;
  /** Opens a scenario; throws StepCalcError when the header is invalid. */
  scenario(header: ScenarioHeader): Scenario;
  presets(): PresetListing;
  readonly limits: Readonly<Limits>;
  /** Validates a HF config.json as a request's "model" would be read. */
  checkModel(config: ModelConfig): { arch: Arch; notes: Note[] };
  /** Validates a datasheet as a request's "gpu" would be read (at TP 1). */
  checkGpu(datasheet: Datasheet): { hardware: StepResponse['hardware']; notes: Note[] };
  /** Bytes malloc has handed out and not had back, for leak checks (both modules', once the
   * worker's is loaded). */
  heapBytesInUse(): number;
  /** Bytes of WebAssembly memory (both modules'). */
  memoryBytes(): number;
}

/** Thrown for bad input; message is the CLI's line "error: <where>: <what>". */
export class StepCalcError extends Error {
  constructor(where: string, what: string);
  readonly where: string;
  readonly what: string;
}

/** Thrown by the default export when the WebAssembly engine lacks 128-bit SIMD. */
export class UnsupportedEngineError extends Error {
  constructor();
}

/** Both apply to stepcalc.wasm; calc.trace and calc.fit load the worker's module
 * (stepcalc_worker.mjs and .wasm) from beside stepcalc.mjs on their first call. */
export interface StepCalcOptions {
  /** The wasm bytes, when the caller already has them. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where the browser fetches stepcalc.wasm; default beside stepcalc.mjs. */
  wasmUrl?: string | URL;
}

export default function createStepCalc(options?: StepCalcOptions): Promise<StepCalc>;
