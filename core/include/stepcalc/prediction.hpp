#pragma once

#include <array>
#include <string>

#include "stepcalc/basis.hpp"

namespace stepcalc {

inline constexpr std::size_t kFeatureCount = 7;
using FeatureVector = std::array<double, kFeatureCount>;

// The terms of β·X by name, in feature order, as responses name them.
inline constexpr std::array<const char *, kFeatureCount> kTermNames = {
    "prefill", "decode", "weight", "tp", "per_layer", "per_request", "constant"};

// The index of the largest contribution (the first of equal ones).
std::size_t dominant_term(const FeatureVector &contributions_us);

// X = [max(t_pf_compute, t_pf_kv), max(t_dc_compute, t_dc_kv), t_weight, t_tp, L, batch_size, 1]
FeatureVector features(const BasisValues &basis);

struct Prediction {
  FeatureVector features{};
  FeatureVector contributions_us{}; // beta_i * x_i
  double step_time_us = 0;          // sum of the contributions
};

Prediction predict(const BasisValues &basis, const FeatureVector &beta);

// Which side of max() sets a phase; None for an empty phase.
enum class Bound { None = 0, Compute = 1, Memory = 2 };
Bound bottleneck(double compute_us, double memory_us, bool phase_present);
// "none", "compute" or "memory", as the response writes it.
const char *bound_name(Bound bound);

} // namespace stepcalc
