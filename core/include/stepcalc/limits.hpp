#pragma once

#include <cstddef>
#include <cstdint>

// Generous bounds on user input. They keep every intermediate product finite in
// double precision (and every integer sum inside int64) while admitting any real
// model, GPU or batch; values outside them are rejected with an InputError.
namespace stepcalc::limits {

inline constexpr int64_t kMaxTokens =
    100'000'000;                                // tokens_this_step, prompt_tokens, context_length
inline constexpr int64_t kMaxCount = 1'000'000; // repeats of one batch row
inline constexpr int64_t kMaxRows = 4096;       // rows in step.prefill or step.decode
inline constexpr int64_t kMaxTp = 4096;
inline constexpr int64_t kMaxSweepPoints = 100'000;
inline constexpr std::size_t kMaxGridGpus = 64; // GPUs of one grid request
inline constexpr std::size_t kMaxGridTps = 16;  // TP degrees of one grid request
inline constexpr int kMaxJsonDepth = 64; // nesting of any JSON input
inline constexpr int64_t kMaxLayers = 10'000;
inline constexpr int64_t kMaxWidth = 10'000'000; // hidden_size, head_dim, intermediate sizes
inline constexpr int64_t kMaxHeads = 1'000'000;
inline constexpr int64_t kMaxExperts = 1'000'000;
inline constexpr int64_t kMaxVocab = 100'000'000;
inline constexpr double kMaxCapacityGb = 1e9; // memory.capacity_gb of one GPU
inline constexpr double kMinUtilization = 1e-3; // gpu_memory_utilization
inline constexpr double kMinRate = 1e-3; // TFLOPS, TB/s or GB/s
inline constexpr double kMaxRate = 1e9;
inline constexpr double kMaxBeta = 1e9;
// The serving simulation (stepcalc simulate): its work is bounded by the requests it
// holds and the steps it runs, so no input can keep it busy for long.
inline constexpr int64_t kMaxSimulationRequests = 100'000;
inline constexpr int64_t kMaxSimulationSteps = 10'000'000;
inline constexpr int64_t kMaxStepRecords = 1'000'000; // steps with step_records on
inline constexpr double kMaxArrivalUs = 1e13;          // about 116 days
inline constexpr double kMinArrivalRate = 1e-3;        // requests per second, when not 0
inline constexpr double kMaxArrivalRate = 1e9;

} // namespace stepcalc::limits
