// The response schema (src/response_fields.def): the JSON writer, the step record and the
// field list the WASM module checks all follow the one table.

#include "stepcalc/calculator.hpp"

#include <cmath>
#include <sstream>
#include <vector>

#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::ordered_json;

namespace {

struct Field {
  std::string level, kind, path;
};

std::vector<Field> fields() {
  std::vector<Field> out;
  std::stringstream list(response_field_list());
  std::string item;
  while (std::getline(list, item, ',')) {
    const auto first = item.find(':'), second = item.find(':', first + 1);
    out.push_back({item.substr(0, first), item.substr(first + 1, second - first - 1),
                   item.substr(second + 1)});
  }
  return out;
}

const ordered_json &at(const ordered_json &root, const std::string &path) {
  const ordered_json *node = &root;
  std::stringstream parts(path);
  std::string key;
  while (std::getline(parts, key, '.'))
    node = &node->at(key);
  return *node;
}

// Every leaf path of an object, in order ("work.prefill.flops"); arrays are leaves.
void leaf_paths(const ordered_json &node, const std::string &prefix, std::vector<std::string> &out) {
  for (const auto &item : node.items()) {
    const std::string path = prefix.empty() ? item.key() : prefix + "." + item.key();
    if (item.value().is_object())
      leaf_paths(item.value(), path, out);
    else
      out.push_back(path);
  }
}

Scenario mixed_scenario() {
  // A MoE preset at TP 8 whose step does not fit: notes of every level, a non-trivial record.
  return parse_request(nlohmann::json::parse(R"({"model": "qwen3-30b-a3b", "gpu": "l4", "tp": 8,
    "step": {"prefill": [{"tokens_this_step": 512, "prompt_tokens": 4096, "count": 2}],
             "decode": [{"context_length": 100000, "count": 900}]}})"));
}

} // namespace

TEST_CASE("the response's keys are the table's paths, in the table's order, then notes") {
  const Scenario scenario = mixed_scenario();
  const ordered_json response = response_json(scenario, evaluate(scenario));
  std::vector<std::string> paths;
  leaf_paths(response, "", paths);
  std::vector<std::string> expected;
  for (const auto &field : fields())
    expected.push_back(field.path);
  expected.push_back("notes");
  CHECK(paths == expected);
}

TEST_CASE("the step record holds the STEP fields' values, in order") {
  const Scenario scenario = mixed_scenario();
  const StepResult result = evaluate(scenario);
  const ordered_json response = response_json(scenario, result);
  std::vector<double> record(step_record_size());
  write_step_record(scenario, result, record);
  std::size_t slot = 0;
  for (const auto &field : fields()) {
    if (field.level != "STEP") continue;
    CAPTURE(field.path);
    const ordered_json &value = at(response, field.path);
    if (field.kind == "vector7") {
      for (const auto &element : value)
        CHECK(record.at(slot++) == element.get<double>());
    } else if (field.kind == "bound") {
      const double code = value == "none" ? 0 : value == "compute" ? 1 : 2;
      CHECK(record.at(slot++) == code);
    } else if (value.is_null()) {
      CHECK(std::isnan(record.at(slot++)));
    } else if (value.is_boolean()) {
      CHECK(record.at(slot++) == (value.get<bool>() ? 1 : 0));
    } else {
      CHECK(record.at(slot++) == value.get<double>());
    }
  }
  CHECK(slot == step_record_size());
  CHECK(response["memory"]["fits"] == false); // the case above covers a false flag
}

TEST_CASE("scenario fields are the SCENARIO rows, and a prefix selects a part") {
  const Scenario scenario = mixed_scenario();
  const ordered_json response = response_json(scenario, evaluate(scenario));
  const ordered_json all = scenario_fields_json(scenario);
  std::vector<std::string> paths;
  leaf_paths(all, "", paths);
  std::vector<std::string> expected;
  for (const auto &field : fields()) {
    if (field.level == "SCENARIO") expected.push_back(field.path);
  }
  CHECK(paths == expected);
  for (const auto &path : paths)
    CHECK(at(all, path) == at(response, path));
  const ordered_json arch = scenario_fields_json(scenario, "arch.");
  CHECK(arch.size() == 1);
  CHECK(arch["arch"] == response["arch"]);
}

TEST_CASE("compute_response is the response JSON, compact") {
  const char *request =
      R"({"model": "llama-2-7b-hf", "gpu": "h100-sxm", "step": {"decode": [{"context_length": 7}]}})";
  const Scenario scenario = parse_request(nlohmann::json::parse(request));
  CHECK(compute_response(request) == response_json(scenario, evaluate(scenario)).dump());
}
