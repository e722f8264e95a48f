#include "simulate_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "stepcalc/input_error.hpp"
#include "stepcalc/simulate.hpp"

namespace stepcalc::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

constexpr const char *kSimulateUsage = R"(usage: stepcalc simulate [FILE|-]

Runs a workload of requests through a vLLM V1-style scheduler (chunked prefill, no
preemption), each step timed by the step model, and prints latency and throughput.
Reads one request JSON from FILE, or from stdin when FILE is "-" or absent:

  { "model", "gpu", "tp", "coefficients", "gpu_memory_utilization"   (as for compute)
    "workload": { "requests": 1000 | [ { "arrival_us", "prompt_tokens", "output_tokens" }, ... ],
                  "arrival_rate_per_s": 40,                   (0 or absent: all at t = 0)
                  "prompt_tokens": 1024 | { "min": 100, "max": 4000 },
                  "output_tokens": 256 | { "min": 10, "max": 500 },
                  "seed": 0 },
    "scheduler": { "max_num_batched_tokens": 8192, "max_num_seqs": 256 },   (optional)
    "step_records": false }                 (true: one record per step, for charts)

Prints {"summary", "scenario", "requests", "step_records"?, "notes"}: the summary
holds requests, steps, makespan_us, output_tokens, throughput_tokens_per_s and
ttft_us, tpot_us, e2e_us as {p50, p90, p99, mean} (nearest-rank percentiles).
The rules and every field: docs/simulation.md.
)";

int bad_input(const std::string &message) {
  std::cerr << "error: " << message << '\n';
  return kExitBadInput;
}

// The file's text, or an error message naming why it cannot be read.
bool read_input(const std::string &path, std::string &text, std::string &error) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::error_code status;
  if (std::filesystem::is_directory(path, status)) {
    error = path + ": is a directory, not a request file";
    return false;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open the file";
    return false;
  }
  text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  if (file.bad()) {
    error = path + ": cannot read the file";
    return false;
  }
  return true;
}

bool is_help(std::string_view arg) {
  return arg == "-h" || arg == "--help" || arg == "help";
}

} // namespace

int run_simulate(int argc, char **argv) {
  if (argc >= 3 && is_help(argv[2])) return std::cout << kSimulateUsage, kExitOk;
  if (argc > 3) return bad_input("arguments: simulate takes at most one FILE");
  std::string text, error;
  if (!read_input(argc == 3 ? argv[2] : "-", text, error)) return bad_input(error);
  try {
    std::cout << simulate_response(text) << '\n';
  } catch (const InputError &input_error) {
    return bad_input(input_error.what());
  } catch (const std::exception &internal) {
    std::cerr << "error: internal: " << internal.what() << '\n';
    return kExitInternal;
  }
  return kExitOk;
}

} // namespace stepcalc::cli
