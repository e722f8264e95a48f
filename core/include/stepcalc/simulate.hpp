#pragma once

// The serving simulation (`stepcalc simulate`, calc.simulate): a workload of requests run
// through a vLLM V1-style scheduler with chunked prefill, each step timed by the core's
// step model. The parts: parse_simulation_request (simulate_request.cpp) ->
// generated_requests (simulate_workload.cpp) -> run_simulation (simulate_scheduler.cpp,
// timed by StepClock, simulate_step_clock.cpp) -> simulation_response_json
// (simulate_response.cpp). docs/simulation.md states the rules.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/prediction.hpp"
#include "stepcalc/scenario.hpp"

namespace stepcalc {

// ---- the request ----------------------------------------------------------------

struct WorkloadRequest {
  double arrival_us = 0;
  int64_t prompt_tokens = 1;
  int64_t output_tokens = 1;
};

struct TokenRange {
  int64_t min = 1;
  int64_t max = 1; // min <= max
};

// "workload" without a request list: `requests` requests whose prompt and output lengths are
// uniform integers in their ranges, arriving as a Poisson process of `arrival_rate_per_s`
// (all at 0 when it is 0). The same spec gives the same requests on every platform.
struct GeneratedWorkload {
  int64_t requests = 0;
  double arrival_rate_per_s = 0;
  TokenRange prompt_tokens{1024, 1024};
  TokenRange output_tokens{256, 256};
  uint64_t seed = 0;
};

struct SchedulerLimits {
  int64_t max_num_batched_tokens = 8192; // tokens per step, decodes and prefill chunks
  int64_t max_num_seqs = 256;            // requests running at once
};

struct SimulationRequest {
  Scenario scenario; // model, GPU, TP, coefficients, memory utilization; its step is unused
  std::vector<WorkloadRequest> requests; // id = index
  bool generated = false;                // requests came from a GeneratedWorkload
  SchedulerLimits scheduler;
  bool step_records = false; // the response carries one record per step
};

// Every error is an InputError naming the field; a request that can never fit in memory
// alone names it (workload.requests[i]), a model whose weights do not fit says so.
SimulationRequest parse_simulation_request(const nlohmann::json &request);

// ---- the workload generator -----------------------------------------------------

std::vector<WorkloadRequest> generated_requests(const GeneratedWorkload &spec);

// ln(x) for x in (0, 1] from +, -, *, / alone: the same bits natively and in WebAssembly,
// whose libm may round std::log differently. Relative error below 1e-15.
double portable_log(double x);

// ---- the scheduler --------------------------------------------------------------

struct RequestOutcome {
  double first_token_us = 0;
  double finish_us = 0;
};

struct StepRecord {
  double start_us = 0;
  double duration_us = 0;
  int64_t prefill_tokens = 0;
  int64_t prefill_requests = 0;
  int64_t decode_requests = 0;
  int64_t running = 0; // admitted and not finished, at the step's start
  int64_t waiting = 0; // arrived and not admitted, at the step's start
  uint8_t dominant = 0; // index of the largest contribution (kTermNames)
};

struct SimulationResult {
  std::vector<RequestOutcome> outcomes; // by request id
  int64_t steps = 0;
  double busy_us = 0; // sum of step durations
  int64_t peak_running = 0;
  int64_t peak_waiting = 0;
  std::optional<int64_t> kv_capacity_tokens; // unknown without the GPU's capacity
  std::array<int64_t, kFeatureCount> dominant_steps{};
  std::vector<StepRecord> records; // only when step_records
};

SimulationResult run_simulation(const SimulationRequest &request);

// The step model from a batch's totals: a step's time from its prefill chunks and the
// count and summed context of its decodes, in O(chunks). The decode terms depend on the
// decodes only through their count and summed context (basis.cpp), so the time equals
// compute() of the batch with one decode row per request, bit for bit.
class StepClock {
public:
  explicit StepClock(const Scenario &scenario);
  // chunks: (tokens_this_step, prompt_tokens) per prefill request, in batch order.
  const Prediction &time(std::span<const PrefillChunk> chunks, int64_t decode_requests,
                         int64_t decode_context);

private:
  Scenario scenario_;
  std::vector<double> packed_prefill_, packed_decode_;
  Prediction prediction_;
};

// ---- the response ---------------------------------------------------------------

// Nearest rank: the smallest value with at least p% of the values at or below it, i.e.
// sorted[ceil(p * n / 100) - 1]; `sorted` must be non-empty and ascending.
double nearest_rank_percentile(std::span<const double> sorted, int percent);

// {"summary", "scheduler", "requests", "step_records"?, "notes"}; docs/simulation.md.
nlohmann::ordered_json simulation_response_json(const SimulationRequest &request,
                                                const SimulationResult &result);

// The whole pipeline: what `stepcalc simulate` prints (compact JSON).
std::string simulate_response(std::string_view request_text);

} // namespace stepcalc
