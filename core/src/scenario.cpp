#include "stepcalc/scenario.hpp"

namespace stepcalc {

namespace {

void append(Notes &notes, const Notes &more) {
  notes.insert(notes.end(), more.begin(), more.end());
}

} // namespace

Notes scenario_notes(const Notes &model_notes, const Notes &hardware_notes, const ModelArch &arch,
                     int64_t tp) {
  Notes notes = model_notes;
  append(notes, hardware_notes);
  append(notes, tp_sharding_notes(arch, tp));
  append(notes, kv_replication_notes(arch, tp));
  return notes;
}

StepResult evaluate(const Scenario &scenario) { return evaluate(scenario, scenario.step); }

StepResult evaluate(const Scenario &scenario, const Step &step) {
  StepResult result;
  result.work = step_work(step, scenario.arch, scenario.tp);
  result.basis = basis_values(step, scenario.arch, result.work, scenario.hardware);
  result.prediction = predict(result.basis, scenario.beta);
  result.prefill_bound =
      bottleneck(result.basis.t_pf_compute, result.basis.t_pf_kv, step.has_prefill());
  result.decode_bound =
      bottleneck(result.basis.t_dc_compute, result.basis.t_dc_kv, step.has_decode());
  result.memory = memory_fit(step, scenario.arch, scenario.hardware, scenario.tp,
                             scenario.gpu_memory_utilization);
  result.empty_step = !step.has_prefill() && !step.has_decode();
  return result;
}

StepNoteInputs step_note_inputs(const StepResult &result) {
  return {result.empty_step, result.memory};
}

Notes step_notes(const StepNoteInputs &inputs) {
  Notes notes;
  if (inputs.empty_step) {
    notes.push_back({"empty_step",
                     "The step has no prefill chunk and no decode request; only weight loading "
                     "and fixed overheads remain.",
                     {}});
  }
  append(notes, memory_notes(inputs.memory));
  return notes;
}

} // namespace stepcalc
