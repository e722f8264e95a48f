// The serving simulation: its times are sums of compute() over the batches the rules
// produce (built here by hand, or by a plain re-implementation of the rules that builds
// every batch request by request), it conserves requests and tokens, it is deterministic,
// and its errors are located.

#include "stepcalc/simulate.hpp"

#include <cmath>
#include <optional>

#include "../core/src/shortest_numbers.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;

namespace {

// The issue's exactness bound.
bool same_to_1e9(double actual, double expected) {
  return std::fabs(actual - expected) <= 1e-9 * std::fabs(expected);
}

#define CHECK_1E9(actual, expected)                                                                \
  CHECK_MESSAGE(same_to_1e9((actual), (expected)), "actual " << (actual) << " vs expected "        \
                                                             << (expected))

json header() {
  return {{"model", "llama-2-70b-hf"}, {"gpu", "h100-sxm"}, {"tp", 4}};
}

json simulate(const json &workload, const json &extra = json::object()) {
  json request = header();
  request["workload"] = workload;
  request.update(extra);
  return json::parse(simulate_response(request.dump()));
}

// The public compute of one batch: prefill as (chunk, prompt) pairs, decode as contexts.
double compute_us(const std::vector<std::pair<int64_t, int64_t>> &prefill,
                  const std::vector<int64_t> &decode) {
  json request = header();
  request["step"] = {{"prefill", json::array()}, {"decode", json::array()}};
  for (const auto &[chunk, prompt] : prefill) {
    request["step"]["prefill"].push_back({{"tokens_this_step", chunk}, {"prompt_tokens", prompt}});
  }
  for (const int64_t context : decode) {
    request["step"]["decode"].push_back({{"context_length", context}});
  }
  return stepcalc::test::compute(request)["step_time_us"].get<double>();
}

double field(const json &response, std::size_t id, const char *key) {
  return response["requests"][id][key].get<double>();
}

} // namespace

TEST_CASE("simulate: one request is a prefill step and then one decode step per later token") {
  const json out = simulate({{"requests", {{{"arrival_us", 0}, {"prompt_tokens", 1000},
                                            {"output_tokens", 4}}}}});
  const double prefill = compute_us({{1000, 1000}}, {});
  const double decodes = compute_us({}, {1001}) + compute_us({}, {1002}) + compute_us({}, {1003});
  CHECK(out["summary"]["steps"] == 4);
  CHECK_1E9(field(out, 0, "ttft_us"), prefill);
  CHECK_1E9(field(out, 0, "e2e_us"), prefill + decodes);
  CHECK_1E9(field(out, 0, "tpot_us"), decodes / 3);
}

TEST_CASE("simulate: a 20,000-token prompt is chunked under an 8,192-token budget") {
  const json out = simulate({{"requests", {{{"prompt_tokens", 20000}, {"output_tokens", 2}}}}});
  const double ttft = compute_us({{8192, 20000}}, {}) + compute_us({{8192, 20000}}, {}) +
                      compute_us({{3616, 20000}}, {});
  CHECK(out["summary"]["steps"] == 4);
  CHECK_1E9(field(out, 0, "ttft_us"), ttft);
  CHECK_1E9(field(out, 0, "e2e_us"), ttft + compute_us({}, {20001}));
}

TEST_CASE("simulate: two requests at once share their prefill step and decode together") {
  const json out = simulate({{"requests",
                              {{{"arrival_us", 0}, {"prompt_tokens", 500}, {"output_tokens", 3}},
                               {{"arrival_us", 0}, {"prompt_tokens", 300}, {"output_tokens", 2}}}}});
  const double first = compute_us({{500, 500}, {300, 300}}, {});
  const double second = compute_us({}, {501, 301});
  const double third = compute_us({}, {502});
  CHECK_1E9(field(out, 0, "ttft_us"), first);
  CHECK_1E9(field(out, 1, "ttft_us"), first);
  CHECK_1E9(field(out, 1, "e2e_us"), first + second);
  CHECK_1E9(field(out, 0, "e2e_us"), first + second + third);
  CHECK(out["summary"]["steps"] == 3);
}

