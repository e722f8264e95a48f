// Reading a simulation request into typed structs: the calculator's header (model, GPU,
// TP, coefficients, memory utilization), the workload and the scheduler's limits. Every
// error is an InputError naming the field.

#include <string>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/request.hpp"
#include "stepcalc/simulate.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

namespace {

constexpr int64_t kMaxSeed = 9'007'199'254'740'991; // 2^53 - 1: any seed JavaScript can hold

const json &required_member(const json &object, const char *key, const std::string &where,
                            const char *expected) {
  const json *value = jf::find_member(object, key);
  if (value == nullptr) throw InputError(where, std::string("missing; expected ") + expected);
  return *value;
}

// n, or {"min": a, "max": b} with a <= b: a generated request's token count.
TokenRange token_range(const json &workload, const char *key, TokenRange fallback) {
  const json *value = jf::find_member(workload, key);
  if (value == nullptr) return fallback;
  const std::string where = jf::field_path("workload", key);
  if (value->is_number()) {
    const int64_t n = jf::to_integer(*value, where, 1, limits::kMaxTokens);
    return {n, n};
  }
  if (!value->is_object()) {
    throw InputError(where, "expected a number of tokens or {\"min\", \"max\"}, got " +
                                jf::describe(*value));
  }
  jf::reject_unknown_fields(*value, where, {"min", "max"});
  TokenRange range;
  range.min = jf::required_integer(jf::find_member(*value, "min"), jf::field_path(where, "min"), 1,
                                   limits::kMaxTokens);
  range.max = jf::required_integer(jf::find_member(*value, "max"), jf::field_path(where, "max"), 1,
                                   limits::kMaxTokens);
  if (range.max < range.min) {
    throw InputError(jf::field_path(where, "max"), "must be at least min (" +
                                                       std::to_string(range.min) + "), got " +
                                                       std::to_string(range.max));
  }
  return range;
}

GeneratedWorkload generated_workload(const json &workload, const json &count) {
  GeneratedWorkload spec;
  spec.requests = jf::to_integer(count, "workload.requests", 1, limits::kMaxSimulationRequests);
  if (const json *rate = jf::find_member(workload, "arrival_rate_per_s")) {
    const std::string where = "workload.arrival_rate_per_s";
    spec.arrival_rate_per_s = jf::to_number(*rate, where, 0, limits::kMaxArrivalRate);
    if (spec.arrival_rate_per_s > 0 && spec.arrival_rate_per_s < limits::kMinArrivalRate) {
      throw InputError(where, "must be 0 (every request at once) or at least 0.001 requests per "
                              "second, got " + rate->dump());
    }
  }
  spec.prompt_tokens = token_range(workload, "prompt_tokens", spec.prompt_tokens);
  spec.output_tokens = token_range(workload, "output_tokens", spec.output_tokens);
  if (spec.prompt_tokens.max + spec.output_tokens.max > limits::kMaxTokens) {
    throw InputError("workload", "prompt_tokens and output_tokens may add up to at most " +
                                     std::to_string(limits::kMaxTokens) + " tokens, got up to " +
                                     std::to_string(spec.prompt_tokens.max +
                                                    spec.output_tokens.max));
  }
  if (const json *seed = jf::find_member(workload, "seed")) {
    spec.seed = static_cast<uint64_t>(jf::to_integer(*seed, "workload.seed", 0, kMaxSeed));
  }
  return spec;
}

std::vector<WorkloadRequest> listed_requests(const json &workload, const json &list) {
  for (const char *generator_only : {"arrival_rate_per_s", "prompt_tokens", "output_tokens", "seed"}) {
    if (jf::find_member(workload, generator_only) != nullptr) {
      throw InputError(jf::field_path("workload", generator_only),
                       "only for generated requests; workload.requests is a list");
    }
  }
  if (list.empty() || list.size() > static_cast<std::size_t>(limits::kMaxSimulationRequests)) {
    throw InputError("workload.requests", "must list from 1 to " +
                                              std::to_string(limits::kMaxSimulationRequests) +
                                              " requests, got " + std::to_string(list.size()));
  }
  std::vector<WorkloadRequest> requests;
  requests.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json &row = list[i];
    const std::string where = jf::index_path("workload.requests", i);
    jf::require_object(row, where);
    jf::reject_unknown_fields(row, where, {"arrival_us", "prompt_tokens", "output_tokens"});
    WorkloadRequest request;
    if (const json *arrival = jf::find_member(row, "arrival_us")) {
      request.arrival_us =
          jf::to_number(*arrival, jf::field_path(where, "arrival_us"), 0, limits::kMaxArrivalUs);
    }
    request.prompt_tokens = jf::required_integer(jf::find_member(row, "prompt_tokens"),
                                                 jf::field_path(where, "prompt_tokens"), 1,
                                                 limits::kMaxTokens);
    request.output_tokens = jf::required_integer(jf::find_member(row, "output_tokens"),
                                                 jf::field_path(where, "output_tokens"), 1,
                                                 limits::kMaxTokens);
    if (request.prompt_tokens + request.output_tokens > limits::kMaxTokens) {
      throw InputError(where, "prompt_tokens + output_tokens must be at most " +
                                  std::to_string(limits::kMaxTokens) + ", got " +
                                  std::to_string(request.prompt_tokens + request.output_tokens));
    }
    requests.push_back(request);
  }
  return requests;
}

