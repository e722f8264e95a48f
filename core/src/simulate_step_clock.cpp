// The simulation's clock: a step's time from the batch's totals.
//
// Why totals suffice (basis.cpp): the decode terms read the decodes only through their
// count T_dc and summed context Σ S_j (projection and FFN FLOPs ∝ T_dc, attention FLOPs ∝
// Σ S_j, KV bytes ∝ Σ S_j + T_dc), the weight and TP terms through the step's token total,
// and the per-request term through the request count. So n decodes of summed context C are
// timed as n - r rows of context q and r of q + 1 (C = q n + r): the same integer totals,
// hence the same doubles, as one row per request. Prefill chunks are few per step (they
// share the token budget) and are passed as they are, in batch order.

#include <algorithm>

#include "stepcalc/basis.hpp"
#include "stepcalc/batch.hpp"
#include "stepcalc/simulate.hpp"

namespace stepcalc {

StepClock::StepClock(const Scenario &scenario) : scenario_(scenario) {}

const Prediction &StepClock::time(std::span<const PrefillChunk> chunks, int64_t decode_requests,
                                  int64_t decode_context) {
  packed_prefill_.clear();
  for (const auto &chunk : chunks) {
    packed_prefill_.insert(packed_prefill_.end(),
                           {static_cast<double>(chunk.tokens_this_step),
                            static_cast<double>(chunk.prompt_tokens), 1.0});
  }
  packed_decode_.clear();
  if (decode_requests > 0) {
    const int64_t mean = decode_context / decode_requests;
    const int64_t above_mean = decode_context % decode_requests; // rows at mean + 1
    if (decode_requests > above_mean) {
      packed_decode_.insert(packed_decode_.end(), {static_cast<double>(mean),
                                                   static_cast<double>(decode_requests - above_mean)});
    }
    if (above_mean > 0) {
      packed_decode_.insert(packed_decode_.end(),
                            {static_cast<double>(mean + 1), static_cast<double>(above_mean)});
    }
  }
  Step &step = scenario_.step;
  assign_packed(step, packed_prefill_, packed_decode_);
  const StepWork work = step_work(step, scenario_.arch, scenario_.tp);
  prediction_ = predict(basis_values(step, scenario_.arch, work, scenario_.hardware), scenario_.beta);
  return prediction_;
}

} // namespace stepcalc
