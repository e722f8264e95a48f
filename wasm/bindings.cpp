// Embind bindings: the core's JSON-in, JSON-out entry points for JavaScript.
// Errors never cross as C++ exceptions: each call returns {ok, ...} and the JS
// facade (stepcalc.mjs) turns a failure into an Error with the CLI's error line.

#include <string>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/presets.hpp"

namespace {

using emscripten::val;

struct Outcome {
  bool ok = false;
  std::string text; // the response JSON, or the error line
};

std::string error_line(const stepcalc::InputError &error) {
  return std::string("error: ") + error.what();
}

Outcome compute(const std::string &request) {
  try {
    return {true, stepcalc::compute_response(request)};
  } catch (const stepcalc::InputError &error) {
    return {false, error_line(error)};
  }
}

std::string presets_json() { return stepcalc::presets_to_json(stepcalc::presets()).dump(); }

// A copy of the column in a fresh Float64Array: views into the heap would go
// stale when memory grows.
val to_float64_array(const std::vector<double> &column) {
  return val::global("Float64Array")
      .new_(emscripten::typed_memory_view(column.size(), column.data()));
}

// Returns {ok: true, values, t_pf_compute, ..., step_time_us} as Float64Arrays,
// or {ok: false, error}.
val sweep(const std::string &request, const std::string &variable, const val &values) {
  val out = val::object();
  try {
    const auto scenario = stepcalc::parse_request(
        stepcalc::parse_json_text(request, "request"));
    const auto series =
        stepcalc::sweep(scenario, variable, emscripten::vecFromJSArray<double>(values));
    out.set("ok", true);
    out.set("values", to_float64_array(series.values));
    out.set("t_pf_compute", to_float64_array(series.t_pf_compute));
    out.set("t_pf_kv", to_float64_array(series.t_pf_kv));
    out.set("t_dc_compute", to_float64_array(series.t_dc_compute));
    out.set("t_dc_kv", to_float64_array(series.t_dc_kv));
    out.set("t_weight", to_float64_array(series.t_weight));
    out.set("t_tp", to_float64_array(series.t_tp));
    out.set("batch_size", to_float64_array(series.batch_size));
    out.set("step_time_us", to_float64_array(series.step_time_us));
  } catch (const stepcalc::InputError &error) {
    out.set("ok", false);
    out.set("error", error_line(error));
  }
  return out;
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc) {
  emscripten::value_object<Outcome>("Outcome")
      .field("ok", &Outcome::ok)
      .field("text", &Outcome::text);
  emscripten::function("compute", &compute);
  emscripten::function("presets", &presets_json);
  emscripten::function("sweep", &sweep);
}
