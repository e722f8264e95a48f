#include "stepcalc/request.hpp"

#include <algorithm>
#include <optional>

#include "json_fields.hpp"
#include "stepcalc/batch.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/presets.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

namespace {

constexpr const char *kCustom = "custom";

template <typename Preset>
const Preset &require_preset(const Preset *preset, const std::vector<Preset> &all,
                             const std::string &id, const std::string &where) {
  if (preset != nullptr) return *preset;
  std::string ids;
  for (const auto &each : all) {
    if (!ids.empty()) ids += ", ";
    ids += each.id;
  }
  throw InputError(where, "unknown preset " + jf::quoted(id) + "; valid presets: " + ids);
}

ResolvedModel read_model(const json &request, std::string &id) {
  const json *model = jf::find_member(request, "model");
  if (model == nullptr)
    throw InputError("model", "missing; expected a preset id or a HF config.json object");
  if (model->is_string()) {
    const auto &name = model->get_ref<const std::string &>();
    const ModelPreset &preset =
        require_preset(presets().find_model(name), presets().models, name, "model");
    id = preset.id;
    return preset.resolved;
  }
  if (!model->is_object()) {
    throw InputError("model", "expected a preset id or a HF config.json object, got " +
                                  jf::describe(*model));
  }
  id = kCustom;
  return resolve_model_arch(*model, "model");
}

ResolvedHardware read_gpu(const json &request, int64_t tp, std::string &id) {
  const json *gpu = jf::find_member(request, "gpu");
  if (gpu == nullptr)
    throw InputError("gpu", "missing; expected a preset id or a datasheet object");
  if (gpu->is_string()) {
    const auto &name = gpu->get_ref<const std::string &>();
    const GpuPreset &preset = require_preset(presets().find_gpu(name), presets().gpus, name, "gpu");
    id = preset.id;
    return resolve_hardware(preset.datasheet, "gpu", tp);
  }
  if (!gpu->is_object()) {
    throw InputError("gpu",
                     "expected a preset id or a datasheet object, got " + jf::describe(*gpu));
  }
  id = kCustom;
  return resolve_hardware(*gpu, "gpu", tp);
}

void read_coefficients(const json &request, Scenario &scenario) {
  const json *coefficients = jf::find_member(request, "coefficients");
  const auto &catalog = presets();
  if (coefficients == nullptr || coefficients->is_string()) {
    const std::string id = coefficients == nullptr ? std::string(kDefaultCoefficients)
                                                   : coefficients->get<std::string>();
    const CoefficientPreset &preset =
        require_preset(catalog.find_coefficients(id), catalog.coefficients, id, "coefficients");
    scenario.coefficients_id = preset.id;
    scenario.beta = preset.beta;
    return;
  }
  if (!coefficients->is_object()) {
    throw InputError("coefficients", "expected a preset id or {\"beta\": [7 numbers]}, got " +
                                         jf::describe(*coefficients));
  }
  // The fields of a coefficient file may come along (a pasted preset); others are typos.
  jf::reject_unknown_fields(
      *coefficients, "coefficients",
      {"beta", "name", "source", "alpha", "lambda", "fitted_on", "test_mape_pct"});
  scenario.coefficients_id = kCustom;
  scenario.beta = parse_beta(*coefficients, "coefficients");
}

// ---- the batch ----------------------------------------------------------------

const json &row_list(const json &step, std::string_view key) {
  static const json empty = json::array();
  const json *list = jf::find_member(step, key);
  if (list == nullptr) return empty;
  const std::string path = jf::field_path("step", key);
  if (!list->is_array()) throw InputError(path, "expected an array, got " + jf::describe(*list));
  check_row_count(list->size(), path);
  return *list;
}

// A row field as an integer in [1, max] (`fallback` when absent, if given). The path is
// only built for an error, so valid batches of thousands of rows allocate nothing per field.
int64_t row_integer(const json &row, const char *list, std::size_t index, const char *key,
                    int64_t max, std::optional<int64_t> fallback = std::nullopt) {
  const json *value = jf::find_member(row, key);
  if (value == nullptr && fallback) return *fallback;
  if (value != nullptr && value->is_number_integer()) {
    const auto v = value->get<int64_t>(); // an unsigned beyond int64 wraps negative
    if (v >= 1 && v <= max) return v;
  }
  return jf::required_integer(value, jf::field_path(jf::index_path(list, index), key), 1, max);
}

// Rows are objects with known fields only; the common case is checked without building
// the row's path.
void check_row_object(const json &row, const char *list, std::size_t index,
                      std::initializer_list<std::string_view> fields) {
  if (row.is_object() && row.size() <= fields.size()) {
    bool known = true;
    for (const auto &item : row.items()) {
      known = known && std::find(fields.begin(), fields.end(), item.key()) != fields.end();
    }
    if (known) return;
  }
  const std::string where = jf::index_path(list, index);
  jf::require_object(row, where);
  jf::reject_unknown_fields(row, where, fields);
}

Step read_step(const json &request) {
  const json *step = jf::find_member(request, "step");
  if (step == nullptr) {
    throw InputError("step", "missing; expected {\"prefill\": [...], \"decode\": [...]}");
  }
  jf::require_object(*step, "step");
  jf::reject_unknown_fields(*step, "step", {"prefill", "decode"});
  constexpr const char *kPrefill = "step.prefill";
  constexpr const char *kDecode = "step.decode";

  const json &prefill = row_list(*step, "prefill");
  std::vector<PrefillChunk> chunks;
  chunks.reserve(prefill.size());
  for (std::size_t i = 0; i < prefill.size(); ++i) {
    const json &row = prefill[i];
    check_row_object(row, kPrefill, i, {"tokens_this_step", "prompt_tokens", "count"});
    chunks.push_back(checked_prefill_chunk(
        row_integer(row, kPrefill, i, "tokens_this_step", limits::kMaxTokens),
        row_integer(row, kPrefill, i, "prompt_tokens", limits::kMaxTokens),
        row_integer(row, kPrefill, i, "count", limits::kMaxCount, 1), i));
  }
  const json &decode = row_list(*step, "decode");
  std::vector<DecodeGroup> groups;
  groups.reserve(decode.size());
  for (std::size_t i = 0; i < decode.size(); ++i) {
    const json &row = decode[i];
    check_row_object(row, kDecode, i, {"context_length", "count"});
    groups.push_back({row_integer(row, kDecode, i, "context_length", limits::kMaxTokens),
                      row_integer(row, kDecode, i, "count", limits::kMaxCount, 1)});
  }
  return Step(std::move(chunks), std::move(groups));
}

} // namespace

