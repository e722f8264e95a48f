// Embind bindings for the stepcalc core. The JS facade (stepcalc.mjs) is the only caller.
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
// Errors never cross as C++ exceptions: every entry point catches everything (an
// exception escaping to JS would also leave the wasm stack pointer unrestored).

#include <malloc.h>

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
#include "stepcalc/trace_run.hpp"

namespace {

using emscripten::val;
using nlohmann::ordered_json;
using stepcalc::InputError;

struct Outcome {
  bool ok = false;
  std::string text;  // the result JSON when ok
  std::string where; // else the error's location ("step.decode[3].count")
  std::string what;  // and what is wrong there
};

// Runs `body`, which returns the text of a successful outcome, and turns any
// exception into a failed outcome.
template <typename Body> Outcome guarded(Body &&body) {
  try {
    return {true, body(), "", ""};
  } catch (const InputError &error) {
    return {false, "", error.where(), error.message()};
  } catch (const std::exception &error) {
    return {false, "", "internal", error.what()};
  }
}

// A copy of the column in a fresh Float64Array: views into the heap would go
// stale when memory grows.
val to_float64_array(const std::vector<double> &column) {
  return val::global("Float64Array")
      .new_(emscripten::typed_memory_view(column.size(), column.data()));
}

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

  val error() const {
    val out = val::object();
    out.set("where", error_.where);
    out.set("what", error_.what);
    return out;
  }

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

// A trace run fed in pieces: calc.trace and calc.fit in the facade.
class TraceSession {
public:
  // options: {"model", "gpu", "coefficients" (for steps in the training format), "tp",
  // "skip_bad", "holdout"}, all optional.
  Outcome start(const std::string &options_text) {
    return guarded([&] {
      const nlohmann::json options = stepcalc::parse_json_text(options_text, "trace");
      if (!options.is_object()) throw InputError("trace", "expected an options object");
      stepcalc::TraceOptions parsed;
      for (const char *key : {"model", "gpu", "coefficients"}) {
        if (options.contains(key) && !options[key].is_null()) parsed.header[key] = options[key];
      }
      if (options.contains("tp") && !options["tp"].is_null()) {
        const nlohmann::json &tp = options["tp"];
        if (!tp.is_number_integer() || tp.get<int64_t>() < 1 || tp.get<int64_t>() > stepcalc::limits::kMaxTp) {
          throw InputError("trace.tp", "must be an integer from 1 to " + std::to_string(stepcalc::limits::kMaxTp));
        }
        parsed.tp = tp.get<int64_t>();
      }
      parsed.skip_bad = options.value("skip_bad", false);
      parsed.holdout = options.value("holdout", 0.2);
      if (!(parsed.holdout >= 0 && parsed.holdout <= 0.9)) {
        throw InputError("trace.holdout", "must be a number from 0 to 0.9");
      }
      run_.emplace(std::move(parsed));
      return std::string();
    });
  }

  // The bytes at `address` (UTF-8 text of the file, in order): 0, or -1 on an error
  // (error() says which; the run is then over).
  int push(std::uintptr_t address, int length) {
    return status(guarded([&] {
      live().feed({reinterpret_cast<const char *>(address), static_cast<std::size_t>(length)});
      return std::string();
    }));
  }
  int finish() {
    return status(guarded([&] {
      live().finish();
      return std::string();
    }));
  }
  double steps() const { return run_ ? static_cast<double>(run_->summary().steps) : 0; }
  double skipped() const { return run_ ? static_cast<double>(run_->summary().skipped) : 0; }

  // Every column as a Float64Array; features and contributions as x1..x7 and c1..c7.
  val columns() const {
    val out = val::object();
    if (!run_) return out;
    const stepcalc::TraceColumns &c = run_->columns();
    const std::pair<const char *, const std::vector<double> *> named[] = {
        {"position", &c.position},         {"step_id", &c.step_id},
        {"t_pf_compute", &c.t_pf_compute}, {"t_pf_kv", &c.t_pf_kv},
        {"t_dc_compute", &c.t_dc_compute}, {"t_dc_kv", &c.t_dc_kv},
        {"t_weight", &c.t_weight},         {"t_tp", &c.t_tp},
        {"num_layers", &c.num_layers},     {"batch_size", &c.batch_size},
        {"step_time_us", &c.step_time_us}, {"duration_us", &c.duration_us},
        {"error_pct", &c.error_pct}};
    for (const auto &[name, column] : named) out.set(name, to_float64_array(*column));
    for (std::size_t i = 0; i < stepcalc::kFeatureCount; ++i) {
      out.set("x" + std::to_string(i + 1), to_float64_array(c.features[i]));
      out.set("c" + std::to_string(i + 1), to_float64_array(c.contributions_us[i]));
    }
    return out;
  }

