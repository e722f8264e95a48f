// stepcalc: the native command line for the step-time calculator.
//   stepcalc compute [FILE|-]   one request JSON in, one response JSON out
//   stepcalc grid [FILE|-]      one batch on many GPUs and TP degrees
//   stepcalc simulate [FILE|-]  a serving workload through the scheduler, step by step
//   stepcalc presets            every preset as JSON

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/presets.hpp"
#include "stepcalc/simulate.hpp"
#include "trace_command.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 1;

constexpr const char *kUsage = R"(usage: stepcalc <command> [options]

Predicts the duration of one LLM inference scheduler step with the crossmodel
roofline model: StepTime = beta . X, X built from the model's config.json, the
GPU's datasheet, the TP degree and the batch.

commands:
  compute [FILE|-]   read one request JSON from FILE (or stdin) and print the response JSON
  grid [FILE|-]      the same batch on every GPU and TP degree asked for: one cell each
  trace [...] FILE|- run every step of a trace (an experiment document or JSON Lines)
  fit [...] FILE...  fit beta to the measured step durations of traces
  simulate [FILE|-]  run a serving workload through the scheduler: TTFT, TPOT, throughput
  presets            print every preset model, GPU and coefficient set as JSON

options:
  -h, --help         show this help, or a command's help after the command

exit status: 0 on success, 2 on bad input (one line "error: <where>: <what>" on stderr),
1 on an internal error
)";

constexpr const char *kComputeUsage = R"(usage: stepcalc compute [FILE|-]

Reads one request JSON from FILE, or from stdin when FILE is "-" or absent:

  { "model": "<preset id>" | { HF config.json },
    "gpu":   "<preset id>" | { datasheet },
    "tp": 1,
    "coefficients": "<preset id>" | { "beta": [b1, ..., b7] },   (optional)
    "gpu_memory_utilization": 0.9,                              (optional)
    "step": { "prefill": [ { "tokens_this_step": 512, "prompt_tokens": 2048, "count": 1 } ],
              "decode":  [ { "context_length": 1024, "count": 32 } ] } }

Prints the response JSON: step_time_us, basis (six terms in microseconds,
num_layers, batch_size), features, contributions_us, beta, bottleneck, work,
memory (does the step fit in GPU memory), arch, sharding, hardware, scenario
and notes.
)";

constexpr const char *kGridUsage = R"(usage: stepcalc grid [FILE|-]

Reads one grid request JSON from FILE, or from stdin when FILE is "-" or absent: a
compute request without "gpu" and "tp", with two optional lists:

  { "model": ..., "coefficients": ..., "gpu_memory_utilization": ..., "step": {...},
    "gpus": ["<preset id>" | { datasheet }, ...],   (default: every preset GPU)
    "tps": [1, 2, 4, 8] }                           (the default)

Prints {"cells": [...]}, GPU by GPU, each over every TP: gpu, gpu_index, tp, error
(why the GPU cannot run that TP, else null), step_time_us, fits, headroom_bytes,
max_decode_requests, tokens_per_s, tokens_per_s_per_gpu, bottleneck, dominant (the
term with the largest contribution) and notes (their codes). Each cell's figures are
what `stepcalc compute` gives for that GPU and TP.
)";

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

constexpr const char *kPresetsUsage = R"(usage: stepcalc presets

Prints every compiled-in preset as JSON: models (HF config.json with the resolved
architecture), GPUs (datasheet with dense FP16 TFLOPS, HBM TB/s and link GB/s)
and coefficient sets (beta with provenance), each with its source.
)";

bool is_help(std::string_view arg) {
  return arg == "-h" || arg == "--help" || arg == "help";
}

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

// A command that reads one JSON document and prints one: compute, grid, simulate.
int run_json_command(int argc, char **argv, std::string (*respond)(std::string_view)) {
  if (argc > 3) return bad_input(std::string("arguments: ") + argv[1] + " takes at most one FILE");
  std::string text, error;
  if (!read_input(argc == 3 ? argv[2] : "-", text, error)) return bad_input(error);
  try {
    std::cout << respond(text) << '\n';
  } catch (const stepcalc::InputError &input_error) {
    return bad_input(input_error.what());
  } catch (const std::exception &internal) {
    // Not the user's fault, but still one line and no crash.
    std::cerr << "error: internal: " << internal.what() << '\n';
    return kExitInternal;
  }
  return kExitOk;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || is_help(argv[1])) {
    std::cout << kUsage;
    return argc < 2 ? kExitBadInput : kExitOk;
  }
  const std::string_view command = argv[1];
  const bool wants_help = argc >= 3 && is_help(argv[2]);
  if (command == "compute") {
    if (wants_help) return std::cout << kComputeUsage, kExitOk;
    return run_json_command(argc, argv, stepcalc::compute_response);
  }
  if (command == "grid") {
    if (wants_help) return std::cout << kGridUsage, kExitOk;
    return run_json_command(argc, argv, stepcalc::grid_response);
  }
  if (command == "trace") return stepcalc::cli::run_trace(argc, argv);
  if (command == "fit") return stepcalc::cli::run_fit(argc, argv);
  if (command == "simulate") {
    if (wants_help) return std::cout << kSimulateUsage, kExitOk;
    return run_json_command(argc, argv, stepcalc::simulate_response);
  }
  if (command == "presets") {
    if (wants_help) return std::cout << kPresetsUsage, kExitOk;
    if (argc > 2) return bad_input("arguments: presets takes no arguments");
    std::cout << stepcalc::presets_to_json(stepcalc::presets()).dump(2) << '\n';
    return kExitOk;
  }
  return bad_input("command: unknown command \"" + std::string(command) +
                   "\"; expected compute, grid, trace, fit, simulate or presets (see stepcalc --help)");
}
