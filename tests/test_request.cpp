// The request contract: every bad-input path gives one located, exact message.

#include "stepcalc/calculator.hpp"
#include "stepcalc/batch.hpp"

#include <cmath>
#include <cstring>

#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;
using stepcalc::test::compute;
using stepcalc::test::toy_request;

namespace {

json preset_request() {
  return json::parse(R"({"model": "llama-2-7b-hf", "gpu": "h100-sxm", "tp": 1,
    "step": {"prefill": [{"tokens_this_step": 512, "prompt_tokens": 2048}],
             "decode": [{"context_length": 1024, "count": 32}]}})");
}

std::string valid_presets(const std::string &kind) {
  return stepcalc::test::joined(stepcalc::test::preset_ids_on_disk(kind), ", ");
}

std::string error_of(const json &request) {
  try {
    parse_request(request);
  } catch (const InputError &error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("a preset request resolves and defaults to the fitted coefficients") {
  const auto result = compute(preset_request());
  CHECK(result["scenario"]["coefficients"] == "trained-roofline-h100");
  CHECK(result["scenario"]["model"] == "llama-2-7b-hf");
  CHECK(result["basis"]["batch_size"] == 33);
  CHECK(result["features"].size() == 7);
  CHECK(result["contributions_us"].size() == 7);
  double sum = 0;
  for (const auto &c : result["contributions_us"])
    sum += c.get<double>();
  CHECK(sum == result["step_time_us"].get<double>());
  CHECK(result["bottleneck"]["decode"] == "memory");
  CHECK(result["bottleneck"]["prefill"] == "compute");
}

TEST_CASE("tp defaults to 1 and coefficients accept a preset id or beta") {
  auto request = preset_request();
  request.erase("tp");
  CHECK(compute(request)["scenario"]["tp"] == 1);
  request["coefficients"] = "roofline-prior";
  const auto prior = compute(request);
  const auto &b = prior["basis"];
  CHECK(prior["step_time_us"].get<double>() ==
        std::max(b["t_pf_compute"].get<double>(), b["t_pf_kv"].get<double>()) +
            std::max(b["t_dc_compute"].get<double>(), b["t_dc_kv"].get<double>()) +
            b["t_weight"].get<double>() + b["t_tp"].get<double>());
  request["coefficients"] = {{"beta", {0, 0, 0, 0, 0, 0, 123.5}}};
  CHECK(compute(request)["step_time_us"].get<double>() == 123.5);
}

TEST_CASE("invalid JSON is located by line and column") {
  CHECK_THROWS_WITH_AS(compute_response("{\"model\": \n  nope}"),
                       "request: invalid JSON: parse error at line 2, column 4: syntax error while "
                       "parsing value - invalid literal; last read: '\"model\": <U+000A>  no'",
                       InputError);
  CHECK_THROWS_AS(compute_response(""), InputError);
}

TEST_CASE("JSON that parses but cannot be held is bad input, not a crash") {
  CHECK_THROWS_WITH_AS(
      compute_response(
          R"({"model": "llama-2-7b-hf", "step": {"decode": [{"context_length": 1e400}]}})"),
      "request: invalid JSON: number overflow parsing '1e400'", InputError);
  // A datasheet nested 20,000 deep: refused while parsing, before any recursive copy.
  std::string deep = R"({"model": "llama-2-7b-hf", "step": {}, "gpu": {"x": )";
  deep += std::string(20000, '[') + std::string(20000, ']') + "}}";
  CHECK_THROWS_WITH_AS(compute_response(deep),
                       "request: invalid JSON: nested deeper than 64 levels", InputError);
}

TEST_CASE("null is not a value for the request's own fields") {
  auto request = preset_request();
  request["tp"] = nullptr;
  CHECK(error_of(request) == "tp: must be an integer from 1 to 4096, got null");
  request = preset_request();
  request["step"]["decode"][0]["count"] = nullptr;
  CHECK(error_of(request) ==
        "step.decode[0].count: must be an integer from 1 to 1000000, got null");
  request = preset_request();
  request["coefficients"] = nullptr;
  CHECK(error_of(request) ==
        "coefficients: expected a preset id or {\"beta\": [7 numbers]}, got null");
  request = preset_request();
  request["step"]["decode"] = nullptr;
  CHECK(error_of(request) == "step.decode: expected an array, got null");
}

TEST_CASE("a custom coefficient object rejects unknown fields, accepts a coefficient file's") {
  auto request = preset_request();
  request["coefficients"] = {{"beta", {1, 1, 1, 1, 0, 0, 0}}, {"betta", {1}}};
  CHECK(error_of(request) ==
        "coefficients.betta: unknown field; expected one of: beta, name, source, alpha, lambda, "
        "fitted_on, test_mape_pct");
  request["coefficients"] = {
      {"beta", {1, 1, 1, 1, 0, 0, 0}}, {"name", "mine"}, {"alpha", json::object()}};
  CHECK(error_of(request) == "(no error)");
}

TEST_CASE("bounds hold for integers parsed from JSON text, which arrive unsigned") {
  // nlohmann reads "0" as an unsigned integer: the lower bound must still apply.
  CHECK_THROWS_WITH_AS(
      compute_response(R"({"model": "llama-2-7b-hf", "gpu": "h100-sxm", "tp": 0, "step": {}})"),
      "tp: must be an integer from 1 to 4096, got 0", InputError);
  CHECK_THROWS_WITH_AS(
      compute_response(
          R"({"model": "llama-2-7b-hf", "gpu": "h100-sxm", "step": {"decode": [{"context_length": 18446744073709551615}]}})"),
      "step.decode[0].context_length: must be an integer from 1 to 100000000, got "
      "18446744073709551615",
      InputError);
}

TEST_CASE("packed rows (the WASM module's batches) validate like the JSON step") {
  const std::vector<double> prefill = {512, 2048, 1, 100, 50, 1};
  CHECK_THROWS_WITH_AS(step_from_packed(prefill, {}),
                       "step.prefill[1].tokens_this_step: 100 exceeds prompt_tokens 50",
                       InputError);
  CHECK_THROWS_WITH_AS(
      step_from_packed({}, std::vector<double>{10, 1, 10.5, 1}),
      "step.decode[1].context_length: must be an integer from 1 to 100000000, got 10.5",
      InputError);
  CHECK_THROWS_WITH_AS(
      step_from_packed({}, std::vector<double>{10, 1e12}),
      "step.decode[0].count: must be an integer from 1 to 1000000, got 1000000000000", InputError);
  const Step step =
      step_from_packed(std::vector<double>{512, 2048, 1, 50, 100, 1}, std::vector<double>{10, 3});
  CHECK(step.prefill().size() == 2);
  CHECK(step.prefill_tokens() == 562);
  CHECK(step.batch_size() == 5);
  CHECK(step.decode_context() == 30);
}

namespace {

// Whether a packed field should be taken: what the quick row loop in batch.cpp must
// decide, written the plain way.
bool takes_packed(double value, int64_t max) {
  return std::isfinite(value) && std::floor(value) == value && value >= 1 &&
         value <= static_cast<double>(max);
}

} // namespace

TEST_CASE("packed rows take exactly the whole numbers from 1 to each field's limit") {
  // Edges of the quick loop's add-2^52 check, then random bit patterns and near-integers.
  const double two52 = 4503599627370496.0;
  std::vector<double> values = {0, -0.0, 1, 2, 0.5, 1.5, 2.5, 0.49999999999999994, 1 - 1e-16,
                                1 + 2.220446049250313e-16, 1e6, 1e6 + 1, 1e6 - 0.5, 999999.5,
                                1e8, 1e8 + 1, 1e8 - 0.5, 99999999.5, two52 - 1, two52,
                                two52 + 1, 2 * two52, -1, -two52, -two52 - 1, -2 * two52,
                                1e300, -1e300, 5e-324, -5e-324, 2.2250738585072014e-308,
                                std::nan(""), -std::nan(""), HUGE_VAL, -HUGE_VAL};
  uint64_t state = 0x9e3779b97f4a7c15u; // splitmix64: a fixed, reproducible sequence
  auto next = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  };
  for (int i = 0; i < 20000; ++i) {
    double bits_value = 0;
    const uint64_t bits = next();
    std::memcpy(&bits_value, &bits, sizeof bits);
    values.push_back(bits_value);
    const double whole = static_cast<double>(next() % 120'000'000) - 10'000'000;
    values.push_back(whole);
    values.push_back(whole + static_cast<double>(next() % 3) / 2);
  }
  const std::vector<double> good_prefill = {512, 2048, 1}, good_decode = {10, 3};
  for (const double value : values) {
    CAPTURE(value);
    for (std::size_t slot = 0; slot < 5; ++slot) {
      CAPTURE(slot);
      std::vector<double> prefill = good_prefill, decode = good_decode;
      const bool in_prefill = slot < 3;
      (in_prefill ? prefill[slot] : decode[slot - 3]) = value;
      const int64_t max = (slot == 2 || slot == 4) ? limits::kMaxCount : limits::kMaxTokens;
      // A prefill chunk may not compute more tokens than its prompt: keep the pair apart.
      if (slot == 0) prefill[1] = static_cast<double>(limits::kMaxTokens);
      if (slot == 1) prefill[0] = 1;
      bool taken = true;
      try {
        const Step step = step_from_packed(prefill, decode);
        const int64_t whole = static_cast<int64_t>(value);
        if (slot == 0) CHECK(step.prefill()[0].tokens_this_step == whole);
        if (slot == 1) CHECK(step.prefill()[0].prompt_tokens == whole);
        if (slot == 2) CHECK(step.prefill()[0].count == whole);
        if (slot == 3) CHECK(step.decode_context() == whole * 3);
        if (slot == 4) CHECK((step.decode_tokens() == whole && step.decode_context() == 10 * whole));
      } catch (const InputError &error) {
        taken = false;
        CHECK(std::string(error.what()).find(in_prefill ? "step.prefill[0]." : "step.decode[0].") == 0);
      }
      CHECK(taken == takes_packed(value, max));
    }
  }
}

TEST_CASE("a packed number is written as the CLI writes the JSON text JSON.stringify makes of it") {
  // JSON.stringify's digits (checked in Node), as nlohmann prints them back.
  CHECK(js_number_text(1152921504606846976.0) == "1152921504606847000"); // 2^60
  CHECK(js_number_text(-203628306607217248.0) == "-203628306607217250");
  CHECK(js_number_text(9007199254740994.0) == "9007199254740994");
  CHECK(js_number_text(9223372036854775808.0) == "9223372036854776000");   // 2^63
  CHECK(js_number_text(18446744073709549568.0) == "18446744073709550000"); // 2^64 - 2048
  // Digits beyond 64 bits are read as a double.
  CHECK(js_number_text(-9223372036854775808.0) == "-9.223372036854776e+18"); // -2^63
  CHECK(js_number_text(1e20) == "1e+20");
  CHECK(js_number_text(-0.0) == "0");
  CHECK(js_number_text(10.5) == "10.5");
  CHECK(js_number_text(std::nan("")) == "NaN");
  CHECK(js_number_text(-HUGE_VAL) == "-Infinity");
}

TEST_CASE("every bad field is named with its JSON path") {
  struct Case {
    std::string label; // a std::string, so CAPTURE prints text and not a pointer
    std::function<void(json &)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not an object", [](json &r) { r = json::array(); },
       "request: expected a JSON object, got an array"},
      {"unknown top-level field", [](json &r) { r["batch"] = 1; },
       "batch: unknown field; expected one of: model, gpu, tp, coefficients, "
       "gpu_memory_utilization, step"},
      {"missing model", [](json &r) { r.erase("model"); },
       "model: missing; expected a preset id or a HF config.json object"},
      {"model of the wrong type", [](json &r) { r["model"] = 7; },
       "model: expected a preset id or a HF config.json object, got 7"},
      // The valid ids come from presets/ on disk, so a new preset needs no edit here.
      // (Mutation tried: a copy of l4.json as presets/gpus/l4-copy.json, not yet
      // compiled in, failed the GPU row; the old hard-coded list passed it.)
      {"unknown model preset", [](json &r) { r["model"] = "llama-9"; },
       "model: unknown preset \"llama-9\"; valid presets: " + valid_presets("models")},
      {"unknown GPU preset", [](json &r) { r["gpu"] = "h1000"; },
       "gpu: unknown preset \"h1000\"; valid presets: " + valid_presets("gpus")},
      {"unknown coefficient preset", [](json &r) { r["coefficients"] = "best"; },
       "coefficients: unknown preset \"best\"; valid presets: " + valid_presets("coefficients")},
      {"missing gpu", [](json &r) { r.erase("gpu"); },
       "gpu: missing; expected a preset id or a datasheet object"},
      {"tp zero", [](json &r) { r["tp"] = 0; }, "tp: must be an integer from 1 to 4096, got 0"},
      {"tp negative", [](json &r) { r["tp"] = -2; },
       "tp: must be an integer from 1 to 4096, got -2"},
      {"tp fractional", [](json &r) { r["tp"] = 1.5; },
       "tp: must be an integer from 1 to 4096, got 1.5"},
      {"tp a string", [](json &r) { r["tp"] = "4"; },
       "tp: must be an integer from 1 to 4096, got a string"},
      {"beta too short",
       [](json &r) {
         r["coefficients"] = {{"beta", {1, 2, 3}}};
       },
       "coefficients.beta: expected an array of 7 numbers, got an array of 3"},
      {"beta not numbers",
       [](json &r) {
         r["coefficients"] = {{"beta", {1, 2, 3, 4, 5, "6", 7}}};
       },
       "coefficients.beta[5]: must be a number from 0 to 1e+09, got a string"},
      {"beta negative",
       [](json &r) {
         r["coefficients"] = {{"beta", {1, 2, 3, 4, 5, -6, 7}}};
       },
       "coefficients.beta[5]: must be a number from 0 to 1e+09, got -6"},
      {"beta missing", [](json &r) { r["coefficients"] = json::object(); },
       "coefficients.beta: missing; expected 7 numbers"},
      {"missing step", [](json &r) { r.erase("step"); },
       "step: missing; expected {\"prefill\": [...], \"decode\": [...]}"},
      {"step unknown field", [](json &r) { r["step"]["decodes"] = json::array(); },
       "step.decodes: unknown field; expected one of: prefill, decode"},
      {"decode not an array", [](json &r) { r["step"]["decode"] = 5; },
       "step.decode: expected an array, got 5"},
      {"decode row not an object", [](json &r) { r["step"]["decode"][0] = 5; },
       "step.decode[0]: expected an object, got 5"},
      {"zero count", [](json &r) { r["step"]["decode"][0]["count"] = 0; },
       "step.decode[0].count: must be an integer from 1 to 1000000, got 0"},
      {"absurd count", [](json &r) { r["step"]["decode"][0]["count"] = 1e12; },
       "step.decode[0].count: must be an integer from 1 to 1000000, got 1000000000000.0"},
      {"negative context", [](json &r) { r["step"]["decode"][0]["context_length"] = -1; },
       "step.decode[0].context_length: must be an integer from 1 to 100000000, got -1"},
      {"fractional context", [](json &r) { r["step"]["decode"][0]["context_length"] = 10.25; },
       "step.decode[0].context_length: must be an integer from 1 to 100000000, got 10.25"},
      {"missing context", [](json &r) { r["step"]["decode"][0].erase("context_length"); },
       "step.decode[0].context_length: missing; expected an integer from 1 to 100000000"},
      {"unknown row field", [](json &r) { r["step"]["decode"][0]["ctx"] = 1; },
       "step.decode[0].ctx: unknown field; expected one of: context_length, count"},
      {"tokens beyond the prompt",
       [](json &r) { r["step"]["prefill"][0]["tokens_this_step"] = 4096; },
       "step.prefill[0].tokens_this_step: 4096 exceeds prompt_tokens 2048"},
      {"zero prefill tokens", [](json &r) { r["step"]["prefill"][0]["tokens_this_step"] = 0; },
       "step.prefill[0].tokens_this_step: must be an integer from 1 to 100000000, got 0"},
      {"absurd prompt", [](json &r) { r["step"]["prefill"][0]["prompt_tokens"] = 5e9; },
       "step.prefill[0].prompt_tokens: must be an integer from 1 to 100000000, got 5000000000.0"},
      {"too many rows",
       [](json &r) {
         r["step"]["decode"] = json::array();
         for (int i = 0; i < 4097; ++i)
           r["step"]["decode"].push_back({{"context_length", 1}});
       },
       "step.decode: has 4097 rows; at most 4096 are allowed (use count)"},
      {"custom model without layers",
       [](json &r) {
         r["model"] = stepcalc::test::toy_config();
         r["model"].erase("num_hidden_layers");
       },
       "model.num_hidden_layers: missing; the number of transformer layers is required"},
      {"custom gpu without a link at TP 2",
       [](json &r) {
         r["tp"] = 2;
         r["gpu"] = stepcalc::test::toy_datasheet();
         r["gpu"].erase("interconnect");
       },
       "gpu.interconnect: no nvlink_bandwidth_gb_s, link_bandwidth_gb_s or pcie_bandwidth_gb_s; TP "
       "2 needs a GPU-to-GPU bandwidth"},
  };
  for (const auto &c : cases) {
    CAPTURE(c.label);
    json request = preset_request();
    c.edit(request);
    CHECK(error_of(request) == c.message);
  }
}

