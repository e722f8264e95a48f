#include "stepcalc/step.hpp"

namespace stepcalc {

Step::Step(std::vector<PrefillChunk> prefill, std::vector<DecodeGroup> decode)
    : prefill_(std::move(prefill)), decode_(std::move(decode)) {
  for (const auto &chunk : prefill_) {
    prefill_tokens_ += chunk.tokens_this_step * chunk.count;
    prefill_requests_ += chunk.count;
  }
  for (const auto &group : decode_) {
    decode_requests_ += group.count;
    decode_context_ += group.context_length * group.count;
  }
}

} // namespace stepcalc