TEST_CASE("simulate: a late arrival joins a running decode at the next step") {
  const double prefill_a = compute_us({{1000, 1000}}, {});
  const double arrival_b = prefill_a + 1; // during A's first decode step
  const json out = simulate(
      {{"requests", {{{"arrival_us", 0}, {"prompt_tokens", 1000}, {"output_tokens", 10}},
                     {{"arrival_us", arrival_b}, {"prompt_tokens", 200}, {"output_tokens", 2}}}}});
  const double step1 = compute_us({}, {1001});
  const double step2 = compute_us({{200, 200}}, {1002}); // B's prefill beside A's decode
  const double step3 = compute_us({}, {1003, 201});
  double rest = 0;
  for (int64_t context = 1004; context <= 1009; ++context) rest += compute_us({}, {context});
  CHECK_1E9(field(out, 1, "ttft_us"), prefill_a + step1 + step2 - arrival_b);
  CHECK_1E9(field(out, 1, "e2e_us"), prefill_a + step1 + step2 + step3 - arrival_b);
  CHECK_1E9(field(out, 0, "ttft_us"), prefill_a);
  CHECK_1E9(field(out, 0, "e2e_us"), prefill_a + step1 + step2 + step3 + rest);
  CHECK(out["summary"]["steps"] == 10);
}

namespace {

// The rules again, plainly: every step looks at every request and builds its batch row by
// row, and compute() (evaluate) times it. O(requests) per step, so only for small runs.
struct Reference {
  struct Request {
    WorkloadRequest asked;
    int64_t prefilled = 0, produced = 0;
    bool admitted = false, finished = false;
    int64_t admitted_at = 0;
    double first_token_us = 0, finish_us = 0;
  };
  std::vector<Request> requests;
  std::vector<double> step_start_us, step_us;

  Reference(const SimulationRequest &sim, std::optional<int64_t> capacity_tokens) {
    for (const auto &asked : sim.requests) requests.push_back({asked});
    Scenario scenario = sim.scenario;
    std::optional<int64_t> free = capacity_tokens;
    double now = 0;
    int64_t admissions = 0;
    std::size_t finished = 0;
    while (finished < requests.size()) {
      std::vector<Request *> running;
      for (auto &r : requests) {
        if (r.admitted && !r.finished) running.push_back(&r);
      }
      std::sort(running.begin(), running.end(),
                [](auto *a, auto *b) { return a->admitted_at < b->admitted_at; });
      std::vector<Request *> decodes, chunks;
      std::vector<DecodeGroup> decode_rows;
      std::vector<PrefillChunk> chunk_rows;
      for (auto *r : running) {
        if (r->prefilled == r->asked.prompt_tokens) {
          decodes.push_back(r);
          decode_rows.push_back({r->asked.prompt_tokens + r->produced, 1});
        }
      }
      int64_t budget = sim.scheduler.max_num_batched_tokens - static_cast<int64_t>(decodes.size());
      auto take_chunk = [&](Request *r) {
        const int64_t chunk = std::min(r->asked.prompt_tokens - r->prefilled, budget);
        budget -= chunk;
        chunks.push_back(r);
        chunk_rows.push_back({chunk, r->asked.prompt_tokens, 1});
      };
      for (auto *r : running) {
        if (r->prefilled < r->asked.prompt_tokens && budget > 0) take_chunk(r);
      }
      std::vector<Request *> waiting;
      for (auto &r : requests) {
        if (!r.admitted && r.asked.arrival_us <= now) waiting.push_back(&r);
      }
      std::stable_sort(waiting.begin(), waiting.end(), [](auto *a, auto *b) {
        return a->asked.arrival_us < b->asked.arrival_us;
      });
      int64_t running_count = static_cast<int64_t>(running.size());
      for (auto *r : waiting) {
        const int64_t kv = r->asked.prompt_tokens + r->asked.output_tokens;
        if (budget == 0 || running_count >= sim.scheduler.max_num_seqs || (free && kv > *free)) break;
        if (free) *free -= kv;
        r->admitted = true;
        r->admitted_at = admissions++;
        ++running_count;
        take_chunk(r);
      }
      if (decodes.empty() && chunks.empty()) {
        double next = INFINITY;
        for (auto &r : requests) {
          if (!r.admitted) next = std::min(next, r.asked.arrival_us);
        }
        now = next;
        continue;
      }
      scenario.step = Step(chunk_rows, decode_rows);
      const double duration = evaluate(scenario).prediction.step_time_us;
      step_start_us.push_back(now);
      step_us.push_back(duration);
      now += duration;
      auto finish = [&](Request *r) {
        r->finished = true;
        r->finish_us = now;
        if (free) *free += r->asked.prompt_tokens + r->asked.output_tokens;
        ++finished;
      };
      for (auto *r : decodes) {
        if (++r->produced == r->asked.output_tokens) finish(r);
      }
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        Request *r = chunks[i];
        r->prefilled += chunk_rows[i].tokens_this_step;
        if (r->prefilled < r->asked.prompt_tokens) continue;
        r->produced = 1;
        r->first_token_us = now;
        if (r->asked.output_tokens == 1) finish(r);
      }
    }
  }
};

