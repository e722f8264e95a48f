#pragma once

// The calculator: a request (the JSON the CLI and the WASM module accept) is
// parsed once into a typed Scenario, evaluated, and written back as JSON.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/basis.hpp"
#include "stepcalc/hardware.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/note.hpp"
#include "stepcalc/prediction.hpp"
#include "stepcalc/step.hpp"

namespace stepcalc {

// A validated request: every invariant of the core holds.
struct Scenario {
  std::string model_id; // preset id, or "custom"
  ModelArch arch;
  Notes model_notes;
  std::string gpu_id;
  HardwareSpec hardware;
  Notes hardware_notes;
  int64_t tp = 1;
  std::string coefficients_id;
  FeatureVector beta{};
  Step step;
};

struct StepResult {
  StepWork work;
  BasisValues basis;
  Prediction prediction;
  Notes notes; // model, hardware, TP sharding and step notes together
};

// Parses JSON text; invalid JSON is an InputError at `where` with line and column.
nlohmann::json parse_json_text(std::string_view text, const std::string &where);

// Throws InputError naming the offending field.
Scenario parse_request(const nlohmann::json &request);

// The request without its step (model, gpu, tp, coefficients), for callers that
// pass the batch as numbers instead (the WASM fast path).
Scenario parse_request_header(const nlohmann::json &request);

// The batch from numbers: prefill as (tokens_this_step, prompt_tokens, count)
// triples, decode as (context_length, count) pairs. Validated with the same
// rules and messages as the JSON "step".
Step step_from_rows(std::span<const double> prefill, std::span<const double> decode);

StepResult evaluate(const Scenario &scenario);

nlohmann::ordered_json result_to_json(const Scenario &scenario, const StepResult &result);

// The whole pipeline: request text in, response text out (what `stepcalc compute` prints).
std::string compute_response(std::string_view request_text);

// One variable of a scenario varied over a list of values.
// Variables: "tp", "prefill[i].tokens_this_step", "prefill[i].prompt_tokens",
// "prefill[i].count", "decode[i].context_length", "decode[i].count"; an index of
// "*" sets that field in every row.
struct SweepSeries {
  std::vector<double> values;
  std::vector<double> t_pf_compute, t_pf_kv, t_dc_compute, t_dc_kv, t_weight, t_tp;
  std::vector<double> batch_size, step_time_us;
};

SweepSeries sweep(const Scenario &base, std::string_view variable,
                  const std::vector<double> &values);

} // namespace stepcalc
