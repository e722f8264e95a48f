#pragma once

// The page module's Scenario (bindings.cpp registers it): one validated request header,
// batches as numbers in heap memory. Its compute is the call made per batch, so
// scenario_binding.cpp is compiled at -O3 while the rest of bindings.cpp, which converts
// JSON once per call, is compiled for size (measured: at -Oz here an edit of a 1,000-row
// batch took a third longer at p95; docs/size.md).

#include <cstdint>
#include <string>
#include <vector>

#include <emscripten/val.h>

#include "stepcalc/calculator.hpp"

#include "binding_support.hpp"

namespace stepcalc_wasm {

// {ok: true, values, t_pf_compute, ..., headroom_bytes} as Float64Arrays, or
// {ok: false, where, what}.
emscripten::val sweep_value(const Outcome &outcome, const stepcalc::SweepSeries &series);

std::vector<double> number_vector(const emscripten::val &values);

class Scenario {
public:
  Scenario();

  // Reads the header; when ok, the text holds the scenario-level response fields.
  Outcome open(const std::string &header);

  // Evaluates the rows: 1 when the record is ready and the notes may differ from the last
  // call's (read notesJson()), 0 when ready with the same notes, -1 on an error (read
  // error()).
  int compute(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows);

  std::string notes_json() const;

  // For the grid (stepcalc_grid_compute): the rows read into this scenario's step; false
  // on an error (read error()).
  bool read_step(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows);
  const stepcalc::Step &step() const { return scenario_.step; }
  // `step` with this scenario's header: kGridFigureCount numbers at `out` (see
  // stepcalc_grid_compute).
  void write_grid_figures(const stepcalc::Step &step, double *out) const;
  static constexpr int kGridFigureCount = 6;

  // The rows, one variable varied over `values`.
  emscripten::val sweep(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode,
                        int decode_rows, const std::string &variable, const emscripten::val &values);

  emscripten::val error() const;

  // Where compute() leaves the step's numbers: a byte address in the wasm heap, fixed
  // for the object's life.
  std::uintptr_t record_address() const;

  // The object's own address, for the plain export stepcalc_scenario_compute.
  std::uintptr_t address() const;

private:
  void set_step(std::uintptr_t prefill, int prefill_rows, std::uintptr_t decode, int decode_rows);

  std::vector<double> record_;
  stepcalc::Scenario scenario_;
  stepcalc::StepResult result_;
  bool opened_ = false;
  bool notes_sent_ = false;
  stepcalc::StepNoteInputs sent_note_inputs_;
  Outcome error_;
};

} // namespace stepcalc_wasm
