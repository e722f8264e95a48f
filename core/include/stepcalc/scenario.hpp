#pragma once

// A validated scenario (model, GPU, TP, coefficients and the batch) and what the core
// computes from it.

#include <cstdint>
#include <string>

#include "stepcalc/basis.hpp"
#include "stepcalc/hardware.hpp"
#include "stepcalc/memory.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/note.hpp"
#include "stepcalc/prediction.hpp"
#include "stepcalc/step.hpp"

namespace stepcalc {

// Every invariant of the core holds: it is only built by parse_request (or a copy of one
// whose step or TP a sweep changed through the same checks).
struct Scenario {
  std::string model_id; // preset id, or "custom"
  ModelArch arch;
  std::string gpu_id;
  HardwareSpec hardware;
  int64_t tp = 1;
  std::string coefficients_id;
  FeatureVector beta{};
  double gpu_memory_utilization = kDefaultGpuMemoryUtilization;
  Notes notes; // model, GPU and TP notes: the ones the batch cannot change
  Step step;
};

struct StepResult {
  StepWork work;
  BasisValues basis;
  Prediction prediction;
  Bound prefill_bound = Bound::None;
  Bound decode_bound = Bound::None;
  MemoryFit memory;
  Notes step_notes; // notes about this batch, after the scenario's
};

StepResult evaluate(const Scenario &scenario);

// The notes of a scenario's header: the model's, the GPU's and those of its TP degree.
Notes scenario_notes(const Notes &model_notes, const Notes &hardware_notes, const ModelArch &arch,
                     int64_t tp);

} // namespace stepcalc