void check_against_reference(const json &request) {
  const SimulationRequest sim = parse_simulation_request(request);
  const SimulationResult result = run_simulation(sim);
  const Reference reference(sim, result.kv_capacity_tokens);
  REQUIRE(result.records.size() == reference.step_us.size());
  for (std::size_t i = 0; i < result.records.size(); ++i) {
    CAPTURE(i);
    CHECK_1E9(result.records[i].duration_us, reference.step_us[i]);
    CHECK_1E9(result.records[i].start_us, reference.step_start_us[i]);
  }
  for (std::size_t id = 0; id < sim.requests.size(); ++id) {
    CAPTURE(id);
    CHECK_1E9(result.outcomes[id].first_token_us, reference.requests[id].first_token_us);
    CHECK_1E9(result.outcomes[id].finish_us, reference.requests[id].finish_us);
  }
}

} // namespace

TEST_CASE("simulate: every step's time is compute() of its batch built request by request") {
  SUBCASE("Poisson arrivals, chunked prompts, max_num_seqs binding") {
    json request = header();
    request["workload"] = {{"requests", 150},
                           {"arrival_rate_per_s", 30},
                           {"prompt_tokens", {{"min", 10}, {"max", 12000}}},
                           {"output_tokens", {{"min", 1}, {"max", 120}}},
                           {"seed", 11}};
    request["scheduler"] = {{"max_num_batched_tokens", 4096}, {"max_num_seqs", 12}};
    request["step_records"] = true;
    check_against_reference(request);
  }
  SUBCASE("memory admission binding (a small share of the GPU), a MoE model at TP 2") {
    json request = {{"model", "mixtral-8x7b-v0.1"}, {"gpu", "h100-sxm"}, {"tp", 2},
                    {"gpu_memory_utilization", 0.62}};
    request["workload"] = {{"requests", 120},
                           {"prompt_tokens", {{"min", 1000}, {"max", 30000}}},
                           {"output_tokens", {{"min", 1}, {"max", 60}}},
                           {"seed", 3}};
    request["step_records"] = true;
    const SimulationResult result = run_simulation(parse_simulation_request(request));
    REQUIRE(result.kv_capacity_tokens);
    CHECK(*result.kv_capacity_tokens < 300'000); // memory, not max_num_seqs, binds
    check_against_reference(request);
  }
}

TEST_CASE("simulate: max_num_seqs caps the running requests; the rest wait their turn") {
  json workload = {{"requests", 5}, {"prompt_tokens", 100}, {"output_tokens", 20}};
  const json out = simulate(workload, {{"scheduler", {{"max_num_seqs", 2}}}});
  CHECK(out["summary"]["peak_running"] == 2);
  CHECK(out["summary"]["peak_waiting"] == 3);
  // The third is admitted only once one of the first two has finished.
  CHECK(field(out, 2, "first_token_us") > field(out, 0, "finish_us"));
  CHECK(field(out, 0, "finish_us") == field(out, 1, "finish_us"));
}

TEST_CASE("simulate: a request is admitted only when its whole KV cache fits beside the others") {
  // llama-2-7b at TP 1 on an H100 SXM with room for about 3,200 tokens beside the weights.
  json request = {{"model", "llama-2-7b-hf"}, {"gpu", "h100-sxm"}, {"tp", 1}};
  const Scenario scenario = parse_request_header(request);
  const double per_token = kv_cache_bytes_per_token(scenario.arch, 1);
  const double capacity = *scenario.hardware.capacity_gb * 1e9;
  request["gpu_memory_utilization"] =
      (model_weight_bytes(scenario.arch, 1) + 3200.5 * per_token) / capacity;
  request["workload"] = {{"requests", 4}, {"prompt_tokens", 1000}, {"output_tokens", 500}};
  const json out = json::parse(simulate_response(request.dump()));
  const int64_t kv_tokens = out["summary"]["kv_capacity_tokens"].get<int64_t>();
  CHECK(kv_tokens >= 3199);
  CHECK(kv_tokens <= 3200);
  CHECK(out["summary"]["peak_running"] == 2); // 2 x 1,500 tokens fit, 3 do not
  CHECK(field(out, 2, "first_token_us") > field(out, 0, "finish_us"));
}

TEST_CASE("simulate: 3,000 Poisson requests conserve requests and tokens, and repeat exactly") {
  const json workload = {{"requests", 3000},
                         {"arrival_rate_per_s", 40},
                         {"prompt_tokens", {{"min", 100}, {"max", 4000}}},
                         {"output_tokens", {{"min", 1}, {"max", 400}}},
                         {"seed", 2026}};
  json request = header();
  request["workload"] = workload;
  const std::string text = simulate_response(request.dump());
  const json out = json::parse(text);
  const json &summary = out["summary"];
  REQUIRE(out["requests"].size() == 3000);
  int64_t output_tokens = 0;
  double first_arrival = INFINITY, last_finish = 0;
  int64_t out_of_order = 0;
  for (const json &row : out["requests"]) {
    const double arrival = row["arrival_us"].get<double>();
    const double first = row["first_token_us"].get<double>();
    const double finish = row["finish_us"].get<double>();
    out_of_order += (arrival <= first && first <= finish) ? 0 : 1;
    output_tokens += row["output_tokens"].get<int64_t>();
    first_arrival = std::min(first_arrival, arrival);
    last_finish = std::max(last_finish, finish);
  }
  CHECK(out_of_order == 0);
  CHECK(summary["requests"] == 3000);
  CHECK(summary["output_tokens"] == output_tokens);
  CHECK(summary["makespan_us"].get<double>() == last_finish - first_arrival);
  CHECK(summary["throughput_tokens_per_s"].get<double>() ==
        static_cast<double>(output_tokens) / (last_finish - first_arrival) * 1e6);
  CHECK(summary["peak_running"].get<int64_t>() > 1); // the load overlaps requests
  CHECK(simulate_response(request.dump()) == text);
  request["workload"]["seed"] = 2027;
  CHECK(simulate_response(request.dump()) != text);
}

TEST_CASE("simulate: generated workloads are pinned to the generator (the same on every platform)") {
  GeneratedWorkload spec;
  spec.requests = 3;
  spec.arrival_rate_per_s = 10;
  spec.prompt_tokens = {100, 4000};
  spec.output_tokens = {1, 500};
  spec.seed = 42;
  const std::vector<WorkloadRequest> requests = generated_requests(spec);
  // Pinned, and checked against a Python transcription of SplitMix64 and math.log: a change
  // here changes every generated workload.
  CHECK(requests[0].arrival_us == 29899);
  CHECK(requests[0].prompt_tokens == 1447);
  CHECK(requests[0].output_tokens == 359);
  CHECK(requests[2].arrival_us == 288696);
  CHECK(requests[2].prompt_tokens == 3133);
  CHECK(requests[2].output_tokens == 6);
  spec.arrival_rate_per_s = 0;
  for (const auto &request : generated_requests(spec)) CHECK(request.arrival_us == 0);
}

TEST_CASE("simulate: portable_log agrees with std::log") {
  for (const double x : {1.0, 0.5, 0.999999, 1e-300, 0x1.0p-53, 0.7071067811865476, 0.123456789}) {
    CAPTURE(x);
    CHECK(std::fabs(portable_log(x) - std::log(x)) <= 4e-16 * std::fabs(std::log(x)) + 1e-300);
  }
}

TEST_CASE("simulate: numbers are written as JavaScript's JSON.stringify writes them") {
  // nlohmann's digits for these doubles, then V8's.
  CHECK(with_shortest_numbers("[56383577.298892006,73598.99329771977]") ==
        "[56383577.29889201,73598.99329771978]");
  CHECK(with_shortest_numbers("{\"a\":-0.10000000000000001,\"b\":1234.5}") ==
        "{\"a\":-0.1,\"b\":1234.5}");
  // Strings (escapes included), integers and e-notation are left as they are.
  const std::string untouched =
      R"({"x\"0.10000000000000001":"0.10000000000000001","n":[0,-12,1e-07,2.5e+20]})";
  CHECK(with_shortest_numbers(untouched) == untouched);
}

