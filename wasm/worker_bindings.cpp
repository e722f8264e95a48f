// Embind bindings of the worker's module (stepcalc_worker.wasm): the heavy APIs that run
// off the page's thread, built from the same core as the page's module (bindings.cpp)
// but loaded only where they run. The JS side is stepcalc_worker.mjs.
//
//  - TraceSession (an Embind class the JS side owns and delete()s): a trace fed in pieces
//    of UTF-8 bytes from heap memory, its columns and summary, and fit(λ) on its steps.
//  - simulateJson(request text): the serving simulation, the text `stepcalc simulate`
//    prints, so the facade's JSON.parse of it stringifies to the CLI's text.
//  - gridJson(request text): one batch on many GPUs and TP degrees, the text `stepcalc grid`
//    prints (the page's live grid uses the page module's stepcalc_grid_compute instead).
//  - heapBytesInUse, for leak checks.
// A new worker-only API goes here: its class or function beside TraceSession, and its line
// in EMSCRIPTEN_BINDINGS below. Errors never cross as C++ exceptions (binding_support.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "stepcalc/grid.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/simulate.hpp"
#include "stepcalc/trace_run.hpp"

#include "binding_support.hpp"

namespace {

using emscripten::val;
using stepcalc::InputError;
using stepcalc_wasm::guarded;
using stepcalc_wasm::Outcome;
using stepcalc_wasm::to_float64_array;

// A trace run fed in pieces: trace() and fit() in stepcalc_worker.mjs.
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

  val error() const { return stepcalc_wasm::error_value(error_); }

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

Outcome simulate_json(const std::string &request) {
  return guarded([&] { return stepcalc::simulate_response(request); });
}

Outcome grid_json(const std::string &request) {
  return guarded([&] { return stepcalc::grid_response(request); });
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc_worker) {
  stepcalc_wasm::bind_outcome();
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
  emscripten::function("simulateJson", &simulate_json);
  emscripten::function("gridJson", &grid_json);
  emscripten::function("heapBytesInUse", &stepcalc_wasm::heap_bytes_in_use);
}
