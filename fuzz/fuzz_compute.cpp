// The whole request pipeline, as `stepcalc compute` runs it.
// Input format and invariants: run_compute in entry_points.hpp.

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return stepcalc::fuzz::run_one(stepcalc::fuzz::run_compute, data, size);
}
