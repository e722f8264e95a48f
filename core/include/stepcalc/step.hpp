#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace stepcalc {

// `count` repeats an entry: each repeat is one request of the step.
struct PrefillChunk {
  int64_t tokens_this_step = 0; // T_i, tokens computed in this step
  int64_t prompt_tokens = 0;    // S_i, the request's prompt length
  int64_t count = 1;
};

struct DecodeGroup {
  int64_t context_length = 0; // S_j, tokens already in the KV cache
  int64_t count = 1;
};

// One scheduler step: the batch the engine runs together. Immutable, so its
// totals are summed once, not by every basis function.
class Step {
public:
  Step() = default;
  Step(std::vector<PrefillChunk> prefill, std::vector<DecodeGroup> decode);

  const std::vector<PrefillChunk> &prefill() const { return prefill_; }
  const std::vector<DecodeGroup> &decode() const { return decode_; }

  int64_t prefill_tokens() const { return prefill_tokens_; } // T_pf = sum of T_i
  int64_t prefill_requests() const { return prefill_requests_; }
  int64_t decode_tokens() const { return decode_requests_; } // T_dc: one token per request
  int64_t decode_context() const { return decode_context_; } // sum of S_j
  int64_t batch_size() const { return prefill_requests_ + decode_requests_; }
  bool has_prefill() const { return !prefill_.empty(); }
  bool has_decode() const { return !decode_.empty(); }

private:
  // Rebuilds a step from packed numbers in place, reusing its memory (batch.cpp): the
  // WASM module's scenarios do this for every call.
  friend void assign_packed(Step &step, std::span<const double> prefill,
                            std::span<const double> decode);

  std::vector<PrefillChunk> prefill_;
  std::vector<DecodeGroup> decode_;
  int64_t prefill_tokens_ = 0;
  int64_t prefill_requests_ = 0;
  int64_t decode_requests_ = 0;
  int64_t decode_context_ = 0;
};

} // namespace stepcalc
