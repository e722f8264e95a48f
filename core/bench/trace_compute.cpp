// The computation alone for core/bench/trace_bench.mjs: a trace's steps read into memory
// first (Step objects with their totals, as the seed's reconstructed steps have them),
// then every step's basis and prediction, timed.
//   stepcalc_bench_trace FILE MODEL GPU    prints {"steps", "compute_s"}

#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include "stepcalc/calculator.hpp"
#include "stepcalc/trace.hpp"

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: stepcalc_bench_trace FILE MODEL GPU\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  stepcalc::TraceSplitter splitter([&file](char *data, std::size_t size) {
    file.read(data, static_cast<std::streamsize>(size));
    return static_cast<std::size_t>(file.gcount());
  });
  splitter.read_steps();
  std::vector<stepcalc::Step> steps;
  stepcalc::TraceText text;
  while (splitter.next(text)) {
    auto &step = text.step;
    if (!step) {
      std::fprintf(stderr, "step %lld is not in the quick reader's format\n", static_cast<long long>(text.index));
      return 1;
    }
    steps.emplace_back(std::move(step->prefill), std::move(step->decode));
  }
  const nlohmann::json header = {{"model", argv[2]}, {"gpu", argv[3]}, {"tp", splitter.tensor_parallelism().value_or(1)}};
  const stepcalc::Scenario scenario = stepcalc::parse_request_header(header);
  double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto &step : steps) sink += stepcalc::evaluate_trace_step(scenario, step).prediction.step_time_us;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("{\"steps\": %zu, \"compute_s\": %.6f, \"checksum\": %.6g}\n", steps.size(), elapsed.count(), sink);
  return 0;
}
