// The scheduler: vLLM V1's with chunked prefill and no preemption, one step at a time,
// each timed by the step model (StepClock). docs/simulation.md states the rules.
//
// A step costs O(changes), not O(batch): the decodes are kept as a count and a summed
// context (every decode adds one token per step, so the sum grows by the count), finishes
// come off a heap keyed by the step they happen in, and arrivals are a pointer into the
// requests sorted by arrival.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <numeric>
#include <queue>
#include <stdexcept>

#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/memory.hpp"
#include "stepcalc/simulate.hpp"

namespace stepcalc {

namespace {

std::string gigabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g GB", bytes / 1e9);
  return text;
}

// Tokens of KV cache that fit beside the weights; unknown when the GPU's datasheet has no
// capacity. Throws when the weights alone do not fit.
std::optional<int64_t> kv_capacity_tokens(const Scenario &scenario) {
  if (!scenario.hardware.capacity_gb) return std::nullopt;
  const double usable = *scenario.hardware.capacity_gb * 1e9 * scenario.gpu_memory_utilization;
  const double weights = model_weight_bytes(scenario.arch, scenario.tp);
  const double free = usable - weights;
  const double tokens = std::floor(free / kv_cache_bytes_per_token(scenario.arch, scenario.tp));
  if (tokens < 1) {
    throw InputError("model", "does not fit: its weights need " + gigabytes(weights) +
                                  " per GPU at TP " + std::to_string(scenario.tp) + ", and only " +
                                  gigabytes(usable) + " are usable, with no room for a KV cache");
  }
  return static_cast<int64_t>(std::min(tokens, 9e18));
}

// A request whose whole KV cache exceeds what fits beside the weights could never run.
void require_each_fits(const std::vector<WorkloadRequest> &requests, int64_t capacity_tokens,
                       bool generated) {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const int64_t needed = requests[i].prompt_tokens + requests[i].output_tokens;
    if (needed <= capacity_tokens) continue;
    const std::string where = "workload.requests[" + std::to_string(i) + "]";
    throw InputError(where, std::string(generated ? "(generated) " : "") + "needs " +
                                std::to_string(needed) + " tokens of KV cache (prompt " +
                                std::to_string(requests[i].prompt_tokens) + " + output " +
                                std::to_string(requests[i].output_tokens) + ") but at most " +
                                std::to_string(capacity_tokens) +
                                " fit beside the weights; it could never run");
  }
}

// Steps no schedule can do without: a request's prompt takes ceil(prompt / budget) steps and
// each later token one more, and a step makes at most max_num_seqs tokens. A workload
// over the limits by this count fails before any step runs.
int64_t minimum_steps(const std::vector<WorkloadRequest> &requests, const SchedulerLimits &limits) {
  int64_t longest = 0, tokens = 0;
  for (const auto &request : requests) {
    const int64_t prefill_steps =
        (request.prompt_tokens + limits.max_num_batched_tokens - 1) / limits.max_num_batched_tokens;
    longest = std::max(longest, prefill_steps + request.output_tokens - 1);
    tokens += request.output_tokens;
  }
  return std::max(longest, (tokens + limits.max_num_seqs - 1) / limits.max_num_seqs);
}

[[noreturn]] void too_many_steps() {
  throw InputError("workload", "the simulation needs more than " +
                                   std::to_string(limits::kMaxSimulationSteps) + " steps (the limit)" +
                                   "; simulate fewer requests or output tokens");
}

[[noreturn]] void too_many_records() {
  throw InputError("step_records", "the simulation runs more than " +
                                       std::to_string(limits::kMaxStepRecords) +
                                       " steps, too many to record; run it without step_records");
}

class Simulation {
public:
  explicit Simulation(const SimulationRequest &request)
      : requests_(request.requests), limits_(request.scheduler),
        record_steps_(request.step_records), clock_(request.scenario),
        order_(requests_.size()) {
    result_.outcomes.resize(requests_.size());
    result_.kv_capacity_tokens = kv_capacity_tokens(request.scenario);
    if (result_.kv_capacity_tokens) {
      require_each_fits(requests_, *result_.kv_capacity_tokens, request.generated);
    }
    free_kv_tokens_ = result_.kv_capacity_tokens;
    const int64_t at_least = minimum_steps(requests_, limits_);
    if (at_least > limits::kMaxSimulationSteps) too_many_steps();
    if (record_steps_ && at_least > limits::kMaxStepRecords) too_many_records();
    // First come, first served: by arrival, then by id.
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return requests_[a].arrival_us < requests_[b].arrival_us;
    });
  }

  SimulationResult run() {
    while (finished_ < requests_.size()) {
      while (arrived_ < order_.size() && requests_[order_[arrived_]].arrival_us <= now_us_) {
        ++arrived_;
      }
      if (!schedule()) {
        // Nothing runs and nothing waiting can be admitted (an empty engine admits any
        // request, each having been checked to fit alone): wait for the next arrival.
        if (next_admit_ < arrived_ || arrived_ == order_.size()) {
          throw std::logic_error("simulation: idle with requests waiting or none to come");
        }
        now_us_ = requests_[order_[arrived_]].arrival_us;
        continue;
      }
      run_step();
    }
    return std::move(result_);
  }