  // The ids that are not plain integers: {rows: Float64Array, cells: [the CSV cell of each]}.
  val step_id_cells() const {
    val out = val::object();
    val cells = val::array();
    if (run_) {
      for (const std::string &cell : run_->columns().id_cells) cells.call<void>("push", cell);
    }
    out.set("rows", to_float64_array(run_ ? run_->columns().id_cell_rows : std::vector<double>{}));
    out.set("cells", cells);
    return out;
  }

  // The summary as `stepcalc trace` reports it, with the first skipped steps' errors.
  std::string summary_json() const {
    if (!run_) return "null";
    nlohmann::ordered_json out = run_->summary().to_json();
    const stepcalc::TraceFormat format = run_->format();
    out["format"] = format == stepcalc::TraceFormat::Experiment ? "document"
                    : format == stepcalc::TraceFormat::JsonLines ? "json_lines"
                                                                 : nullptr;
    out["skipped_errors"] = run_->skipped_messages();
    return out.dump();
  }

  Outcome fit(double lambda) const {
    return guarded([&] {
      if (!run_) throw std::logic_error("fit before start");
      if (!(lambda >= 0 && lambda <= 1e30)) throw InputError("fit.lambda", "must be a number from 0 to 1e+30");
      return run_->fit(lambda).dump();
    });
  }

  val error() const {
    val out = val::object();
    out.set("where", error_.where);
    out.set("what", error_.what);
    return out;
  }

private:
  stepcalc::TraceRun &live() {
    if (!run_ || failed_) throw std::logic_error("the trace run is not open");
    return *run_;
  }
  int status(const Outcome &outcome) {
    if (outcome.ok) return 0;
    error_ = outcome;
    failed_ = true;
    return -1;
  }

  std::optional<stepcalc::TraceRun> run_;
  bool failed_ = false;
  Outcome error_;
};

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

// Bytes malloc has handed out and not had back: what a leak check watches.
double heap_bytes_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc) {
  emscripten::value_object<Outcome>("Outcome")
      .field("ok", &Outcome::ok)
      .field("text", &Outcome::text)
      .field("where", &Outcome::where)
      .field("what", &Outcome::what);
  emscripten::class_<Scenario>("Scenario")
      .constructor<>()
      .function("open", &Scenario::open)
      .function("notesJson", &Scenario::notes_json)
      .function("sweep", &Scenario::sweep)
      .function("error", &Scenario::error)
      .function("recordAddress", &Scenario::record_address)
      .function("address", &Scenario::address);
  emscripten::class_<TraceSession>("TraceSession")
      .constructor<>()
      .function("start", &TraceSession::start)
      .function("push", &TraceSession::push)
      .function("finish", &TraceSession::finish)
      .function("steps", &TraceSession::steps)
      .function("skipped", &TraceSession::skipped)
      .function("columns", &TraceSession::columns)
      .function("stepIdCells", &TraceSession::step_id_cells)
      .function("summaryJson", &TraceSession::summary_json)
      .function("fit", &TraceSession::fit)
      .function("error", &TraceSession::error);
  emscripten::function("computeJson", &compute_json);
  emscripten::function("sweepJson", &sweep_json);
  emscripten::function("checkModel", &check_model);
  emscripten::function("checkGpu", &check_gpu);
  emscripten::function("presets", &presets_json);
  emscripten::function("limits", &limits_json);
  emscripten::function("responseFields", &stepcalc::response_field_list);
  emscripten::function("stepRecordSize", &stepcalc::step_record_size);
  emscripten::function("heapBytesInUse", &heap_bytes_in_use);
}