Scenario parse_request_header(const json &request) {
  if (!request.is_object()) {
    throw InputError("request", "expected a JSON object, got " + jf::describe(request));
  }
  jf::reject_unknown_fields(request, "",
                            {"model", "gpu", "tp", "coefficients", "gpu_memory_utilization", "step"});
  Scenario scenario;
  const json *tp = jf::find_member(request, "tp");
  scenario.tp = tp == nullptr ? 1 : jf::to_integer(*tp, "tp", 1, limits::kMaxTp);
  const ResolvedModel model = read_model(request, scenario.model_id);
  scenario.arch = model.arch;
  const ResolvedHardware gpu = read_gpu(request, scenario.tp, scenario.gpu_id);
  scenario.hardware = gpu.spec;
  read_coefficients(request, scenario);
  if (const json *utilization = jf::find_member(request, "gpu_memory_utilization")) {
    scenario.gpu_memory_utilization =
        jf::to_number(*utilization, "gpu_memory_utilization", limits::kMinUtilization, 1);
  }
  scenario.notes = scenario_notes(model.notes, gpu.notes, scenario.arch, scenario.tp);
  return scenario;
}

Scenario parse_request(const json &request) {
  Scenario scenario = parse_request_header(request);
  scenario.step = read_step(request);
  return scenario;
}

} // namespace stepcalc
