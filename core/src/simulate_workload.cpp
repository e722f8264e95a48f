// Generated workloads: the same spec gives the same requests, bit for bit, natively and in
// WebAssembly. So nothing here comes from the standard library's random facilities (whose
// distributions differ between libstdc++ and libc++) or from libm (whose log may round
// differently): integers come from SplitMix64, and the one transcendental function, the
// logarithm of exponential inter-arrival times, is computed from +, -, *, / alone (this file
// is built with -ffp-contract=off, so no compiler fuses them into FMAs on any target).

#include <cmath>
#include <cstdint>

#include "stepcalc/simulate.hpp"

namespace stepcalc {

namespace {

// SplitMix64 (Steele, Lea and Flood, 2014): one 64-bit state, a full period of 2^64, and
// output that passes BigCrush; more than enough for workloads.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A uniform integer in [min, max], without modulo bias: draws that fall in the last,
  // incomplete copy of the range are drawn again.
  int64_t uniform_integer(const TokenRange &range) {
    const uint64_t span = static_cast<uint64_t>(range.max - range.min) + 1;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span; // a multiple of span
    uint64_t draw = next();
    while (draw >= limit) draw = next();
    return range.min + static_cast<int64_t>(draw % span);
  }

  // A uniform double in (0, 1]: 53 random bits, never 0 (its logarithm is finite).
  double uniform_open_closed() {
    return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53;
  }

private:
  uint64_t state_;
};

} // namespace

double portable_log(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); frexp and ldexp are exact.
  int exponent = 0;
  double m = std::frexp(x, &exponent); // [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --exponent;
  }
  // ln(m) = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), z = (m - 1) / (m + 1), |z| < 0.172:
  // the terms up to z^27 leave an error below z^29/29 < 1e-23.
  const double z = (m - 1) / (m + 1);
  const double z2 = z * z;
  double series = 0;
  for (int k = 27; k >= 1; k -= 2) series = series * z2 + 1.0 / k;
  constexpr double kLn2 = 0.693147180559945309417;
  return 2 * z * series + static_cast<double>(exponent) * kLn2;
}

std::vector<WorkloadRequest> generated_requests(const GeneratedWorkload &spec) {
  SplitMix64 random(spec.seed);
  std::vector<WorkloadRequest> requests(static_cast<std::size_t>(spec.requests));
  double clock_us = 0;
  for (auto &request : requests) {
    if (spec.arrival_rate_per_s > 0) {
      // Poisson arrivals: exponential gaps of mean 1/rate. Arrivals are whole microseconds,
      // so the requests read back exactly from the response.
      clock_us += -portable_log(random.uniform_open_closed()) / spec.arrival_rate_per_s * 1e6;
      request.arrival_us = std::round(clock_us);
    }
    request.prompt_tokens = random.uniform_integer(spec.prompt_tokens);
    request.output_tokens = random.uniform_integer(spec.output_tokens);
  }
  return requests;
}

} // namespace stepcalc
