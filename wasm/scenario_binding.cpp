#include "scenario_binding.hpp"

#include <cmath>
#include <span>
#include <stdexcept>

#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

namespace stepcalc_wasm {

using emscripten::val;

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

namespace {

// The batch as numbers in the caller's heap memory (the facade mallocs it per call, so
// a call made from inside another, by a getter, has memory of its own).
// A list of `rows` rows of `stride` doubles at a byte address in the heap.
std::span<const double> heap_rows(std::uintptr_t address, int rows, std::size_t stride) {
  if (rows < 0) throw std::logic_error("negative row count");
  if (rows == 0) return {};
  return {reinterpret_cast<const double *>(address), static_cast<std::size_t>(rows) * stride};
}

} // namespace

Scenario::Scenario() : record_(stepcalc::step_record_size()) {}

Outcome Scenario::open(const std::string &header) {
  opened_ = false;
  return guarded([&] {
    scenario_ = stepcalc::parse_request_header(stepcalc::parse_json_text(header, "request"));
    opened_ = true;
    notes_sent_ = false;
    return stepcalc::scenario_fields_json(scenario_).dump();
  });
}

int Scenario::compute(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode,
                      int decode_rows) {
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

bool Scenario::read_step(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode,
                         int decode_rows) {
  const Outcome outcome = guarded([&] {
    set_step(prefill, prefill_rows, decode, decode_rows);
    return std::string();
  });
  if (!outcome.ok) error_ = outcome;
  return outcome.ok;
}

void Scenario::write_grid_figures(const stepcalc::Step &step, double *out) const {
  const stepcalc::GridFigures figures =
      stepcalc::grid_figures(scenario_, step, stepcalc::evaluate(scenario_, step));
  const auto number = [](const auto &value) {
    return value ? static_cast<double>(*value) : std::nan("");
  };
  out[0] = figures.step_time_us;
  out[1] = number(figures.fits);
  out[2] = number(figures.headroom_bytes);
  out[3] = number(figures.max_decode_requests);
  out[4] = number(figures.tokens_per_s);
  out[5] = number(figures.tokens_per_s_per_gpu);
}

std::string Scenario::notes_json() const {
  return stepcalc::response_notes_json(scenario_, result_).dump();
}

val Scenario::sweep(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode,
                    int decode_rows, const std::string &variable, const val &values) {
  stepcalc::SweepSeries series;
  const Outcome outcome = guarded([&] {
    set_step(prefill, prefill_rows, decode, decode_rows);
    series = stepcalc::sweep(scenario_, variable, number_vector(values));
    return std::string();
  });
  return sweep_value(outcome, series);
}

val Scenario::error() const { return error_value(error_); }

std::uintptr_t Scenario::record_address() const {
  return reinterpret_cast<std::uintptr_t>(record_.data());
}

std::uintptr_t Scenario::address() const { return reinterpret_cast<std::uintptr_t>(this); }

void Scenario::set_step(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode,
                        int decode_rows) {
  if (!opened_) throw std::logic_error("Scenario used before a successful open");
  stepcalc::assign_packed(scenario_.step, heap_rows(prefill, prefill_rows, 3),
                          heap_rows(decode, decode_rows, 2));
}

} // namespace stepcalc_wasm

// Scenario::compute as a plain export, the one call made per batch: through Embind's
// generic method invoker (all there is without DYNAMIC_EXECUTION) a call costs more
// than evaluating a typical batch. `scenario` is what Scenario::address() returned; the
// facade calls this only while it holds that object undeleted.
extern "C" EMSCRIPTEN_KEEPALIVE int stepcalc_scenario_compute(std::uintptr_t scenario,
                                                              std::uintptr_t prefill,
                                                              int prefill_rows,
                                                              std::uintptr_t decode,
                                                              int decode_rows) {
  return reinterpret_cast<stepcalc_wasm::Scenario *>(scenario)->compute(prefill, prefill_rows,
                                                                         decode, decode_rows);
}

// One batch on many scenarios: the page's live grid, every GPU and TP of one model. The rows
// are read once, by the first scenario, and evaluated with each scenario's header.
// `scenarios` is the byte address of `count` Scenario addresses (uint32), `out` of
// count * kGridFigureCount doubles, per scenario: step_time_us, fits (1 or 0),
// headroom_bytes, max_decode_requests, tokens_per_s, tokens_per_s_per_gpu, NaN for none.
// 0, or -1 when the rows are wrong (the first scenario's error() says where).
extern "C" EMSCRIPTEN_KEEPALIVE int stepcalc_grid_compute(std::uintptr_t scenarios, int count,
                                                          std::uintptr_t prefill,
                                                          int prefill_rows,
                                                          std::uintptr_t decode,
                                                          int decode_rows, std::uintptr_t out) {
  using stepcalc_wasm::Scenario;
  if (count <= 0) return 0;
  const auto *addresses = reinterpret_cast<const std::uint32_t *>(scenarios);
  auto *first = reinterpret_cast<Scenario *>(addresses[0]);
  if (!first->read_step(prefill, prefill_rows, decode, decode_rows)) return -1;
  auto *figures = reinterpret_cast<double *>(out);
  for (int i = 0; i < count; ++i) {
    reinterpret_cast<const Scenario *>(addresses[i])
        ->write_grid_figures(first->step(), figures + i * Scenario::kGridFigureCount);
  }
  return 0;
}
