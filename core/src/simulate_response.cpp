// The response of `stepcalc simulate`: the summary (latency percentiles, throughput), the
// scenario and scheduler it ran, each request's times, optionally one record per step,
// and the scenario's notes.

#include <algorithm>
#include <cmath>

#include "shortest_numbers.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/simulate.hpp"

namespace stepcalc {

using nlohmann::ordered_json;

namespace {

// Numbers as JavaScript's JSON.stringify writes them (shortest_numbers.hpp).
ordered_json number(double value) { return js_number(value); }

struct RequestTimes {
  std::vector<double> ttft_us, tpot_us, e2e_us; // by request id
};

RequestTimes request_times(const SimulationRequest &request, const SimulationResult &result) {
  RequestTimes times;
  const std::size_t n = request.requests.size();
  times.ttft_us.reserve(n);
  times.tpot_us.reserve(n);
  times.e2e_us.reserve(n);
  for (std::size_t id = 0; id < n; ++id) {
    const WorkloadRequest &asked = request.requests[id];
    const RequestOutcome &outcome = result.outcomes[id];
    times.ttft_us.push_back(outcome.first_token_us - asked.arrival_us);
    times.tpot_us.push_back(asked.output_tokens == 1
                                ? 0.0
                                : (outcome.finish_us - outcome.first_token_us) /
                                      static_cast<double>(asked.output_tokens - 1));
    times.e2e_us.push_back(outcome.finish_us - asked.arrival_us);
  }
  return times;
}

// {"p50", "p90", "p99", "mean"}: nearest-rank percentiles, the mean summed in id order.
ordered_json distribution(std::vector<double> values) {
  double sum = 0;
  for (const double value : values) sum += value;
  std::sort(values.begin(), values.end());
  ordered_json out = ordered_json::object();
  out["p50"] = number(nearest_rank_percentile(values, 50));
  out["p90"] = number(nearest_rank_percentile(values, 90));
  out["p99"] = number(nearest_rank_percentile(values, 99));
  out["mean"] = number(sum / static_cast<double>(values.size()));
  return out;
}

ordered_json summary_json(const SimulationRequest &request, const SimulationResult &result,
                          const RequestTimes &times) {
  int64_t prompt_tokens = 0, output_tokens = 0;
  double first_arrival_us = request.requests.front().arrival_us, last_finish_us = 0;
  for (std::size_t id = 0; id < request.requests.size(); ++id) {
    prompt_tokens += request.requests[id].prompt_tokens;
    output_tokens += request.requests[id].output_tokens;
    first_arrival_us = std::min(first_arrival_us, request.requests[id].arrival_us);
    last_finish_us = std::max(last_finish_us, result.outcomes[id].finish_us);
  }
  const double makespan_us = last_finish_us - first_arrival_us;
  ordered_json shares = ordered_json::object();
  for (std::size_t term = 0; term < kFeatureCount; ++term) {
    shares[kTermNames[term]] =
        number(static_cast<double>(result.dominant_steps[term]) / static_cast<double>(result.steps));
  }
  return {
      {"requests", request.requests.size()},
      {"steps", result.steps},
      {"makespan_us", number(makespan_us)},
      {"prompt_tokens", prompt_tokens},
      {"output_tokens", output_tokens},
      // A makespan of 0 (coefficients that make steps free) has no throughput to state.
      {"throughput_tokens_per_s", makespan_us > 0 ? number(static_cast<double>(output_tokens) /
                                                           makespan_us * 1e6)
                                                  : ordered_json(nullptr)},
      {"ttft_us", distribution(times.ttft_us)},
      {"tpot_us", distribution(times.tpot_us)},
      {"e2e_us", distribution(times.e2e_us)},
      {"busy_us", number(result.busy_us)},
      {"peak_running", result.peak_running},
      {"peak_waiting", result.peak_waiting},
      {"kv_capacity_tokens", result.kv_capacity_tokens ? ordered_json(*result.kv_capacity_tokens)
                                                       : ordered_json(nullptr)},
      {"dominant_share", shares},
  };
}

ordered_json scenario_json(const SimulationRequest &request) {
  const Scenario &scenario = request.scenario;
  return {{"model", scenario.model_id},
          {"gpu", scenario.gpu_id},
          {"tp", scenario.tp},
          {"coefficients", scenario.coefficients_id},
          {"gpu_memory_utilization", number(scenario.gpu_memory_utilization)},
          {"max_num_batched_tokens", request.scheduler.max_num_batched_tokens},
          {"max_num_seqs", request.scheduler.max_num_seqs}};
}

ordered_json requests_json(const SimulationRequest &request, const SimulationResult &result,
                           const RequestTimes &times) {
  ordered_json rows = ordered_json::array();
  for (std::size_t id = 0; id < request.requests.size(); ++id) {
    const WorkloadRequest &asked = request.requests[id];
    const RequestOutcome &outcome = result.outcomes[id];
    rows.push_back({{"id", id},
                    {"arrival_us", number(asked.arrival_us)},
                    {"prompt_tokens", asked.prompt_tokens},
                    {"output_tokens", asked.output_tokens},
                    {"first_token_us", number(outcome.first_token_us)},
                    {"finish_us", number(outcome.finish_us)},
                    {"ttft_us", number(times.ttft_us[id])},
                    {"tpot_us", number(times.tpot_us[id])},
                    {"e2e_us", number(times.e2e_us[id])}});
  }
  return rows;
}

// Columns, one entry per step: compact for charts of many steps.
ordered_json step_records_json(const std::vector<StepRecord> &records) {
  ordered_json start = ordered_json::array(), duration = ordered_json::array(),
               prefill_tokens = ordered_json::array(), prefill_requests = ordered_json::array(),
               decode_requests = ordered_json::array(), running = ordered_json::array(),
               waiting = ordered_json::array(), dominant = ordered_json::array();
  for (const StepRecord &step : records) {
    start.push_back(number(step.start_us));
    duration.push_back(number(step.duration_us));
    prefill_tokens.push_back(step.prefill_tokens);
    prefill_requests.push_back(step.prefill_requests);
    decode_requests.push_back(step.decode_requests);
    running.push_back(step.running);
    waiting.push_back(step.waiting);
    dominant.push_back(kTermNames[step.dominant]);
  }
  return {{"start_us", start},
          {"duration_us", duration},
          {"prefill_tokens", prefill_tokens},
          {"prefill_requests", prefill_requests},
          {"decode_requests", decode_requests},
          {"running", running},
          {"waiting", waiting},
          {"dominant", dominant}};
}

} // namespace

double nearest_rank_percentile(std::span<const double> sorted, int percent) {
  const std::size_t n = sorted.size();
  const std::size_t rank = (static_cast<std::size_t>(percent) * n + 99) / 100; // ceil(p n / 100)
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

ordered_json simulation_response_json(const SimulationRequest &request,
                                      const SimulationResult &result) {
  const RequestTimes times = request_times(request, result);
  ordered_json response = {{"summary", summary_json(request, result, times)},
                           {"scenario", scenario_json(request)},
                           {"requests", requests_json(request, result, times)}};
  if (request.step_records) response["step_records"] = step_records_json(result.records);
  response["notes"] = notes_to_json(request.scenario.notes);
  return response;
}

std::string simulate_response(std::string_view request_text) {
  const SimulationRequest request =
      parse_simulation_request(parse_json_text(request_text, "request"));
  // Written as JavaScript's JSON.stringify writes it, so the module's object stringifies
  // to exactly this text.
  return with_shortest_numbers(simulation_response_json(request, run_simulation(request)).dump());
}

} // namespace stepcalc
