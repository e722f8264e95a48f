#pragma once

// The response of `stepcalc compute`, written from one table (src/response_fields.def).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepcalc/scenario.hpp"

namespace stepcalc {

// The whole response, keys in the table's order.
nlohmann::ordered_json response_json(const Scenario &scenario, const StepResult &result);

// The scenario-level fields only (those that start with `prefix`, when given): what the
// WASM module sends once per scenario.
nlohmann::ordered_json scenario_fields_json(const Scenario &scenario, std::string_view prefix = "");

// "notes": the scenario's notes, then the step's.
nlohmann::ordered_json response_notes_json(const Scenario &scenario, const StepResult &result);

// The step-level fields as numbers, in table order (a vector7 takes 7 slots; a bound is
// 0 none, 1 compute, 2 memory; a flag 0 or 1; null is NaN).
std::size_t step_record_size();
void write_step_record(const Scenario &scenario, const StepResult &result,
                       std::span<double> record);

// The table's first two columns, "STEP:number:step_time_us,SCENARIO:vector7:beta,...",
// so the module can check that its generated builder matches the core it runs.
std::string response_field_list();

} // namespace stepcalc
