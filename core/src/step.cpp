#include "stepcalc/step.hpp"

namespace stepcalc {

int64_t Step::prefill_tokens() const {
  int64_t total = 0;
  for (const auto &chunk : prefill)
    total += chunk.tokens_this_step * chunk.count;
  return total;
}

int64_t Step::decode_tokens() const {
  int64_t total = 0;
  for (const auto &group : decode)
    total += group.count;
  return total;
}

int64_t Step::decode_context() const {
  int64_t total = 0;
  for (const auto &group : decode)
    total += group.context_length * group.count;
  return total;
}

int64_t Step::batch_size() const {
  int64_t total = decode_tokens();
  for (const auto &chunk : prefill)
    total += chunk.count;
  return total;
}

} // namespace stepcalc
