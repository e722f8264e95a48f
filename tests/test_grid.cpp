// The grid: every cell is `stepcalc compute` for its GPU and TP; a TP a GPU cannot run is a
// cell with its reason; bad input is one located error.

#include "test_support.hpp"

#include "stepcalc/grid.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/presets.hpp"

namespace {

using nlohmann::json;
using stepcalc::InputError;

bool same_to_1e9(const json &actual, const json &expected) {
  if (expected.is_null() || actual.is_null()) return actual == expected;
  const double a = actual.get<double>(), e = expected.get<double>();
  if (e == 0) return a == 0;
  return std::fabs(a - e) <= 1e-9 * std::fabs(e);
}

json grid(const json &request) { return json::parse(stepcalc::grid_response(request.dump())); }

json batch() {
  return {{"prefill", {{{"tokens_this_step", 512}, {"prompt_tokens", 2048}}}},
          {"decode", {{{"context_length", 8192}, {"count", 64}}}}};
}

// A datasheet with no GPU-to-GPU link: it runs at TP 1 only.
json linkless_gpu() {
  return {{"name", "Lonely"},
          {"compute", {{"fp16_tensor_core", 200}, {"with_sparsity", false}}},
          {"memory", {{"bandwidth_tb_s", 1.0}, {"capacity_gb", 48}}}};
}

std::string error_of(const json &request) {
  try {
    stepcalc::grid_response(request.dump());
  } catch (const InputError &error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("grid: every cell equals stepcalc compute for its GPU and TP, for two models") {
  for (const std::string model : {"llama-3.1-70b-instruct", "qwen3-30b-a3b"}) {
    const json cells = grid({{"model", model}, {"step", batch()}})["cells"];
    const auto &gpus = stepcalc::presets().gpus;
    REQUIRE(cells.size() == gpus.size() * 4);
    std::size_t at = 0;
    for (std::size_t g = 0; g < gpus.size(); ++g) {
      for (const int tp : {1, 2, 4, 8}) {
        CAPTURE(model);
        CAPTURE(gpus[g].id);
        CAPTURE(tp);
        const json &cell = cells[at++];
        const json full = json::parse(stepcalc::compute_response(
            json{{"model", model}, {"gpu", gpus[g].id}, {"tp", tp}, {"step", batch()}}.dump()));
        CHECK(cell["gpu"] == gpus[g].id);
        CHECK(cell["gpu_index"] == g);
        CHECK(cell["tp"] == tp);
        CHECK(cell["error"].is_null());
        CHECK(same_to_1e9(cell["step_time_us"], full["step_time_us"]));
        CHECK(cell["fits"] == full["memory"]["fits"]);
        CHECK(same_to_1e9(cell["headroom_bytes"], full["memory"]["headroom_bytes"]));
        CHECK(cell["max_decode_requests"] == full["memory"]["max_decode_requests"]);
        CHECK(cell["bottleneck"] == full["bottleneck"]);
        const double tokens = full["work"]["prefill"]["tokens"].get<double>() +
                              full["work"]["decode"]["tokens"].get<double>();
        const double per_s = tokens / (full["step_time_us"].get<double>() * 1e-6);
        CHECK(same_to_1e9(cell["tokens_per_s"], per_s));
        CHECK(same_to_1e9(cell["tokens_per_s_per_gpu"], per_s / tp));
        const json &c = full["contributions_us"];
        const auto largest = std::max_element(c.begin(), c.end(), [](const json &a, const json &b) {
          return a.get<double>() < b.get<double>();
        });
        CHECK(cell["dominant"] == stepcalc::kTermNames[static_cast<std::size_t>(
                                      std::distance(c.begin(), largest))]);
        json codes = json::array();
        for (const json &note : full["notes"]) codes.push_back(note["code"]);
        CHECK(cell["notes"] == codes);
      }
    }
  }
}

TEST_CASE("grid: the GPUs and TPs asked for, in their order, custom datasheets included") {
  const json cells = grid({{"model", "llama-3.1-8b-instruct"},
                           {"gpus", {"l4", linkless_gpu()}},
                           {"tps", {2, 1, 3}},
                           {"step", batch()}})["cells"];
  REQUIRE(cells.size() == 6);
  CHECK(cells[0]["gpu"] == "l4");
  CHECK(cells[0]["tp"] == 2);
  CHECK(cells[2]["tp"] == 3);
  CHECK(cells[3]["gpu"] == "custom");
  CHECK(cells[3]["gpu_index"] == 1);
  SUBCASE("a TP the GPU cannot run is a cell with its reason, not an error") {
    CHECK(cells[4]["tp"] == 1);
    CHECK(cells[4]["error"].is_null());
    CHECK(cells[4]["step_time_us"].get<double>() > 0);
    for (const std::size_t i : {3, 5}) {
      CHECK(cells[i]["step_time_us"].is_null());
      CHECK(cells[i]["fits"].is_null());
      CHECK(cells[i]["bottleneck"].is_null());
      CHECK(cells[i]["error"].get<std::string>().rfind("gpus[1].interconnect: no nvlink_bandwidth_gb_s", 0) == 0);
    }
    CHECK(cells[3]["error"].get<std::string>().find("TP 2 needs a GPU-to-GPU bandwidth") !=
          std::string::npos);
  }
}

TEST_CASE("grid: bad input is one error naming the field") {
  const json base = {{"model", "llama-3.1-8b-instruct"}, {"step", batch()}};
  const auto with = [&](const char *key, json value) {
    json request = base;
    request[key] = std::move(value);
    return request;
  };
  CHECK(error_of(with("gpu", "h100-sxm")) == "gpu: a grid request lists \"gpus\", not one \"gpu\"");
  CHECK(error_of(with("tp", 2)) == "tp: a grid request lists \"tps\", not one \"tp\"");
  CHECK(error_of(with("tps", json::array())) ==
        "tps: expected a list of 1 to 16 TP degrees, got an array");
  CHECK(error_of(with("tps", {1, 2, 1})) == "tps[2]: TP 1 is listed twice");
  CHECK(error_of(with("tps", {1, 0})) == "tps[1]: must be an integer from 1 to 4096, got 0");
  CHECK(error_of(with("gpus", {"h100-sxm", "nope"})).rfind("gpus[1]: unknown preset \"nope\"", 0) == 0);
  json bad_sheet = linkless_gpu();
  bad_sheet["memory"]["bandwidth_tb_s"] = -1;
  CHECK(error_of(with("gpus", {"h100-sxm", bad_sheet})).rfind("gpus[1].memory.bandwidth_tb_s: ", 0) == 0);
  CHECK(error_of(with("gpus", "h100-sxm")) ==
        "gpus: expected a list of 1 to 64 GPUs (preset ids or datasheets), got a string");
  CHECK(error_of(with("tpz", 1)).rfind("tpz: unknown field", 0) == 0);
  json no_step = base;
  no_step.erase("step");
  CHECK(error_of(no_step).rfind("step: missing", 0) == 0);
  json bad_row = base;
  bad_row["step"]["decode"][0]["count"] = 0;
  CHECK(error_of(bad_row) == "step.decode[0].count: must be an integer from 1 to 1000000, got 0");
}
