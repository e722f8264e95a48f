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
  bool empty_step = false; // no prefill chunk and no decode request
  MemoryFit memory;
};

StepResult evaluate(const Scenario &scenario);
// The same for another step with the scenario's header: one batch on many GPUs and TP
// degrees reads its rows once (the page's live grid).
StepResult evaluate(const Scenario &header, const Step &step);

// The notes about the batch, after the scenario's: an empty step, a step that does not
// fit. Built on demand from what they depend on (a batch evaluated thousands of times a
// second should not format sentences nobody reads), so equal inputs give equal notes.
struct StepNoteInputs {
  bool empty_step = false;
  MemoryFit memory;
  bool operator==(const StepNoteInputs &) const = default;
};
StepNoteInputs step_note_inputs(const StepResult &result);
Notes step_notes(const StepNoteInputs &inputs);

// The notes of a scenario's header: the model's, the GPU's and those of its TP degree.
Notes scenario_notes(const Notes &model_notes, const Notes &hardware_notes, const ModelArch &arch,
                     int64_t tp);

} // namespace stepcalc
