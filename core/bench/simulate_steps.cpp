// The simulation alone for core/bench/simulate_bench.mjs: a request JSON parsed once, then
// run_simulation (scheduling and timing every step, no response) timed over `runs` runs,
// and the whole of `stepcalc simulate` (parse, run, write the JSON text) as often.
//   stepcalc_bench_simulate REQUEST_JSON RUNS
//     prints {"steps", "mean_decodes", "run_s", "ns_per_step", "response_s"}; run_s and
//     response_s are the fastest of the runs.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stepcalc/json_text.hpp"
#include "stepcalc/simulate.hpp"

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: stepcalc_bench_simulate REQUEST_JSON RUNS\n");
    return 2;
  }
  using clock = std::chrono::steady_clock;
  const std::string text = argv[1];
  const int runs = std::max(1, std::atoi(argv[2]));
  const stepcalc::SimulationRequest request =
      stepcalc::parse_simulation_request(stepcalc::parse_json_text(text, "request"));
  double fastest_s = 1e300;
  stepcalc::SimulationResult result;
  for (int run = 0; run < runs; ++run) {
    const auto start = clock::now();
    result = stepcalc::run_simulation(request);
    fastest_s = std::min(fastest_s, std::chrono::duration<double>(clock::now() - start).count());
  }
  // The batch the steps held: decodes per step, from the tokens they made.
  int64_t output_tokens = 0;
  for (const auto &asked : request.requests) output_tokens += asked.output_tokens;
  const double mean_decodes = static_cast<double>(output_tokens - static_cast<int64_t>(request.requests.size())) /
                              static_cast<double>(result.steps);
  double response_s = 1e300;
  std::size_t bytes = 0;
  for (int run = 0; run < runs; ++run) {
    const auto start = clock::now();
    bytes = stepcalc::simulate_response(text).size();
    response_s = std::min(response_s, std::chrono::duration<double>(clock::now() - start).count());
  }
  std::printf("{\"steps\": %lld, \"mean_decodes\": %.1f, \"run_s\": %.6f, \"ns_per_step\": %.1f, "
              "\"response_s\": %.6f, \"response_bytes\": %zu}\n",
              static_cast<long long>(result.steps), mean_decodes, fastest_s,
              fastest_s / static_cast<double>(result.steps) * 1e9, response_s, bytes);
  return 0;
}
