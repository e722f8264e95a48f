#pragma once

// Shared helpers for the unit tests.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "stepcalc/calculator.hpp"

namespace stepcalc::test {

// The seed's numbers must match to 1e-12 relative.
inline bool same_to_1e12(double actual, double expected) {
  if (expected == 0) return actual == 0;
  return std::fabs(actual - expected) <= 1e-12 * std::fabs(expected);
}

#define CHECK_REL(actual, expected)                                                                \
  CHECK_MESSAGE(::stepcalc::test::same_to_1e12((actual), (expected)),                              \
                "actual " << (actual) << " vs expected " << (expected))

// The ids of one kind of preset ("models", "gpus" or "coefficients"): the
// stems of the files under presets/<kind>/, sorted as the build embeds them.
// Tests compare the library with these, so adding a preset needs no test edit.
inline std::vector<std::string> preset_ids_on_disk(const std::string &kind) {
  std::vector<std::string> ids;
  for (const auto &entry :
       std::filesystem::directory_iterator(std::string(STEPCALC_PRESETS_DIR) + "/" + kind)) {
    if (entry.path().extension() == ".json") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

inline std::string joined(const std::vector<std::string> &items, const std::string &separator) {
  std::string text;
  for (const auto &item : items)
    text += (text.empty() ? "" : separator) + item;
  return text;
}

inline nlohmann::json load_test_json(const std::string &name) {
  std::ifstream file(std::string(STEPCALC_TEST_DATA) + "/" + name);
  REQUIRE_MESSAGE(file.good(), "cannot open test data " << name);
  return nlohmann::json::parse(file);
}

// The hand-derived toy model used across tests: small numbers one can check on paper.
inline nlohmann::json toy_config() {
  return {{"num_hidden_layers", 2},
          {"hidden_size", 8},
          {"num_attention_heads", 2},
          {"num_key_value_heads", 1},
          {"intermediate_size", 16},
          {"vocab_size", 32},
          {"tie_word_embeddings", false}};
}

// 2 TFLOPS with sparsity (1 dense), 1 TB/s, 1 GB/s link: 1e6 FLOPs, 1e6 and 1e3 bytes per us.
inline nlohmann::json toy_datasheet() {
  return {{"compute", {{"fp16_tensor_core", 2}}},
          {"memory", {{"bandwidth_tb_s", 1}, {"capacity_gb", 1}}},
          {"interconnect", {{"nvlink_bandwidth_gb_s", 1}}}};
}

inline nlohmann::json toy_request(int tp = 1) {
  return {{"model", toy_config()},
          {"gpu", toy_datasheet()},
          {"tp", tp},
          {"coefficients", {{"beta", {1, 1, 1, 1, 0, 0, 0}}}},
          {"step",
           {{"prefill", {{{"tokens_this_step", 4}, {"prompt_tokens", 4}}}},
            {"decode", {{{"context_length", 10}, {"count", 2}}}}}}};
}

inline nlohmann::json compute(const nlohmann::json &request) {
  const Scenario scenario = parse_request(request);
  return nlohmann::json::parse(response_json(scenario, evaluate(scenario)).dump());
}

// A response (or resolution result) carries a note with this code.
inline bool has_note(const nlohmann::json &response, const std::string &code) {
  const auto &notes = response["notes"];
  return std::any_of(notes.begin(), notes.end(),
                     [&](const nlohmann::json &note) { return note["code"] == code; });
}

} // namespace stepcalc::test
