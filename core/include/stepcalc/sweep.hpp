#pragma once

#include <string_view>
#include <vector>

#include "stepcalc/scenario.hpp"

namespace stepcalc {

// One variable of a scenario varied over a list of values.
// Variables: "tp", "prefill[i].tokens_this_step", "prefill[i].prompt_tokens",
// "prefill[i].count", "decode[i].context_length", "decode[i].count"; an index of
// "*" sets that field in every row.
struct SweepSeries {
  std::vector<double> values;
  std::vector<double> t_pf_compute, t_pf_kv, t_dc_compute, t_dc_kv, t_weight, t_tp;
  std::vector<double> batch_size, step_time_us;
  std::vector<double> headroom_bytes; // memory headroom per GPU; NaN when capacity is unknown
};

SweepSeries sweep(const Scenario &base, std::string_view variable,
                  const std::vector<double> &values);

} // namespace stepcalc
