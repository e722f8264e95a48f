#include "stepcalc/memory.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace stepcalc {

namespace {

constexpr double kBytesPerElement = 2; // FP16 weights and KV cache, as the seed assumes

// `value` with one decimal, "162.3", without printf: a step that does not fit builds
// this note on every call, and printf's float formatting costs microseconds.
std::string one_decimal(double value) {
  const auto tenths = static_cast<long long>(std::llround(value * 10));
  return std::to_string(tenths / 10) + '.' + std::to_string(tenths % 10);
}

// "162.3 GB": memory in decimal gigabytes, as datasheets state capacity.
std::string gigabytes(double bytes) {
  return one_decimal(bytes / 1e9) + " GB";
}

// "90%" or "92.5%": gpu_memory_utilization as a percentage.
std::string percent(double share) {
  const std::string text = one_decimal(share * 100);
  return (text.ends_with(".0") ? text.substr(0, text.size() - 2) : text) + '%';
}

} // namespace

int64_t kv_heads_stored_per_gpu(const ModelArch &arch, int64_t tp) {
  return std::max<int64_t>(1, arch.kv_heads / tp);
}

double model_weight_bytes(const ModelArch &arch, int64_t tp) {
  const double L = static_cast<double>(arch.L), d = static_cast<double>(arch.d);
  // Q and O (d x q_dim each), K and V (d x d_kv each)
  const double attention = d * static_cast<double>(2 * arch.q_dim + 2 * arch.d_kv);
  // gate, up and down of every expert, and the router that picks them
  const double experts = arch.is_moe ? static_cast<double>(arch.N) : 1;
  const double ffn = experts * 3 * d * static_cast<double>(arch.d_ff) +
                     (arch.is_moe ? d * static_cast<double>(arch.N) : 0);
  const double embeddings =
      static_cast<double>(arch.vocab) * d * (arch.tied_embeddings ? 1 : 2);
  return (L * (attention + ffn) + embeddings) * kBytesPerElement / static_cast<double>(tp);
}

// 2 (K and V) * L * stored KV heads * d_h * 2 bytes
double kv_cache_bytes_per_token(const ModelArch &arch, int64_t tp) {
  return 2 * static_cast<double>(arch.L) * static_cast<double>(kv_heads_stored_per_gpu(arch, tp)) *
         static_cast<double>(arch.d_h) * kBytesPerElement;
}

MemoryFit memory_fit(const Step &step, const ModelArch &arch, const HardwareSpec &hw, int64_t tp,
                     double utilization) {
  MemoryFit fit;
  fit.utilization = utilization;
  fit.weight_bytes = model_weight_bytes(arch, tp);
  const double per_token = kv_cache_bytes_per_token(arch, tp);
  // Prefill chunks hold their whole prompt once the step is done; decodes their context.
  double prefill_tokens = 0;
  for (const auto &chunk : step.prefill()) {
    prefill_tokens += static_cast<double>(chunk.prompt_tokens) * static_cast<double>(chunk.count);
  }
  const double prefill_kv = per_token * prefill_tokens;
  fit.kv_cache_bytes = prefill_kv + per_token * static_cast<double>(step.decode_context());
  if (!hw.capacity_gb) return fit;

  fit.capacity_bytes = *hw.capacity_gb * 1e9;
  fit.usable_bytes = *fit.capacity_bytes * utilization;
  fit.headroom_bytes = *fit.usable_bytes - fit.weight_bytes - fit.kv_cache_bytes;
  fit.fits = *fit.headroom_bytes >= 0;
  if (step.decode_tokens() > 0) {
    const double mean_context = static_cast<double>(step.decode_context()) /
                                static_cast<double>(step.decode_tokens());
    const double free_for_decodes = *fit.usable_bytes - fit.weight_bytes - prefill_kv;
    const double requests = free_for_decodes > 0 ? std::floor(free_for_decodes / (per_token * mean_context)) : 0;
    // Bounded by the input limits (capacity, widths) well inside int64.
    fit.max_decode_requests = static_cast<int64_t>(std::min(requests, 9e18));
  }
  return fit;
}

Notes memory_notes(const MemoryFit &fit) {
  if (!fit.fits.has_value() || *fit.fits) return {};
  const double needed = fit.weight_bytes + fit.kv_cache_bytes;
  return {{"does_not_fit",
           "The step needs " + gigabytes(needed) + " per GPU (weights " +
               gigabytes(fit.weight_bytes) + ", KV cache " + gigabytes(fit.kv_cache_bytes) +
               ") but only " + gigabytes(*fit.usable_bytes) + " are usable (" +
               percent(fit.utilization) + " of " + gigabytes(*fit.capacity_bytes) +
               "); the predicted time is for a step that cannot run as given.",
           {"memory"}}};
}

Notes kv_replication_notes(const ModelArch &arch, int64_t tp) {
  if (arch.kv_heads >= tp) return {};
  return {{"kv_heads_replicated",
           "The memory footprint stores 1 key/value head per GPU: with " +
               std::to_string(arch.kv_heads) + " key/value heads and TP " + std::to_string(tp) +
               ", engines replicate them.",
           {"memory"}}};
}

} // namespace stepcalc
