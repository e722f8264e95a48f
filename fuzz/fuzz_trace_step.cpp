// The quick step reader against nlohmann, on one step's text.
// Input format and invariants: run_trace_step in entry_points.hpp.

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return stepcalc::fuzz::run_one(stepcalc::fuzz::run_trace_step, data, size);
}
