// The floor for wasm/bench/bench.mjs: the core's arithmetic alone (work, basis terms and
// prediction) on one step, natively, with no parsing or response writing.
//   stepcalc_bench_arithmetic '<request json>' <calls>   prints {"ns_per_step": ...}

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "stepcalc/calculator.hpp"

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: stepcalc_bench_arithmetic REQUEST_JSON CALLS\n");
    return 2;
  }
  const stepcalc::Scenario scenario =
      stepcalc::parse_request(stepcalc::parse_json_text(argv[1], "request"));
  const long calls = std::atol(argv[2]);
  double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) {
    const auto work = stepcalc::step_work(scenario.step, scenario.arch, scenario.tp);
    const auto basis = stepcalc::basis_values(scenario.step, scenario.arch, work, scenario.hardware);
    sink += stepcalc::predict(basis, scenario.beta).step_time_us;
  }
  const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("{\"ns_per_step\": %.1f, \"checksum\": %.6g}\n", elapsed.count() / calls, sink);
  return 0;
}
