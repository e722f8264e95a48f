#pragma once

// Reading a request (the JSON `stepcalc compute` and the WASM module accept) into a
// Scenario. Every error is an InputError naming the offending field.

#include <nlohmann/json.hpp>

#include "stepcalc/scenario.hpp"

namespace stepcalc {

Scenario parse_request(const nlohmann::json &request);

// The request without its "step" (model, gpu, tp, coefficients, gpu_memory_utilization):
// for callers that send batches as numbers (the WASM module's scenarios). A "step" member,
// if present, is ignored.
Scenario parse_request_header(const nlohmann::json &request);

} // namespace stepcalc