TEST_CASE("simulate: percentiles are nearest rank") {
  const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(nearest_rank_percentile(ten, 50) == 5);
  CHECK(nearest_rank_percentile(ten, 90) == 9);
  CHECK(nearest_rank_percentile(ten, 99) == 10);
  const std::vector<double> one = {7};
  CHECK(nearest_rank_percentile(one, 50) == 7);
  CHECK(nearest_rank_percentile(one, 99) == 7);
}

TEST_CASE("simulate: errors name the field") {
  const auto error = [](json request) {
    try {
      simulate_response(request.dump());
    } catch (const InputError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const json list = {{"requests", {{{"prompt_tokens", 10}, {"output_tokens", 2}}}}};
  json request = header();
  CHECK(error(request) ==
        "workload: missing; expected {\"requests\": a number or a list, ...}");
  request["workload"] = {{"requests", 0}};
  CHECK(error(request) == "workload.requests: must be an integer from 1 to 100000, got 0");
  request["workload"] = {{"requests", 2}, {"prompt_tokens", {{"min", 10}, {"max", 5}}}};
  CHECK(error(request) == "workload.prompt_tokens.max: must be at least min (10), got 5");
  request["workload"] = {{"requests", 2}, {"arrival_rate_per_s", 0.0001}};
  CHECK(error(request) == "workload.arrival_rate_per_s: must be 0 (every request at once) or at "
                          "least 0.001 requests per second, got 0.0001");
  request["workload"] = {{"requests", 2}, {"rate", 4}};
  CHECK(error(request).rfind("workload.rate: unknown field", 0) == 0);
  request["workload"] = list;
  request["workload"]["seed"] = 1;
  CHECK(error(request) == "workload.seed: only for generated requests; workload.requests is a list");
  request["workload"] = {{"requests", {{{"prompt_tokens", 10}}}}};
  CHECK(error(request) == "workload.requests[0].output_tokens: missing; expected an integer from 1 "
                          "to 100000000");
  request["workload"] = {{"requests", {{{"prompt_tokens", 99'999'999}, {"output_tokens", 2}}}}};
  CHECK(error(request) == "workload.requests[0]: prompt_tokens + output_tokens must be at most "
                          "100000000, got 100000001");
  request["workload"] = list;
  request["scheduler"] = {{"max_num_seqs", 300}, {"max_num_batched_tokens", 256}};
  CHECK(error(request) ==
        "scheduler.max_num_batched_tokens: must be at least max_num_seqs (300), got 256");
  request.erase("scheduler");
  request["step_records"] = 1;
  CHECK(error(request) == "step_records: expected true or false, got 1");
  request.erase("step_records");
  request["step"] = json::object();
  CHECK(error(request).rfind("step: unknown field", 0) == 0);
  request.erase("step");
  request["gpu"] = "nope";
  CHECK(error(request).rfind("gpu: unknown preset \"nope\"", 0) == 0);

  // Memory: a request that could never fit alone is named; so is a model that cannot fit.
  request = header();
  request["workload"] = {
      {"requests",
       {{{"prompt_tokens", 10}, {"output_tokens", 2}}, {{"prompt_tokens", 900'000}, {"output_tokens", 2}}}}};
  CHECK(error(request).rfind("workload.requests[1]: needs 900002 tokens of KV cache (prompt "
                             "900000 + output 2) but at most ", 0) == 0);
  request["workload"] = {{"requests", 1}, {"prompt_tokens", 900'000}};
  CHECK(error(request).rfind("workload.requests[0]: (generated) needs 900256 tokens", 0) == 0);
  request = {{"model", "llama-2-70b-hf"}, {"gpu", "l40s"}, {"tp", 1}, {"workload", list}};
  CHECK(error(request).rfind("model: does not fit: its weights need ", 0) == 0);

  // Bounded work: a workload that needs more steps than the limit fails before it runs. (A
  // datasheet without capacity_gb: memory admits anything, so only the limit stops it.)
  request = header();
  request["gpu"] = {{"compute", {{"fp16_tensor_core", 1979}}},
                    {"memory", {{"bandwidth_tb_s", 3.35}}},
                    {"interconnect", {{"nvlink_bandwidth_gb_s", 900}}}};
  request["workload"] = {{"requests", {{{"prompt_tokens", 10}, {"output_tokens", 10'000'002}}}}};
  CHECK(error(request) == "workload: the simulation needs more than 10000000 steps (the limit); "
                          "simulate fewer requests or output tokens");
  request["workload"] = {{"requests", {{{"prompt_tokens", 10}, {"output_tokens", 1'000'002}}}}};
  request["step_records"] = true;
  CHECK(error(request) == "step_records: the simulation runs more than 1000000 steps, too many to "
                          "record; run it without step_records");
}
