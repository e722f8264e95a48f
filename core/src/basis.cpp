#include "stepcalc/basis.hpp"

#include <algorithm>

namespace stepcalc {

namespace {

// Per-token projection width: 2*q_dim for Q and O, 2*d_kv for K and V.
double projection_width(const ModelArch &arch) {
  return static_cast<double>(2 * arch.q_dim + 2 * arch.d_kv);
}

// FLOPs_proj = L * 2 * T * d * (2*q_dim + 2*d_kv) / TP
double projection_flops(int64_t tokens, const ModelArch &arch, int64_t tp) {
  return static_cast<double>(arch.L) * 2 * static_cast<double>(tokens) *
         static_cast<double>(arch.d) * projection_width(arch) / static_cast<double>(tp);
}

// FLOPs_ffn = L * T * k_eff * 6 * d * d_ff / TP
double ffn_flops(int64_t tokens, const ModelArch &arch, int64_t tp) {
  return static_cast<double>(arch.L) * static_cast<double>(tokens) *
         static_cast<double>(arch.k_eff) * 6 * static_cast<double>(arch.d) *
         static_cast<double>(arch.d_ff) / static_cast<double>(tp);
}

// KV cache bytes per token on one GPU, per layer: 2 (K and V) * (kv_heads // TP) * d_h * 2
double kv_bytes_per_token_layer(const ModelArch &arch, int64_t tp) {
  return 2 * static_cast<double>(arch.kv_heads / tp) * static_cast<double>(arch.d_h) *
         kBytesPerElement;
}

} // namespace

PhaseFlops prefill_flops(const Step &step, const ModelArch &arch, int64_t tp) {
  if (!step.has_prefill()) return {};
  PhaseFlops flops;
  flops.proj = projection_flops(step.prefill_tokens(), arch, tp);
  // FLOPs_attn = L * sum_i 4 * (H // TP) * T_i * (S_i + T_i/2) * d_h  (causal mask halves T_i)
  const int64_t heads_per_gpu = arch.H / tp;
  for (const auto &chunk : step.prefill()) {
    const double t = static_cast<double>(chunk.tokens_this_step);
    const double s = static_cast<double>(chunk.prompt_tokens);
    flops.attn += 4 * static_cast<double>(heads_per_gpu) * t * (s + t / 2) *
                  static_cast<double>(arch.d_h) * static_cast<double>(chunk.count);
    flops.attn_pairs += t * (s + t / 2) * static_cast<double>(chunk.count);
  }
  flops.attn *= static_cast<double>(arch.L);
  flops.ffn = ffn_flops(step.prefill_tokens(), arch, tp);
  return flops;
}

// Bytes = L * 2 * (kv_heads // TP) * d_h * T_pf * 2
double prefill_kv_bytes(const Step &step, const ModelArch &arch, int64_t tp) {
  if (!step.has_prefill()) return 0;
  return static_cast<double>(arch.L) * kv_bytes_per_token_layer(arch, tp) *
         static_cast<double>(step.prefill_tokens());
}

PhaseFlops decode_flops(const Step &step, const ModelArch &arch, int64_t tp) {
  if (!step.has_decode()) return {};
  PhaseFlops flops;
  flops.proj = projection_flops(step.decode_tokens(), arch, tp);
  // FLOPs_attn = L * 4 * (H // TP) * sum_j S_j * d_h  (one query token per request)
  flops.attn = static_cast<double>(arch.L) * 4 * static_cast<double>(arch.H / tp) *
               static_cast<double>(step.decode_context()) * static_cast<double>(arch.d_h);
  flops.attn_pairs = static_cast<double>(step.decode_context());
  flops.ffn = ffn_flops(step.decode_tokens(), arch, tp);
  return flops;
}

// Bytes = L * 2 * (kv_heads // TP) * d_h * 2 * (sum_j S_j + T_dc): read the cache, write one token
double decode_kv_bytes(const Step &step, const ModelArch &arch, int64_t tp) {
  if (!step.has_decode()) return 0;
  return static_cast<double>(arch.L) * kv_bytes_per_token_layer(arch, tp) *
         static_cast<double>(step.decode_context() + step.decode_tokens());
}

WeightBytes weight_bytes(const Step &step, const ModelArch &arch, int64_t tp) {
  WeightBytes bytes;
  // N_eff = 1 for dense; min(N, max(k, B*k)) for MoE, B = tokens in the step
  if (arch.is_moe) {
    const int64_t tokens = step.prefill_tokens() + step.decode_tokens();
    // B*k saturates at N: the product itself can exceed int64 within the input bounds.
    const bool all_routed = arch.k > 0 && tokens >= (arch.N + arch.k - 1) / arch.k;
    const int64_t routed = all_routed ? arch.N : tokens * arch.k;
    bytes.active_experts = std::min(arch.N, std::max(arch.k, routed));
  }
  // Bytes_attn = L * d * (2*q_dim + 2*d_kv) * 2 / TP
  bytes.attn = static_cast<double>(arch.L) * static_cast<double>(arch.d) * projection_width(arch) *
               kBytesPerElement / static_cast<double>(tp);
  // Bytes_ffn = L * N_eff * 3 * d * d_ff * 2 / TP
  bytes.ffn = static_cast<double>(arch.L) * static_cast<double>(bytes.active_experts) * 3 *
              static_cast<double>(arch.d) * static_cast<double>(arch.d_ff) * kBytesPerElement /
              static_cast<double>(tp);
  return bytes;
}

// Two all-reduces per layer of T * d * 2 bytes: point-to-point at TP 2 (x1),
// ring all-reduce at TP >= 3 (x2, send and receive).
double tp_bytes(const Step &step, const ModelArch &arch, int64_t tp) {
  if (tp <= 1) return 0;
  const int64_t tokens = step.prefill_tokens() + step.decode_tokens();
  const double message_bytes =
      static_cast<double>(tokens) * static_cast<double>(arch.d) * kBytesPerElement;
  const double ring_factor = tp == 2 ? 1 : 2;
  return static_cast<double>(arch.L) * 2 * ring_factor * message_bytes;
}

StepWork step_work(const Step &step, const ModelArch &arch, int64_t tp) {
  return {prefill_flops(step, arch, tp), prefill_kv_bytes(step, arch, tp),
          decode_flops(step, arch, tp),  decode_kv_bytes(step, arch, tp),
          weight_bytes(step, arch, tp),  tp_bytes(step, arch, tp)};
}

// TFLOPS * 1e6 = FLOPs per microsecond
double compute_time_us(double flops, const HardwareSpec &hw) {
  return flops / (hw.flops_peak_tflops * 1e6);
}

// TB/s * 1e6 = bytes per microsecond
double hbm_time_us(double bytes, const HardwareSpec &hw) {
  return bytes / (hw.bw_hbm_tb_s * 1e6);
}

// GB/s * 1e3 = bytes per microsecond
double link_time_us(double bytes, const HardwareSpec &hw) {
  return bytes == 0 ? 0 : bytes / (hw.bw_link_gb_s * 1e3);
}

BasisValues basis_values(const Step &step, const ModelArch &arch, const StepWork &work,
                         const HardwareSpec &hw) {
  BasisValues basis;
  basis.t_pf_compute = compute_time_us(work.prefill_flops.total(), hw);
  basis.t_pf_kv = hbm_time_us(work.prefill_kv_bytes, hw);
  basis.t_dc_compute = compute_time_us(work.decode_flops.total(), hw);
  basis.t_dc_kv = hbm_time_us(work.decode_kv_bytes, hw);
  basis.t_weight = hbm_time_us(work.weight_bytes.total(), hw);
  basis.t_tp = link_time_us(work.tp_bytes, hw);
  basis.num_layers = arch.L;
  basis.batch_size = step.batch_size();
  return basis;
}

} // namespace stepcalc
