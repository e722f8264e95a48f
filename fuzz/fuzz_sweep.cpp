// The sweep, over a variable and values from the input.
// Input format and invariants: run_sweep in entry_points.hpp.

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return stepcalc::fuzz::run_one(stepcalc::fuzz::run_sweep, data, size);
}
