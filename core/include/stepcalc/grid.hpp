#pragma once

// One batch on many GPUs at many TP degrees: the answer to "on which GPU, at which TP?".
// Each cell is what `stepcalc compute` gives for that GPU and TP, reduced to the figures a
// deployment is chosen by.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/prediction.hpp"
#include "stepcalc/scenario.hpp"

namespace stepcalc {

// The figures a deployment is chosen by, for one GPU and TP: a cell's numbers, and all the
// page's live grid reads per batch (wasm/scenario_binding.cpp).
struct GridFigures {
  double step_time_us = 0;
  std::optional<bool> fits; // unknown for a datasheet without memory.capacity_gb
  std::optional<double> headroom_bytes;
  std::optional<int64_t> max_decode_requests;
  std::optional<double> tokens_per_s;         // none when the step time is 0
  std::optional<double> tokens_per_s_per_gpu; // tokens_per_s / TP
};

// `result` is evaluate(header, step).
GridFigures grid_figures(const Scenario &header, const Step &step, const StepResult &result);

struct GridCell {
  std::string gpu;       // the preset id, or "custom" for a datasheet given inline
  std::size_t gpu_index = 0; // its place in the request's "gpus"
  int64_t tp = 1;
  // Why this GPU cannot run at this TP (the core's error line); the figures are then empty.
  std::optional<std::string> error;
  GridFigures figures;
  Bound prefill_bound = Bound::None;
  Bound decode_bound = Bound::None;
  std::size_t dominant_term = 0; // index into kTermNames
  std::vector<std::string> note_codes;
};

// Reads a grid request: the compute request without "gpu" and "tp", with optional "gpus"
// (preset ids or datasheets; every preset GPU by default) and "tps" ([1, 2, 4, 8] by
// default). Cells run GPU by GPU, each over every TP.
std::vector<GridCell> grid_cells(const nlohmann::json &request);

// What `stepcalc grid` prints: {"cells": [...]} (compact JSON).
std::string grid_response(std::string_view request_text);

} // namespace stepcalc
