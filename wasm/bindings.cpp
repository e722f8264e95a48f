// Embind bindings of the page's module (stepcalc.wasm): the calculator. The JS facade
// (stepcalc.mjs) is the only caller. Trace and fit live in the worker's module
// (worker_bindings.cpp), so the page does not load their code.
//
//  - Scenario (an Embind class the facade owns and delete()s): one validated request
//    header (model, GPU, TP, coefficients). Batches arrive as numbers in heap memory the
//    facade mallocs per call; compute() (called through the plain export
//    stepcalc_scenario_compute) writes the step's response fields as numbers into
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

namespace {

using emscripten::val;
using nlohmann::ordered_json;
using stepcalc_wasm::guarded;
using stepcalc_wasm::Outcome;
using stepcalc_wasm::to_float64_array;

// {ok: true, values, t_pf_compute, ..., headroom_bytes} as Float64Arrays, or
// {ok: false, where, what}.
val sweep_value(const Outcome &outcome, const stepcalc::SweepSeries &series) {
  val out = val::object();
  out.set("ok", outcome.ok);
  if (!outcome.ok) {
    out.set("where", outcome.where);
    out.set("what", outcome.what);
    return out;
  }
  out.set("values", to_float64_array(series.values));
  out.set("t_pf_compute", to_float64_array(series.t_pf_compute));
  out.set("t_pf_kv", to_float64_array(series.t_pf_kv));
  out.set("t_dc_compute", to_float64_array(series.t_dc_compute));
  out.set("t_dc_kv", to_float64_array(series.t_dc_kv));
  out.set("t_weight", to_float64_array(series.t_weight));
  out.set("t_tp", to_float64_array(series.t_tp));
  out.set("batch_size", to_float64_array(series.batch_size));
  out.set("step_time_us", to_float64_array(series.step_time_us));
  out.set("headroom_bytes", to_float64_array(series.headroom_bytes));
  return out;
}

std::vector<double> number_vector(const val &values) {
  return emscripten::convertJSArrayToNumberVector<double>(values);
}

// The batch as numbers in the caller's heap memory (the facade mallocs it per call, so
// a call made from inside another, by a getter, has memory of its own).
// A list of `rows` rows of `stride` doubles at a byte address in the heap.
std::span<const double> heap_rows(std::uintptr_t address, int rows, std::size_t stride) {
  if (rows < 0) throw std::logic_error("negative row count");
  if (rows == 0) return {};
  return {reinterpret_cast<const double *>(address), static_cast<std::size_t>(rows) * stride};
}

class Scenario {
public:
  Scenario() : record_(stepcalc::step_record_size()) {}

  // Reads the header; when ok, the text holds the scenario-level response fields.
  Outcome open(const std::string &header) {
    opened_ = false;
    return guarded([&] {
      scenario_ = stepcalc::parse_request_header(stepcalc::parse_json_text(header, "request"));
      opened_ = true;
      notes_sent_ = false;
      return stepcalc::scenario_fields_json(scenario_).dump();
    });
  }

  // Evaluates the rows: 1 when the record is ready and the notes may differ from the last
  // call's (read notesJson()), 0 when ready with the same notes, -1 on an error (read
  // error()).
  int compute(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows) {
    const Outcome outcome = guarded([&] {
      set_step(prefill, prefill_rows, decode, decode_rows);
      result_ = stepcalc::evaluate(scenario_);
      stepcalc::write_step_record(scenario_, result_, record_);
      return std::string();
    });
    if (!outcome.ok) {
      error_ = outcome;
      return -1;
    }
    // The notes are a function of these inputs: unchanged inputs, unchanged notes.
    const stepcalc::StepNoteInputs inputs = stepcalc::step_note_inputs(result_);
    const bool same_notes = notes_sent_ && inputs == sent_note_inputs_;
    sent_note_inputs_ = inputs;
    notes_sent_ = true;
    return same_notes ? 0 : 1;
  }

  std::string notes_json() const {
    return stepcalc::response_notes_json(scenario_, result_).dump();
  }

  // The rows, one variable varied over `values`.
  val sweep(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows,
            const std::string &variable, const val &values) {
    stepcalc::SweepSeries series;
    const Outcome outcome = guarded([&] {
      set_step(prefill, prefill_rows, decode, decode_rows);
      series = stepcalc::sweep(scenario_, variable, number_vector(values));
      return std::string();
    });
    return sweep_value(outcome, series);
  }

  val error() const { return stepcalc_wasm::error_value(error_); }

  // Where compute() leaves the step's numbers: a byte address in the wasm heap, fixed
  // for the object's life.
  std::uintptr_t record_address() const { return reinterpret_cast<std::uintptr_t>(record_.data()); }

  // The object's own address, for stepcalc_scenario_compute below.
  std::uintptr_t address() const { return reinterpret_cast<std::uintptr_t>(this); }

private:
  void set_step(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows) {
    if (!opened_) throw std::logic_error("Scenario used before a successful open");
    stepcalc::assign_packed(scenario_.step, heap_rows(prefill, prefill_rows, 3),
                            heap_rows(decode, decode_rows, 2));
  }

  std::vector<double> record_;
  stepcalc::Scenario scenario_;
  stepcalc::StepResult result_;
  bool opened_ = false;
  bool notes_sent_ = false;
  stepcalc::StepNoteInputs sent_note_inputs_;
  Outcome error_;
};

} // namespace

// Scenario::compute as a plain export, the one call made per batch: through Embind's
// generic method invoker (all there is without DYNAMIC_EXECUTION) a call costs more
// than evaluating a typical batch. `scenario` is what Scenario::address() returned; the
// facade calls this only while it holds that object undeleted.
extern "C" EMSCRIPTEN_KEEPALIVE int stepcalc_scenario_compute(std::uintptr_t scenario,
                                                              std::uintptr_t prefill,
                                                              int prefill_rows,
                                                              std::uintptr_t decode,
                                                              int decode_rows) {
  return reinterpret_cast<Scenario *>(scenario)->compute(prefill, prefill_rows, decode,
                                                          decode_rows);
}

namespace {

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
// copying them.
std::string limits_json() {
  namespace l = stepcalc::limits;
  return ordered_json{{"max_tokens", l::kMaxTokens},
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
                      {"default_gpu_memory_utilization", stepcalc::kDefaultGpuMemoryUtilization}}
      .dump();
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