private:
  struct Prefill {
    std::size_t id;
    int64_t done = 0; // prompt tokens computed in earlier steps
  };

  int64_t running() const {
    return static_cast<int64_t>(prefilling_.size()) + decode_requests_;
  }

  bool fits(const WorkloadRequest &request) const {
    return !free_kv_tokens_ || request.prompt_tokens + request.output_tokens <= *free_kv_tokens_;
  }

  // The step's prefill chunks: requests already prefilling first, then waiting ones that
  // have arrived, first come first served, while the budget, max_num_seqs and memory allow.
  // False when the step would be empty.
  bool schedule() {
    int64_t budget = limits_.max_num_batched_tokens - decode_requests_;
    chunks_.clear();
    for (const Prefill &prefill : prefilling_) {
      if (budget == 0) break;
      const WorkloadRequest &request = requests_[prefill.id];
      add_chunk(request, prefill.done, budget);
    }
    while (budget > 0 && next_admit_ < arrived_ && running() < limits_.max_num_seqs &&
           fits(requests_[order_[next_admit_]])) {
      const std::size_t id = order_[next_admit_++];
      const WorkloadRequest &request = requests_[id];
      if (free_kv_tokens_) *free_kv_tokens_ -= request.prompt_tokens + request.output_tokens;
      prefilling_.push_back({id});
      add_chunk(request, 0, budget);
    }
    return decode_requests_ > 0 || !chunks_.empty();
  }

  void add_chunk(const WorkloadRequest &request, int64_t done, int64_t &budget) {
    const int64_t chunk = std::min(request.prompt_tokens - done, budget);
    budget -= chunk;
    chunks_.push_back({chunk, request.prompt_tokens, 1});
  }

  void run_step() {
    if (result_.steps == limits::kMaxSimulationSteps) too_many_steps();
    if (record_steps_ && result_.steps == limits::kMaxStepRecords) too_many_records();
    const Prediction &prediction = clock_.time(chunks_, decode_requests_, decode_context_);
    const std::size_t dominant = dominant_term(prediction.contributions_us);
    ++result_.dominant_steps[dominant];
    const int64_t waiting = static_cast<int64_t>(arrived_ - next_admit_);
    result_.peak_running = std::max(result_.peak_running, running());
    result_.peak_waiting = std::max(result_.peak_waiting, waiting);
    if (record_steps_) record(prediction.step_time_us, waiting, dominant);
    const double end_us = now_us_ + prediction.step_time_us;
    result_.busy_us += prediction.step_time_us;
    finish_decodes(end_us);
    advance_prefills(end_us);
    now_us_ = end_us;
    ++result_.steps;
  }

  void record(double duration_us, int64_t waiting, std::size_t dominant) {
    StepRecord step;
    step.start_us = now_us_;
    step.duration_us = duration_us;
    for (const auto &chunk : chunks_) step.prefill_tokens += chunk.tokens_this_step;
    step.prefill_requests = static_cast<int64_t>(chunks_.size());
    step.decode_requests = decode_requests_;
    step.running = running();
    step.waiting = waiting;
    step.dominant = static_cast<uint8_t>(dominant);
    result_.records.push_back(step);
  }

  // Every decode made one token; those at their last leave the batch and free their KV.
  void finish_decodes(double end_us) {
    decode_context_ += decode_requests_;
    while (!finishing_.empty() && finishing_.top().first == result_.steps) {
      const std::size_t id = finishing_.top().second;
      finishing_.pop();
      const WorkloadRequest &request = requests_[id];
      --decode_requests_;
      decode_context_ -= request.prompt_tokens + request.output_tokens;
      finish(id, end_us);
    }
  }

  // The chunks' requests advance; those whose prompt is done have their first token, and
  // decode from the next step on (or finish now, if one token was all they wanted).
  void advance_prefills(double end_us) {
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
      Prefill &prefill = prefilling_.front();
      prefill.done += chunks_[i].tokens_this_step;
      const WorkloadRequest &request = requests_[prefill.id];
      if (prefill.done < request.prompt_tokens) break; // only the last chunk can stop short
      const std::size_t id = prefill.id;
      prefilling_.pop_front();
      result_.outcomes[id].first_token_us = end_us;
      if (request.output_tokens == 1) {
        finish(id, end_us);
        continue;
      }
      ++decode_requests_;
      decode_context_ += request.prompt_tokens + 1;
      // It decodes in steps s+1 .. s+output-1 and has its last token at the end of the last.
      finishing_.push({result_.steps + request.output_tokens - 1, id});
    }
  }

  void finish(std::size_t id, double end_us) {
    result_.outcomes[id].finish_us = end_us;
    const WorkloadRequest &request = requests_[id];
    if (free_kv_tokens_) *free_kv_tokens_ += request.prompt_tokens + request.output_tokens;
    ++finished_;
  }

  const std::vector<WorkloadRequest> &requests_;
  SchedulerLimits limits_;
  bool record_steps_;
  StepClock clock_;
  SimulationResult result_;
  std::vector<std::size_t> order_; // request ids by arrival
  std::size_t arrived_ = 0;        // order_[0, arrived_) have arrived
  std::size_t next_admit_ = 0;     // order_[0, next_admit_) were admitted
  std::size_t finished_ = 0;
  double now_us_ = 0;
  std::optional<int64_t> free_kv_tokens_;
  std::deque<Prefill> prefilling_; // admitted, prompt not done, in admission order
  std::vector<PrefillChunk> chunks_; // this step's, for prefilling_'s first entries
  int64_t decode_requests_ = 0;
  int64_t decode_context_ = 0; // Σ prompt + tokens made so far, over the decoding requests
  using Finish = std::pair<int64_t, std::size_t>; // (the step of the last token, id)
  std::priority_queue<Finish, std::vector<Finish>, std::greater<>> finishing_;
};

} // namespace

SimulationResult run_simulation(const SimulationRequest &request) {
  return Simulation(request).run();
}

} // namespace stepcalc
