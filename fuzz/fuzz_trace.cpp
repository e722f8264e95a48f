// The trace reader, as `stepcalc trace` reads a file.
// Input format and invariants: run_trace in entry_points.hpp.

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return stepcalc::fuzz::run_one(stepcalc::fuzz::run_trace, data, size);
}
