#pragma once

// One libFuzzer run of one entry point: InputError is the expected answer to
// bad input; a broken invariant aborts, and libFuzzer keeps the input.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "entry_points.hpp"

namespace stepcalc::fuzz {

inline int run_one(std::string (*entry_point)(std::string_view), const uint8_t *data, size_t size) {
  std::string broken;
  try {
    broken = entry_point({reinterpret_cast<const char *>(data), size});
  } catch (const InputError &) {
    return 0;
  }
  if (!broken.empty()) {
    std::fprintf(stderr, "fuzz finding: broken invariant: %s\n", broken.c_str());
    std::abort();
  }
  return 0;
}

} // namespace stepcalc::fuzz