void read_workload(const json &request, SimulationRequest &out) {
  const json &workload = required_member(request, "workload", "workload",
                                         "{\"requests\": a number or a list, ...}");
  jf::require_object(workload, "workload");
  jf::reject_unknown_fields(workload, "workload",
                            {"requests", "arrival_rate_per_s", "prompt_tokens", "output_tokens",
                             "seed"});
  const json &requests =
      required_member(workload, "requests", "workload.requests",
                      "a number of requests or a list of {arrival_us, prompt_tokens, "
                      "output_tokens}");
  if (requests.is_array()) {
    out.requests = listed_requests(workload, requests);
  } else if (requests.is_number()) {
    out.requests = generated_requests(generated_workload(workload, requests));
    out.generated = true;
  } else {
    throw InputError("workload.requests",
                     "expected a number of requests or a list of {arrival_us, prompt_tokens, "
                     "output_tokens}, got " + jf::describe(requests));
  }
}

void read_scheduler(const json &request, SimulationRequest &out) {
  const json *scheduler = jf::find_member(request, "scheduler");
  if (scheduler == nullptr) return;
  jf::require_object(*scheduler, "scheduler");
  jf::reject_unknown_fields(*scheduler, "scheduler", {"max_num_batched_tokens", "max_num_seqs"});
  SchedulerLimits &limits = out.scheduler;
  if (const json *seqs = jf::find_member(*scheduler, "max_num_seqs")) {
    // A step's prefill rows are at most max_num_seqs, and a step holds at most kMaxRows.
    limits.max_num_seqs = jf::to_integer(*seqs, "scheduler.max_num_seqs", 1, limits::kMaxRows);
  }
  if (const json *tokens = jf::find_member(*scheduler, "max_num_batched_tokens")) {
    limits.max_num_batched_tokens =
        jf::to_integer(*tokens, "scheduler.max_num_batched_tokens", 1, limits::kMaxTokens);
  }
  // Every running request decodes in every step, so the budget must hold them all.
  if (limits.max_num_batched_tokens < limits.max_num_seqs) {
    throw InputError("scheduler.max_num_batched_tokens",
                     "must be at least max_num_seqs (" + std::to_string(limits.max_num_seqs) +
                         "), got " + std::to_string(limits.max_num_batched_tokens));
  }
}

} // namespace

SimulationRequest parse_simulation_request(const json &request) {
  if (!request.is_object()) {
    throw InputError("request", "expected a JSON object, got " + jf::describe(request));
  }
  jf::reject_unknown_fields(request, "",
                            {"model", "gpu", "tp", "coefficients", "gpu_memory_utilization",
                             "workload", "scheduler", "step_records"});
  // The calculator's own reader takes the header: the same presets, checks and messages.
  json header = json::object();
  for (const char *key : {"model", "gpu", "tp", "coefficients", "gpu_memory_utilization"}) {
    if (const json *value = jf::find_member(request, key)) header[key] = *value;
  }
  SimulationRequest out;
  out.scenario = parse_request_header(header);
  read_scheduler(request, out);
  if (const json *records = jf::find_member(request, "step_records")) {
    if (!records->is_boolean()) {
      throw InputError("step_records", "expected true or false, got " + jf::describe(*records));
    }
    out.step_records = records->get<bool>();
  }
  read_workload(request, out);
  return out;
}

} // namespace stepcalc
