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
  [field: string]: unknown;
}

/** A GPU datasheet in the seed's schema. */
export interface Datasheet {
  name?: string;
  source?: string;
  compute: { fp16_tensor_core: number; with_sparsity?: boolean; [field: string]: unknown };
  memory: { bandwidth_tb_s: number; [field: string]: unknown };
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

export interface StepRequest {
  /** A preset id or a HF config.json object. */
  model: string | ModelConfig;
  /** A preset id or a datasheet object. */
  gpu: string | Datasheet;
  /** Tensor-parallel degree; default 1. */
  tp?: number;
  /** A preset id or { beta }; default "trained-roofline-h100". */
  coefficients?: string | { beta: Beta };
  step: { prefill?: PrefillChunk[]; decode?: DecodeGroup[] };
}

export type BasisTerm = 't_pf_compute' | 't_pf_kv' | 't_dc_compute' | 't_dc_kv' | 't_weight' | 't_tp';

export interface Note {
  code: string;
  message: string;
  /** The basis terms whose value the note concerns. */
  affects: BasisTerm[];
}

export interface PhaseWork {
  flops_proj: number;
  flops_attn: number;
  flops_ffn: number;
  flops: number;
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
  arch: {
    L: number; d: number; H: number; kv_heads: number; d_h: number; q_dim: number;
    d_kv: number; d_ff: number; N: number; k: number; k_eff: number; is_moe: boolean;
  };
  hardware: {
    flops_peak_tflops: number;
    bw_hbm_tb_s: number;
    bw_link_gb_s: number;
    link: 'nvlink_bandwidth_gb_s' | 'link_bandwidth_gb_s' | 'pcie_bandwidth_gb_s' | 'none';
    ridge_flops_per_byte: number;
  };
  scenario: { model: string; gpu: string; tp: number; coefficients: string };
  notes: Note[];
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
}

export interface StepCalc {
  compute(request: StepRequest | string): StepResponse;
  presets(): PresetListing;
  sweep(request: StepRequest | string, variable: SweepVariable, values: ArrayLike<number>): SweepSeries;
  /** Bytes of WebAssembly memory, for leak checks. */
  memoryBytes(): number;
}

/** Thrown for bad input; message is the CLI's line "error: <where>: <what>". */
export class StepCalcError extends Error {
  constructor(where: string, what: string);
  readonly where: string;
  readonly what: string;
}

export interface StepCalcOptions {
  /** The wasm bytes, when the caller already has them. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where the browser fetches stepcalc.wasm; default beside stepcalc.mjs. */
  wasmUrl?: string | URL;
}

export default function createStepCalc(options?: StepCalcOptions): Promise<StepCalc>;
