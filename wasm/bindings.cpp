// Embind bindings for the stepcalc core.
//
// Two ways in, one set of rules (the core validates both):
//  - JSON text in, JSON text out: compute(), sweep(), presets(). Exact and general.
//  - The fast path the facade uses for plain request objects: the scenario
//    header (model, gpu, tp, coefficients) is parsed once by prepare(); the
//    batch rows are written as numbers into a buffer in the wasm heap, and
//    compute_rows() writes the result as numbers into another (RESULT_FIELDS
//    names each slot). No JSON is built or parsed per call, which keeps a
//    128-request step well under the 20 us budget.
// Errors never cross as C++ exceptions: calls report ok/error and the JS facade
// (stepcalc.mjs) throws an Error carrying the CLI's error line.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/presets.hpp"

namespace {

using emscripten::val;
using stepcalc::InputError;

struct Outcome {
  bool ok = false;
  std::string text; // the response JSON, or the error line
};

std::string error_line(const InputError &error) {
  return std::string("error: ") + error.what();
}

Outcome compute(const std::string &request) {
  try {
    return {true, stepcalc::compute_response(request)};
  } catch (const InputError &error) {
    return {false, error_line(error)};
  }
}

std::string presets_json() {
  return stepcalc::presets_to_json(stepcalc::presets()).dump();
}

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
    const auto scenario = stepcalc::parse_request(stepcalc::parse_json_text(request, "request"));
    const auto series = stepcalc::sweep(scenario, variable,
                                        emscripten::convertJSArrayToNumberVector<double>(values));
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
  } catch (const InputError &error) {
    out.set("ok", false);
    out.set("error", error_line(error));
  }
  return out;
}

// ---- the fast path ------------------------------------------------------------

// Slot names of the result record, in order; the facade maps them to the
// response's fields. Bottlenecks are coded 0 none, 1 compute, 2 memory.
constexpr const char *kResultFields[] = {"step_time_us",
                                         "basis.t_pf_compute",
                                         "basis.t_pf_kv",
                                         "basis.t_dc_compute",
                                         "basis.t_dc_kv",
                                         "basis.t_weight",
                                         "basis.t_tp",
                                         "basis.num_layers",
                                         "basis.batch_size",
                                         "features.0",
                                         "features.1",
                                         "features.2",
                                         "features.3",
                                         "features.4",
                                         "features.5",
                                         "features.6",
                                         "contributions_us.0",
                                         "contributions_us.1",
                                         "contributions_us.2",
                                         "contributions_us.3",
                                         "contributions_us.4",
                                         "contributions_us.5",
                                         "contributions_us.6",
                                         "bottleneck.prefill",
                                         "bottleneck.decode",
                                         "work.prefill.flops_proj",
                                         "work.prefill.flops_attn",
                                         "work.prefill.flops_ffn",
                                         "work.prefill.flops",
                                         "work.prefill.kv_bytes",
                                         "work.prefill.tokens",
                                         "work.prefill.requests",
                                         "work.decode.flops_proj",
                                         "work.decode.flops_attn",
                                         "work.decode.flops_ffn",
                                         "work.decode.flops",
                                         "work.decode.kv_bytes",
                                         "work.decode.tokens",
                                         "work.decode.requests",
                                         "work.decode.context_tokens",
                                         "work.weight.active_experts",
                                         "work.weight.bytes_attn",
                                         "work.weight.bytes_ffn",
                                         "work.weight.bytes",
                                         "work.tp.bytes"};
constexpr std::size_t kResultSize = std::size(kResultFields);

struct FastPath {
  std::array<double, 3 * stepcalc::limits::kMaxRows> prefill_rows{};
  std::array<double, 2 * stepcalc::limits::kMaxRows> decode_rows{};
  std::array<double, kResultSize> result{};
  std::optional<stepcalc::Scenario> scenario; // from the last successful prepare()
  std::string error;
};

FastPath &fast_path() {
  static FastPath state;
  return state;
}

double bottleneck_code(const std::string &side) {
  return side == "compute" ? 1 : side == "memory" ? 2 : 0;
}

// Everything in a response that depends on the header alone, plus the notes
// for a non-empty and an empty step (the only notes the batch can change).
std::string header_parts_json(const stepcalc::Scenario &scenario) {
  stepcalc::Scenario probe = scenario;
  probe.step = stepcalc::Step({}, {{1, 1}});
  auto full = stepcalc::result_to_json(probe, stepcalc::evaluate(probe));
  probe.step = {};
  auto empty = stepcalc::result_to_json(probe, stepcalc::evaluate(probe));
  nlohmann::ordered_json parts = {
      {"beta", full["beta"]},         {"arch", full["arch"]},
      {"hardware", full["hardware"]}, {"scenario", full["scenario"]},
      {"notes", full["notes"]},       {"empty_step_notes", empty["notes"]}};
  return parts.dump();
}

