#pragma once

// Does the step fit in GPU memory? Weights and the KV cache of every request of the
// step, per GPU, against the usable share of the datasheet's capacity.

#include <cstdint>
#include <optional>

#include "stepcalc/hardware.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/note.hpp"
#include "stepcalc/step.hpp"

namespace stepcalc {

// vLLM's default gpu_memory_utilization: the share of HBM the engine may use.
inline constexpr double kDefaultGpuMemoryUtilization = 0.9;

struct MemoryFit {
  double weight_bytes = 0;   // every parameter at 2 bytes, divided by TP
  double kv_cache_bytes = 0; // K and V of every request at its full context, 2 bytes each
  std::optional<double> capacity_bytes; // unknown without memory.capacity_gb
  double utilization = kDefaultGpuMemoryUtilization;
  std::optional<double> usable_bytes;   // capacity * utilization
  std::optional<double> headroom_bytes; // usable - weights - KV; negative when it does not fit
  std::optional<bool> fits;
  // Decode requests at the step's mean decode context that fit beside the weights and the
  // prefill chunks' KV; none without decodes or capacity.
  std::optional<int64_t> max_decode_requests;
  bool operator==(const MemoryFit &) const = default;
};

// KV heads each GPU stores: kv_heads // TP, and at least 1 (engines replicate KV heads
// when there are fewer than GPUs).
int64_t kv_heads_stored_per_gpu(const ModelArch &arch, int64_t tp);

// Parameters * 2 bytes / TP: attention projections, all experts' FFN (and router), the
// embedding matrix and, when untied, the LM head.
double model_weight_bytes(const ModelArch &arch, int64_t tp);

// KV cache bytes one token occupies on one GPU over all layers.
double kv_cache_bytes_per_token(const ModelArch &arch, int64_t tp);

MemoryFit memory_fit(const Step &step, const ModelArch &arch, const HardwareSpec &hw, int64_t tp,
                     double utilization);

// A "does_not_fit" note when the step needs more than the usable memory.
Notes memory_notes(const MemoryFit &fit);

// A "kv_heads_replicated" note when kv_heads < TP.
Notes kv_replication_notes(const ModelArch &arch, int64_t tp);

} // namespace stepcalc