TEST_CASE("no NaN or infinity in any response at the input bounds") {
  auto request = preset_request();
  request["model"] = "llama-3.1-70b-instruct";
  request["tp"] = 4096;
  request["step"]["prefill"] = {
      {{"tokens_this_step", 100000000}, {"prompt_tokens", 100000000}, {"count", 1000000}}};
  request["step"]["decode"] = {{{"context_length", 100000000}, {"count", 1000000}}};
  const auto result = compute(request);
  for (const auto &item : result["basis"].items())
    CHECK(std::isfinite(item.value().get<double>()));
  CHECK(std::isfinite(result["step_time_us"].get<double>()));
}

TEST_CASE("notes of the model, GPU and TP reach the response") {
  auto request = preset_request();
  request["model"] = "qwen3-30b-a3b";
  request["gpu"] = "mi300x";
  request["tp"] = 8;
  const auto result = compute(request);
  std::vector<std::string> codes;
  for (const auto &note : result["notes"])
    codes.push_back(note["code"]);
  CHECK(codes == std::vector<std::string>{"head_dim", "experts_alias", "moe_intermediate_size",
                                          "link_fallback", "kv_heads_below_tp",
                                          "kv_heads_replicated"});
}

// (Mutation tried: field_path appending every key unquoted failed 10 of 11 checks.)
TEST_CASE("a hostile key is quoted in its path: one short, printable line") {
  const std::string expected_fields = ": unknown field; expected one of: model, gpu, tp, "
                                      "coefficients, gpu_memory_utilization, step";
  const auto error_for_key = [](const std::string &key) {
    json request = preset_request();
    request[key] = 1;
    return error_of(request);
  };
  CHECK(error_for_key("__proto__") == "__proto__" + expected_fields);
  CHECK(error_for_key("a.b") == "[\"a.b\"]" + expected_fields);
  CHECK(error_for_key("") == "[\"\"]" + expected_fields);
  CHECK(error_for_key("line\nbreak") == "[\"line\\u000abreak\"]" + expected_fields);
  CHECK(error_for_key("\x1b[2J") == "[\"\\u001b[2J\"]" + expected_fields);
  const std::string c1_csi = "\xc2\x9b"; // U+009B, a one-character terminal escape
  CHECK(error_for_key(c1_csi + "2J") == "[\"\\u009b2J\"]" + expected_fields);
  CHECK(error_for_key("quote\"back\\") == "[\"quote\\\"back\\\\\"]" + expected_fields);
  CHECK(error_for_key("caf\xc3\xa9") == "[\"caf\xc3\xa9\"]" + expected_fields);      // UTF-8 as is
  CHECK(error_for_key("\xff\xc0\xaf") == "[\"\\xff\\xc0\\xaf\"]" + expected_fields); // not UTF-8
  // Only the first 64 bytes are shown, and never half a character.
  CHECK(error_for_key(std::string(10'000'000, 'k')) ==
        "[\"" + std::string(64, 'k') + "\"... (10000000 bytes)]" + expected_fields);
  std::string euros;
  for (int i = 0; i < 30; ++i)
    euros += "\xe2\x82\xac"; // 3 bytes each: 21 fit in 64
  std::string shown;
  for (int i = 0; i < 21; ++i)
    shown += "\xe2\x82\xac";
  CHECK(error_for_key(euros) == "[\"" + shown + "\"... (90 bytes)]" + expected_fields);
}