Outcome prepare(const std::string &header) {
  FastPath &state = fast_path();
  state.scenario.reset();
  try {
    state.scenario = stepcalc::parse_request_header(stepcalc::parse_json_text(header, "request"));
    return {true, header_parts_json(*state.scenario)};
  } catch (const InputError &error) {
    return {false, error_line(error)};
  }
}

// Evaluates the prepared scenario on the rows in the buffers; false on bad
// input (the error line is then in last_error()).
bool compute_rows(int prefill_rows, int decode_rows) {
  FastPath &state = fast_path();
  if (!state.scenario) {
    state.error = "error: request: prepare() has not succeeded";
    return false;
  }
  try {
    stepcalc::Scenario &scenario = *state.scenario;
    scenario.step = stepcalc::step_from_rows(
        {state.prefill_rows.data(), static_cast<std::size_t>(prefill_rows) * 3},
        {state.decode_rows.data(), static_cast<std::size_t>(decode_rows) * 2});
    const stepcalc::Step &step = scenario.step;
    const auto work = stepcalc::step_work(step, scenario.arch, scenario.tp);
    const auto basis = stepcalc::basis_values(step, scenario.arch, work, scenario.hardware);
    const auto prediction = stepcalc::predict(basis, scenario.beta);
    const auto as_double = [](int64_t value) { return static_cast<double>(value); };
    std::size_t slot = 0;
    auto put = [&](double value) { state.result[slot++] = value; };
    put(prediction.step_time_us);
    for (double term : {basis.t_pf_compute, basis.t_pf_kv, basis.t_dc_compute, basis.t_dc_kv,
                        basis.t_weight, basis.t_tp}) {
      put(term);
    }
    put(as_double(basis.num_layers));
    put(as_double(basis.batch_size));
    for (double feature : prediction.features)
      put(feature);
    for (double contribution : prediction.contributions_us)
      put(contribution);
    put(bottleneck_code(
        stepcalc::bottleneck(basis.t_pf_compute, basis.t_pf_kv, step.has_prefill())));
    put(bottleneck_code(
        stepcalc::bottleneck(basis.t_dc_compute, basis.t_dc_kv, step.has_decode())));
    for (const auto *flops : {&work.prefill_flops, &work.decode_flops}) {
      put(flops->proj);
      put(flops->attn);
      put(flops->ffn);
      put(flops->total());
      const bool prefill = flops == &work.prefill_flops;
      put(prefill ? work.prefill_kv_bytes : work.decode_kv_bytes);
      put(as_double(prefill ? step.prefill_tokens() : step.decode_tokens()));
      put(as_double(prefill ? step.batch_size() - step.decode_tokens() : step.decode_tokens()));
    }
    put(as_double(step.decode_context()));
    put(as_double(work.weight_bytes.active_experts));
    put(work.weight_bytes.attn);
    put(work.weight_bytes.ffn);
    put(work.weight_bytes.total());
    put(work.tp_bytes);
    return slot == kResultSize;
  } catch (const InputError &error) {
    state.error = error_line(error);
    return false;
  }
}

std::string last_error() {
  return fast_path().error;
}

// Byte addresses in the wasm heap, for Float64Array views from JS.
std::size_t prefill_rows_address() {
  return reinterpret_cast<std::size_t>(fast_path().prefill_rows.data());
}
std::size_t decode_rows_address() {
  return reinterpret_cast<std::size_t>(fast_path().decode_rows.data());
}
std::size_t result_address() {
  return reinterpret_cast<std::size_t>(fast_path().result.data());
}

std::string result_fields() {
  std::string names;
  for (const char *name : kResultFields) {
    if (!names.empty()) names += ',';
    names += name;
  }
  return names;
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc) {
  emscripten::value_object<Outcome>("Outcome")
      .field("ok", &Outcome::ok)
      .field("text", &Outcome::text);
  emscripten::function("compute", &compute);
  emscripten::function("presets", &presets_json);
  emscripten::function("sweep", &sweep);
  emscripten::function("prepare", &prepare);
  emscripten::function("computeRows", &compute_rows);
  emscripten::function("lastError", &last_error);
  emscripten::function("prefillRowsAddress", &prefill_rows_address);
  emscripten::function("decodeRowsAddress", &decode_rows_address);
  emscripten::function("resultAddress", &result_address);
  emscripten::function("resultFields", &result_fields);
  emscripten::constant("maxRows", static_cast<int>(stepcalc::limits::kMaxRows));
}
