#include "stepcalc/prediction.hpp"

#include <algorithm>

namespace stepcalc {

FeatureVector features(const BasisValues &basis) {
  return {std::max(basis.t_pf_compute, basis.t_pf_kv),
          std::max(basis.t_dc_compute, basis.t_dc_kv),
          basis.t_weight,
          basis.t_tp,
          static_cast<double>(basis.num_layers),
          static_cast<double>(basis.batch_size),
          1.0};
}

Prediction predict(const BasisValues &basis, const FeatureVector &beta) {
  Prediction prediction;
  prediction.features = features(basis);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    prediction.contributions_us[i] = beta[i] * prediction.features[i];
    prediction.step_time_us += prediction.contributions_us[i];
  }
  return prediction;
}

std::size_t dominant_term(const FeatureVector &contributions_us) {
  return static_cast<std::size_t>(
      std::max_element(contributions_us.begin(), contributions_us.end()) - contributions_us.begin());
}

Bound bottleneck(double compute_us, double memory_us, bool phase_present) {
  if (!phase_present) return Bound::None;
  return compute_us >= memory_us ? Bound::Compute : Bound::Memory;
}

const char *bound_name(Bound bound) {
  switch (bound) {
  case Bound::Compute: return "compute";
  case Bound::Memory: return "memory";
  case Bound::None: break;
  }
  return "none";
}

} // namespace stepcalc