// (Mutations tried: without the NUL check the first request parsed and the check
// failed; without with_printable_token the 0xFF byte and the 1000-byte token came back raw.)
TEST_CASE("JSON text errors: a NUL byte is one, and the token last read is shown printable") {
  const auto error_of_text = [](const std::string &text) {
    try {
      parse_json_text(text, "request");
    } catch (const InputError &error) {
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  using namespace std::string_literals;
  CHECK(error_of_text("{}\0{"s) == "request: invalid JSON: parse error at line 1, column 3: a NUL "
                                   "byte (U+0000) is not allowed in JSON text");
  CHECK(error_of_text("[1,\n\0]"s) == "request: invalid JSON: parse error at line 2, column 1: a "
                                      "NUL byte (U+0000) is not allowed in JSON text");
  CHECK(error_of_text("[\"\xff\"]") ==
        "request: invalid JSON: parse error at line 1, column 3: syntax error while parsing value "
        "- invalid string: ill-formed UTF-8 byte; last read: '\"\\xff'");
  CHECK(error_of_text("[\"" + std::string(1000, 'a')) ==
        "request: invalid JSON: parse error at line 1, column 1003: syntax error while parsing "
        "value - invalid string: missing closing quote; last read: '\"" +
            std::string(63, 'a') + "'... (1001 bytes)");
}
