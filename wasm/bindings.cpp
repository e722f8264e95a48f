// Embind bindings of the page's module (stepcalc.wasm): the calculator. The JS facade
// (stepcalc.mjs) is the only caller. Trace and fit live in the worker's module
// (worker_bindings.cpp), so the page does not load their code.
//
//  - Scenario (an Embind class the facade owns and delete()s): one validated request
//    header (model, GPU, TP, coefficients). Batches arrive as numbers in heap memory the
//    facade mallocs per call (scenario_binding.cpp, at -O3); compute() (called through the
//    plain export stepcalc_scenario_compute) writes the step's response fields as numbers into
//    the object's record (the STEP rows of core/src/response_fields.def), and the facade's
//    generated builder turns record + scenario fields into the response. No JSON per call.
//  - computeJson / sweepJson: the full JSON path, exactly `stepcalc compute`. The facade
//    uses it for JSON it cannot take the quick way and for every error, so error messages
//    are always the CLI's.
//  - presets, limits, responseFields, stepRecordSize, checkModel, checkGpu, heapBytesInUse.
// Errors never cross as C++ exceptions: every entry point catches everything
// (binding_support.hpp).

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/presets.hpp"

#include "binding_support.hpp"
#include "scenario_binding.hpp"

namespace {

using emscripten::val;
using nlohmann::ordered_json;
using stepcalc_wasm::guarded;
using stepcalc_wasm::number_vector;
using stepcalc_wasm::Outcome;
using stepcalc_wasm::Scenario;
using stepcalc_wasm::sweep_value;

Outcome compute_json(const std::string &request) {
  return guarded([&] { return stepcalc::compute_response(request); });
}

val sweep_json(const std::string &request, const std::string &variable, const val &values) {
  stepcalc::SweepSeries series;
  const Outcome outcome = guarded([&] {
    const auto scenario = stepcalc::parse_request(stepcalc::parse_json_text(request, "request"));
    series = stepcalc::sweep(scenario, variable, number_vector(values));
    return std::string();
  });
  return sweep_value(outcome, series);
}

// {"arch": {...}, "notes": [...]} for a HF config.json, as a request's response states it.
Outcome check_model(const std::string &config) {
  return guarded([&] {
    const auto resolved =
        stepcalc::resolve_model_arch(stepcalc::parse_json_text(config, "model"), "model");
    stepcalc::Scenario scenario;
    scenario.arch = resolved.arch;
    ordered_json out = stepcalc::scenario_fields_json(scenario, "arch.");
    out["notes"] = stepcalc::notes_to_json(resolved.notes);
    return out.dump();
  });
}

// {"hardware": {...}, "notes": [...]} for a datasheet, read as for TP 1.
Outcome check_gpu(const std::string &datasheet) {
  return guarded([&] {
    const auto resolved =
        stepcalc::resolve_hardware(stepcalc::parse_json_text(datasheet, "gpu"), "gpu", 1);
    stepcalc::Scenario scenario;
    scenario.hardware = resolved.spec;
    ordered_json out = stepcalc::scenario_fields_json(scenario, "hardware.");
    out["notes"] = stepcalc::notes_to_json(resolved.notes);
    return out.dump();
  });
}

std::string presets_json() {
  return stepcalc::presets_to_json(stepcalc::presets()).dump();
}

// The core's input bounds (limits.hpp), for the facade and the page to read instead of
// copying them. One table and one loop, not an initializer list: each of its entries cost
// about 200 B of stepcalc.wasm, which the page's first load pays for.
std::string limits_json() {
  namespace l = stepcalc::limits;
  struct Limit {
    const char *name;
    double value; // every bound is exact in a double
  };
  static constexpr Limit kLimits[] = {
      {"max_tokens", l::kMaxTokens},
      {"max_count", l::kMaxCount},
      {"max_rows", l::kMaxRows},
      {"max_tp", l::kMaxTp},
      {"max_sweep_points", l::kMaxSweepPoints},
      {"max_json_depth", l::kMaxJsonDepth},
      {"max_layers", l::kMaxLayers},
      {"max_width", l::kMaxWidth},
      {"max_heads", l::kMaxHeads},
      {"max_experts", l::kMaxExperts},
      {"max_vocab", l::kMaxVocab},
      {"min_rate", l::kMinRate},
      {"max_rate", l::kMaxRate},
      {"max_beta", l::kMaxBeta},
      {"max_capacity_gb", l::kMaxCapacityGb},
      {"min_gpu_memory_utilization", l::kMinUtilization},
      {"max_simulation_requests", l::kMaxSimulationRequests},
      {"max_simulation_steps", l::kMaxSimulationSteps},
      {"min_arrival_rate", l::kMinArrivalRate},
      {"max_arrival_rate", l::kMaxArrivalRate},
      {"default_gpu_memory_utilization", stepcalc::kDefaultGpuMemoryUtilization},
  };
  ordered_json out = ordered_json::object();
  for (const Limit &limit : kLimits) {
    // Whole bounds are written as integers, as before ("4096", not "4096.0").
    const auto whole = static_cast<int64_t>(limit.value);
    if (static_cast<double>(whole) == limit.value) out[limit.name] = whole;
    else out[limit.name] = limit.value;
  }
  return out.dump();
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc) {
  stepcalc_wasm::bind_outcome();
  emscripten::class_<Scenario>("Scenario")
      .constructor<>()
      .function("open", &Scenario::open)
      .function("notesJson", &Scenario::notes_json)
      .function("sweep", &Scenario::sweep)
      .function("error", &Scenario::error)
      .function("recordAddress", &Scenario::record_address)
      .function("address", &Scenario::address);
  emscripten::function("computeJson", &compute_json);
  emscripten::function("sweepJson", &sweep_json);
  emscripten::function("checkModel", &check_model);
  emscripten::function("checkGpu", &check_gpu);
  emscripten::function("presets", &presets_json);
  emscripten::function("limits", &limits_json);
  emscripten::function("responseFields", &stepcalc::response_field_list);
  emscripten::function("stepRecordSize", &stepcalc::step_record_size);
  emscripten::function("heapBytesInUse", &stepcalc_wasm::heap_bytes_in_use);
}
