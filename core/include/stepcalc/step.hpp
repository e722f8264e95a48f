#pragma once

#include <cstdint>
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

// One scheduler step: the batch the engine runs together.
struct Step {
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;

  int64_t prefill_tokens() const; // T_pf = sum of T_i
  int64_t decode_tokens() const;  // T_dc = number of decode requests (one token each)
  int64_t decode_context() const; // sum of S_j
  int64_t batch_size() const;     // prefill requests + decode requests
  bool has_prefill() const { return !prefill.empty(); }
  bool has_decode() const { return !decode.empty(); }
};

} // namespace stepcalc
