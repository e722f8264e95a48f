// Sweeps equal one compute per value.

#include "stepcalc/calculator.hpp"

#include "stepcalc/input_error.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;

namespace {

json base_request() {
  return json::parse(R"({"model": "llama-2-70b-hf", "gpu": "h100-sxm", "tp": 4,
    "step": {"prefill": [{"tokens_this_step": 512, "prompt_tokens": 2048}],
             "decode": [{"context_length": 1000, "count": 32}, {"context_length": 4000, "count": 8}]}})");
}

} // namespace

TEST_CASE("each sweep point equals the compute of the edited request") {
  const Scenario base = parse_request(base_request());
  struct Case {
    const char *variable;
    std::function<void(json &, int64_t)> edit;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {"decode[0].count",
       [](json &r, int64_t v) { r["step"]["decode"][0]["count"] = v; },
       {1, 2, 64, 512}},
      {"decode[*].context_length",
       [](json &r, int64_t v) {
         for (auto &row : r["step"]["decode"])
           row["context_length"] = v;
       },
       {1, 128, 8192, 131072}},
      {"prefill[0].tokens_this_step",
       [](json &r, int64_t v) { r["step"]["prefill"][0]["tokens_this_step"] = v; },
       {1, 256, 2048}},
      {"tp", [](json &r, int64_t v) { r["tp"] = v; }, {1, 2, 3, 8}},
  };
  for (const auto &c : cases) {
    CAPTURE(c.variable);
    const SweepSeries series = sweep(base, c.variable, c.values);
    REQUIRE(series.step_time_us.size() == c.values.size());
    for (std::size_t i = 0; i < c.values.size(); ++i) {
      json request = base_request();
      c.edit(request, static_cast<int64_t>(c.values[i]));
      const json expected = stepcalc::test::compute(request);
      CHECK(series.step_time_us[i] == expected["step_time_us"].get<double>());
      CHECK(series.t_dc_kv[i] == expected["basis"]["t_dc_kv"].get<double>());
      CHECK(series.t_tp[i] == expected["basis"]["t_tp"].get<double>());
      CHECK(series.batch_size[i] == expected["basis"]["batch_size"].get<double>());
    }
  }
}

TEST_CASE("sweep errors are located") {
  const Scenario base = parse_request(base_request());
  CHECK_THROWS_WITH_AS(
      sweep(base, "prefill[0].prompt_tokens", {4096, 100}),
      "sweep.values[1]: makes step.prefill[0] compute 512 tokens of a prompt of 100", InputError);
  CHECK_THROWS_WITH_AS(sweep(base, "decode[0].count", std::vector<double>(100001, 1.0)),
                       "sweep.values: has 100001 values; at most 100000 are allowed", InputError);
  auto linkless = base_request();
  linkless["tp"] = 1;
  linkless["gpu"] = {{"compute", {{"fp16_tensor_core", 100}}}, {"memory", {{"bandwidth_tb_s", 1}}}};
  CHECK_THROWS_WITH_AS(sweep(parse_request(linkless), "tp", {1, 2}),
                       "sweep.values[1]: no nvlink_bandwidth_gb_s, link_bandwidth_gb_s or "
                       "pcie_bandwidth_gb_s; TP 2 needs a GPU-to-GPU bandwidth",
                       InputError);
  CHECK_THROWS_WITH_AS(
      sweep(base, "decode[5].count", {1}),
      "sweep.variable: the step has 2 decode rows, so \"decode[5].count\" does not exist",
      InputError);
  CHECK_THROWS_WITH_AS(
      sweep(base, "batch", {1}),
      "sweep.variable: unknown variable \"batch\"; expected tp, prefill[i].<field> or "
      "decode[i].<field>",
      InputError);
  CHECK_THROWS_WITH_AS(sweep(base, "decode[0].count", {4, 0.5}),
                       "sweep.values[1]: must be an integer from 1 to 1000000, got 0.5",
                       InputError);
  CHECK_THROWS_WITH_AS(
      sweep(base, "prefill[0].tokens_this_step", {4096}),
      "sweep.values[0]: makes step.prefill[0] compute 4096 tokens of a prompt of 2048", InputError);
}
