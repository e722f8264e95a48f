// Embind bindings for the stepcalc core.
//
// Two ways in, one set of rules (the core validates both):
//  - JSON text in, JSON text out: compute(), sweep(), presets(). Exact and general.
//  - The fast path the facade uses for plain request objects: the scenario
//    header (model, gpu, tp, coefficients) is parsed once by prepare(); the
//    batch rows are written as numbers into a buffer in the wasm heap, and
//    computeRows() writes the result as numbers into another (resultFields()
//    names each slot). No JSON is built or parsed per call, which keeps a
//    128-request step well under the 20 us budget.
// Errors never cross as C++ exceptions: every entry point catches everything
// and reports {ok: false, where, what}; the JS facade (stepcalc.mjs) throws an
// Error carrying the CLI's error line. (An exception escaping to JS would also
// leave the wasm stack pointer unrestored.)

#include <array>
#include <optional>
#include <stdexcept>
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

Outcome compute(const std::string &request) {
  return guarded([&] { return stepcalc::compute_response(request); });
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
// or {ok: false, where, what}. The facade checks that `values` holds numbers.
val sweep(const std::string &request, const std::string &variable, const val &values) {
  stepcalc::SweepSeries series;
  const Outcome outcome = guarded([&] {
    const auto scenario = stepcalc::parse_request(stepcalc::parse_json_text(request, "request"));
    series = stepcalc::sweep(scenario, variable,
                             emscripten::convertJSArrayToNumberVector<double>(values));
    return std::string();
  });
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
  return guarded([&] {
    state.scenario = stepcalc::parse_request_header(stepcalc::parse_json_text(header, "request"));
    return header_parts_json(*state.scenario);
  });
}

void write_result(const stepcalc::Scenario &scenario, std::array<double, kResultSize> &result) {
  const stepcalc::Step &step = scenario.step;
  const auto work = stepcalc::step_work(step, scenario.arch, scenario.tp);
  const auto basis = stepcalc::basis_values(step, scenario.arch, work, scenario.hardware);
  const auto prediction = stepcalc::predict(basis, scenario.beta);
  std::size_t slot = 0;
  const auto put = [&](auto value) { result.at(slot++) = static_cast<double>(value); };
  put(prediction.step_time_us);
  for (double term : {basis.t_pf_compute, basis.t_pf_kv, basis.t_dc_compute, basis.t_dc_kv,
                      basis.t_weight, basis.t_tp}) {
    put(term);
  }
  put(basis.num_layers);
  put(basis.batch_size);
  for (double feature : prediction.features)
    put(feature);
  for (double contribution : prediction.contributions_us)
    put(contribution);
  put(bottleneck_code(stepcalc::bottleneck(basis.t_pf_compute, basis.t_pf_kv, step.has_prefill())));
  put(bottleneck_code(stepcalc::bottleneck(basis.t_dc_compute, basis.t_dc_kv, step.has_decode())));
  const auto put_phase = [&](const stepcalc::PhaseFlops &flops, double kv_bytes, int64_t tokens,
                             int64_t requests) {
    put(flops.proj);
    put(flops.attn);
    put(flops.ffn);
    put(flops.total());
    put(kv_bytes);
    put(tokens);
    put(requests);
  };
  put_phase(work.prefill_flops, work.prefill_kv_bytes, step.prefill_tokens(),
            step.prefill_requests());
  put_phase(work.decode_flops, work.decode_kv_bytes, step.decode_tokens(), step.decode_tokens());
  put(step.decode_context());
  put(work.weight_bytes.active_experts);
  put(work.weight_bytes.attn);
  put(work.weight_bytes.ffn);
  put(work.weight_bytes.total());
  put(work.tp_bytes);
  if (slot != kResultSize) throw std::logic_error("the result record and its fields disagree");
}

// Evaluates the prepared scenario on the rows in the buffers; when ok, the
// result is in the result record.
Outcome compute_rows(int prefill_rows, int decode_rows) {
  FastPath &state = fast_path();
  return guarded([&] {
    if (!state.scenario) throw std::logic_error("computeRows before a successful prepare");
    if (prefill_rows < 0 || decode_rows < 0) throw std::logic_error("negative row counts");
    state.scenario->step = stepcalc::step_from_rows(
        {state.prefill_rows.data(),
         std::min<std::size_t>(prefill_rows * 3, state.prefill_rows.size())},
        {state.decode_rows.data(),
         std::min<std::size_t>(decode_rows * 2, state.decode_rows.size())});
    write_result(*state.scenario, state.result);
    return std::string();
  });
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
      .field("text", &Outcome::text)
      .field("where", &Outcome::where)
      .field("what", &Outcome::what);
  emscripten::function("compute", &compute);
  emscripten::function("presets", &presets_json);
  emscripten::function("sweep", &sweep);
  emscripten::function("prepare", &prepare);
  emscripten::function("computeRows", &compute_rows);
  emscripten::function("prefillRowsAddress", &prefill_rows_address);
  emscripten::function("decodeRowsAddress", &decode_rows_address);
  emscripten::function("resultAddress", &result_address);
  emscripten::function("resultFields", &result_fields);
  emscripten::constant("maxRows", static_cast<int>(stepcalc::limits::kMaxRows));
}
