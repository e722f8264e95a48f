// The datasheet reader, at a TP degree from the input.
// Input format and invariants: run_datasheet in entry_points.hpp.

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return stepcalc::fuzz::run_one(stepcalc::fuzz::run_datasheet, data, size);
}
