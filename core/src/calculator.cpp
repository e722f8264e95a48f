#include "stepcalc/calculator.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/presets.hpp"

namespace stepcalc {

using nlohmann::json;
using nlohmann::ordered_json;
namespace jf = json_fields;

namespace {

constexpr const char *kCustom = "custom";

std::string preset_ids(const auto &presets) {
  std::string ids;
  for (const auto &preset : presets) {
    if (!ids.empty()) ids += ", ";
    ids += preset.id;
  }
  return ids;
}

template <typename Preset>
const Preset &require_preset(const Preset *preset, const std::vector<Preset> &all,
                             const std::string &id, const std::string &where) {
  if (preset == nullptr) {
    throw InputError(where, "unknown preset \"" + id + "\"; valid presets: " + preset_ids(all));
  }
  return *preset;
}

void parse_model(const json &request, Scenario &scenario) {
  const json *model = jf::find_member(request, "model");
  if (model == nullptr)
    throw InputError("model", "missing; expected a preset id or a HF config.json object");
  if (model->is_string()) {
    const auto &id = model->get_ref<const std::string &>();
    const auto &all = presets().models;
    const ModelPreset &preset = require_preset(presets().find_model(id), all, id, "model");
    scenario.model_id = preset.id;
    scenario.arch = preset.resolved.arch;
    scenario.model_notes = preset.resolved.notes;
    return;
  }
  if (!model->is_object()) {
    throw InputError("model", "expected a preset id or a HF config.json object, got " +
                                  jf::describe(*model));
  }
  ResolvedModel resolved = resolve_model_arch(*model, "model");
  scenario.model_id = kCustom;
  scenario.arch = resolved.arch;
  scenario.model_notes = std::move(resolved.notes);
}

void parse_gpu(const json &request, Scenario &scenario) {
  const json *gpu = jf::find_member(request, "gpu");
  if (gpu == nullptr)
    throw InputError("gpu", "missing; expected a preset id or a datasheet object");
  if (gpu->is_string()) {
    const auto &id = gpu->get_ref<const std::string &>();
    const GpuPreset &preset = require_preset(presets().find_gpu(id), presets().gpus, id, "gpu");
    scenario.gpu_id = preset.id;
    ResolvedHardware resolved = resolve_hardware(preset.datasheet, "gpu", scenario.tp);
    scenario.hardware = resolved.spec;
    scenario.hardware_notes = std::move(resolved.notes);
    return;
  }
  if (!gpu->is_object()) {
    throw InputError("gpu",
                     "expected a preset id or a datasheet object, got " + jf::describe(*gpu));
  }
  scenario.gpu_id = kCustom;
  ResolvedHardware resolved = resolve_hardware(*gpu, "gpu", scenario.tp);
  scenario.hardware = resolved.spec;
  scenario.hardware_notes = std::move(resolved.notes);
}

void parse_coefficients(const json &request, Scenario &scenario) {
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

void check_row_count(std::size_t rows, const std::string &where) {
  if (rows > static_cast<std::size_t>(limits::kMaxRows)) {
    throw InputError(where, "has " + std::to_string(rows) + " rows; at most " +
                                std::to_string(limits::kMaxRows) + " are allowed (use count)");
  }
}

const json &array_field(const json &object, std::string_view key, const std::string &where) {
  static const json empty = json::array();
  const json *list = jf::find_member(object, key);
  if (list == nullptr) return empty;
  const std::string path = jf::field_path(where, key);
  if (!list->is_array()) throw InputError(path, "expected an array, got " + jf::describe(*list));
  check_row_count(list->size(), path);
  return *list;
}

// A JS number as the JSON value its JSON.stringify text parses to, so the typed
// path reports bad values exactly as the JSON path does: JSON.stringify writes
// integral values below 1e21 as digits, which parse as int64 or uint64 when
// they fit and as a double otherwise.
json number_as_json(double value) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e21) {
    if (value >= 0 && value < 2 * kTwoTo63) return static_cast<uint64_t>(value);
    if (value < 0 && value >= -kTwoTo63) return static_cast<int64_t>(value);
  }
  return value;
}

// One field of a batch row (or one sweep value, key nullptr): a JSON value (nullptr when absent)
// or, on the typed path, a number.
struct RowField {
  const json *value = nullptr;
  std::optional<double> number;
};
RowField row_field(const json *value) {
  return {value, std::nullopt};
}
RowField row_field(double number) {
  return {nullptr, number};
}

// The field as an integer in [1, max]. The path string is only built for an
// error, so valid batches of thousands of rows cost no allocation per field.
int64_t row_integer(const RowField &field, const char *list, std::size_t index, const char *key,
                    int64_t max, std::optional<int64_t> fallback = std::nullopt) {
  const auto path = [&] {
    const std::string row = jf::index_path(list, index);
    return key == nullptr ? row : jf::field_path(row, key);
  };
  if (field.number) {
    const double v = *field.number;
    if (v >= 1 && v <= static_cast<double>(max) && v == std::floor(v))
      return static_cast<int64_t>(v);
    if (std::isnan(v) || std::isinf(v)) { // only a sweep can pass these: JSON has no NaN
      const std::string name = std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
      throw InputError(path(),
                       "must be an integer from 1 to " + std::to_string(max) + ", got " + name);
    }
    const json value = number_as_json(v);
    return jf::required_integer(&value, path(), 1, max);
  }
  if (field.value == nullptr && fallback) return *fallback;
  if (field.value != nullptr && field.value->is_number_integer()) {
    const auto v = field.value->get<int64_t>(); // an unsigned beyond int64 wraps negative
    if (v >= 1 && v <= max) return v;
  }
  return jf::required_integer(field.value, path(), 1, max);
}

PrefillChunk prefill_chunk(const RowField &tokens, const RowField &prompt, const RowField &count,
                           std::size_t index) {
  constexpr const char *kList = "step.prefill";
  PrefillChunk chunk;
  chunk.tokens_this_step =
      row_integer(tokens, kList, index, "tokens_this_step", limits::kMaxTokens);
  chunk.prompt_tokens = row_integer(prompt, kList, index, "prompt_tokens", limits::kMaxTokens);
  chunk.count = row_integer(count, kList, index, "count", limits::kMaxCount, 1);
  if (chunk.tokens_this_step > chunk.prompt_tokens) {
    throw InputError(jf::field_path(jf::index_path(kList, index), "tokens_this_step"),
                     std::to_string(chunk.tokens_this_step) + " exceeds prompt_tokens " +
                         std::to_string(chunk.prompt_tokens));
  }
  return chunk;
}

DecodeGroup decode_group(const RowField &context, const RowField &count, std::size_t index) {
  constexpr const char *kList = "step.decode";
  DecodeGroup group;
  group.context_length = row_integer(context, kList, index, "context_length", limits::kMaxTokens);
  group.count = row_integer(count, kList, index, "count", limits::kMaxCount, 1);
  return group;
}

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

Step parse_step(const json &request) {
  const json *step_json = jf::find_member(request, "step");
  if (step_json == nullptr) {
    throw InputError("step", "missing; expected {\"prefill\": [...], \"decode\": [...]}");
  }
  jf::require_object(*step_json, "step");
  jf::reject_unknown_fields(*step_json, "step", {"prefill", "decode"});
  const json &prefill = array_field(*step_json, "prefill", "step");
  std::vector<PrefillChunk> chunks;
  chunks.reserve(prefill.size());
  for (std::size_t i = 0; i < prefill.size(); ++i) {
    const json &row = prefill[i];
    check_row_object(row, "step.prefill", i, {"tokens_this_step", "prompt_tokens", "count"});
    chunks.push_back(prefill_chunk(row_field(jf::find_member(row, "tokens_this_step")),
                                   row_field(jf::find_member(row, "prompt_tokens")),
                                   row_field(jf::find_member(row, "count")), i));
  }
  const json &decode = array_field(*step_json, "decode", "step");
  std::vector<DecodeGroup> groups;
  groups.reserve(decode.size());
  for (std::size_t i = 0; i < decode.size(); ++i) {
    const json &row = decode[i];
    check_row_object(row, "step.decode", i, {"context_length", "count"});
    groups.push_back(decode_group(row_field(jf::find_member(row, "context_length")),
                                  row_field(jf::find_member(row, "count")), i));
  }
  return Step(std::move(chunks), std::move(groups));
}

Notes step_notes(const Step &step) {
  if (step.has_prefill() || step.has_decode()) return {};
  return {{"empty_step",
           "The step has no prefill chunk and no decode request; only weight loading and fixed "
           "overheads remain.",
           {}}};
}

ordered_json phase_flops_json(const PhaseFlops &flops) {
  return {{"flops_proj", flops.proj},
          {"flops_attn", flops.attn},
          {"flops_ffn", flops.ffn},
          {"flops", flops.total()}};
}

// Deeper nesting than any config needs is refused before parsing: copying or
// walking such a document recursively could exhaust the stack (small in wasm).
// A scan of brackets outside strings is enough, and far cheaper than a parser
// callback on every value.
void check_nesting(std::string_view text, const std::string &where) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxJsonDepth) {
        throw InputError(where, "invalid JSON: nested deeper than " +
                                    std::to_string(limits::kMaxJsonDepth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

} // namespace

json parse_json_text(std::string_view text, const std::string &where) {
  check_nesting(text, where);
  try {
    return json::parse(text);
  } catch (const json::exception &error) {
    // nlohmann's messages read "[json.exception.parse_error.101] parse error at line 1, column 5:
    // ..."
    std::string message = error.what();
    const auto start = message.find("] ");
    if (start != std::string::npos) message = message.substr(start + 2);
    throw InputError(where, "invalid JSON: " + message);
  }
}

Scenario parse_request_header(const json &request) {
  if (!request.is_object()) {
    throw InputError("request", "expected a JSON object, got " + jf::describe(request));
  }
  jf::reject_unknown_fields(request, "", {"model", "gpu", "tp", "coefficients", "step"});
  Scenario scenario;
  const json *tp = jf::find_member(request, "tp");
  scenario.tp = tp == nullptr ? 1 : jf::to_integer(*tp, "tp", 1, limits::kMaxTp);
  parse_model(request, scenario);
  parse_gpu(request, scenario);
  parse_coefficients(request, scenario);
  return scenario;
}

Scenario parse_request(const json &request) {
  Scenario scenario = parse_request_header(request);
  scenario.step = parse_step(request);
  return scenario;
}

Step step_from_rows(std::span<const double> prefill, std::span<const double> decode) {
  if (prefill.size() % 3 != 0 || decode.size() % 2 != 0) {
    throw std::invalid_argument("step_from_rows: prefill needs triples, decode pairs");
  }
  check_row_count(prefill.size() / 3, "step.prefill");
  check_row_count(decode.size() / 2, "step.decode");
  std::vector<PrefillChunk> chunks;
  chunks.reserve(prefill.size() / 3);
  for (std::size_t i = 0; i < prefill.size() / 3; ++i) {
    const double *row = &prefill[3 * i];
    chunks.push_back(prefill_chunk(row_field(row[0]), row_field(row[1]), row_field(row[2]), i));
  }
  std::vector<DecodeGroup> groups;
  groups.reserve(decode.size() / 2);
  for (std::size_t i = 0; i < decode.size() / 2; ++i) {
    const double *row = &decode[2 * i];
    groups.push_back(decode_group(row_field(row[0]), row_field(row[1]), i));
  }
  return Step(std::move(chunks), std::move(groups));
}

StepResult evaluate(const Scenario &scenario) {
  StepResult result;
  result.work = step_work(scenario.step, scenario.arch, scenario.tp);
  result.basis = basis_values(scenario.step, scenario.arch, result.work, scenario.hardware);
  result.prediction = predict(result.basis, scenario.beta);
  result.notes = scenario.model_notes;
  for (const Notes &more : {scenario.hardware_notes, tp_sharding_notes(scenario.arch, scenario.tp),
                            step_notes(scenario.step)}) {
    result.notes.insert(result.notes.end(), more.begin(), more.end());
  }
  return result;
}

ordered_json result_to_json(const Scenario &scenario, const StepResult &result) {
  const BasisValues &basis = result.basis;
  const StepWork &work = result.work;
  const Step &step = scenario.step;
  const ModelArch &arch = scenario.arch;
  const HardwareSpec &hw = scenario.hardware;
  ordered_json out;
  out["step_time_us"] = result.prediction.step_time_us;
  out["basis"] = {{"t_pf_compute", basis.t_pf_compute}, {"t_pf_kv", basis.t_pf_kv},
                  {"t_dc_compute", basis.t_dc_compute}, {"t_dc_kv", basis.t_dc_kv},
                  {"t_weight", basis.t_weight},         {"t_tp", basis.t_tp},
                  {"num_layers", basis.num_layers},     {"batch_size", basis.batch_size}};
  out["features"] = result.prediction.features;
  out["contributions_us"] = result.prediction.contributions_us;
  out["beta"] = scenario.beta;
  out["bottleneck"] = {
      {"prefill", bottleneck(basis.t_pf_compute, basis.t_pf_kv, step.has_prefill())},
      {"decode", bottleneck(basis.t_dc_compute, basis.t_dc_kv, step.has_decode())}};

  ordered_json prefill = phase_flops_json(work.prefill_flops);
  prefill["kv_bytes"] = work.prefill_kv_bytes;
  prefill["tokens"] = step.prefill_tokens();
  prefill["requests"] = step.prefill_requests();
  ordered_json decode = phase_flops_json(work.decode_flops);
  decode["kv_bytes"] = work.decode_kv_bytes;
  decode["tokens"] = step.decode_tokens();
  decode["requests"] = step.decode_tokens();
  decode["context_tokens"] = step.decode_context();
  out["work"] = {{"prefill", prefill},
                 {"decode", decode},
                 {"weight",
                  {{"active_experts", work.weight_bytes.active_experts},
                   {"bytes_attn", work.weight_bytes.attn},
                   {"bytes_ffn", work.weight_bytes.ffn},
                   {"bytes", work.weight_bytes.total()}}},
                 {"tp", {{"bytes", work.tp_bytes}}}};
  out["arch"] = {
      {"L", arch.L},     {"d", arch.d},         {"H", arch.H},         {"kv_heads", arch.kv_heads},
      {"d_h", arch.d_h}, {"q_dim", arch.q_dim}, {"d_kv", arch.d_kv},   {"d_ff", arch.d_ff},
      {"N", arch.N},     {"k", arch.k},         {"k_eff", arch.k_eff}, {"is_moe", arch.is_moe}};
  out["hardware"] = {{"flops_peak_tflops", hw.flops_peak_tflops},
                     {"bw_hbm_tb_s", hw.bw_hbm_tb_s},
                     {"bw_link_gb_s", hw.bw_link_gb_s},
                     {"link", hw.link},
                     // FLOPs per byte where the compute roof meets the bandwidth slope
                     {"ridge_flops_per_byte", hw.flops_peak_tflops / hw.bw_hbm_tb_s}};
  out["scenario"] = {{"model", scenario.model_id},
                     {"gpu", scenario.gpu_id},
                     {"tp", scenario.tp},
                     {"coefficients", scenario.coefficients_id}};
  out["notes"] = notes_to_json(result.notes);
  return out;
}

std::string compute_response(std::string_view request_text) {
  const Scenario scenario = parse_request(parse_json_text(request_text, "request"));
  return result_to_json(scenario, evaluate(scenario)).dump();
}

// ---- sweeps -----------------------------------------------------------------

namespace {

enum class SweepField {
  Tp,
  TokensThisStep,
  PromptTokens,
  PrefillCount,
  ContextLength,
  DecodeCount
};

struct SweepTarget {
  SweepField field = SweepField::Tp;
  bool every_row = false;
  std::size_t row = 0;
};

SweepTarget parse_variable(std::string_view variable, const Step &step) {
  const std::string where = "sweep.variable";
  if (variable == "tp") return {};
  const auto open = variable.find('[');
  const auto close = variable.find("].");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    throw InputError(where, "unknown variable \"" + std::string(variable) +
                                "\"; expected tp, prefill[i].<field> or decode[i].<field>");
  }
  const std::string_view list = variable.substr(0, open);
  const std::string_view index = variable.substr(open + 1, close - open - 1);
  const std::string_view field = variable.substr(close + 2);
  SweepTarget target;
  std::size_t rows = 0;
  if (list == "prefill" && field == "tokens_this_step")
    target.field = SweepField::TokensThisStep;
  else if (list == "prefill" && field == "prompt_tokens")
    target.field = SweepField::PromptTokens;
  else if (list == "prefill" && field == "count")
    target.field = SweepField::PrefillCount;
  else if (list == "decode" && field == "context_length")
    target.field = SweepField::ContextLength;
  else if (list == "decode" && field == "count")
    target.field = SweepField::DecodeCount;
  else {
    throw InputError(where, "unknown variable \"" + std::string(variable) +
                                "\"; prefill rows have tokens_this_step, prompt_tokens and count, "
                                "decode rows have context_length and count");
  }
  rows = list == "prefill" ? step.prefill().size() : step.decode().size();
  if (index == "*") {
    target.every_row = true;
  } else {
    const auto [end, error] =
        std::from_chars(index.data(), index.data() + index.size(), target.row);
    if (error != std::errc() || end != index.data() + index.size()) {
      throw InputError(where, "row index \"" + std::string(index) + "\" is not a number or *");
    }
  }
  if (rows == 0 || (!target.every_row && target.row >= rows)) {
    throw InputError(where, "the step has " + std::to_string(rows) + " " + std::string(list) +
                                " rows, so \"" + std::string(variable) + "\" does not exist");
  }
  return target;
}

// The batch rows a sweep edits; the Step is rebuilt from them at each point.
struct SweepRows {
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;
};

void apply(const SweepTarget &target, int64_t value, std::size_t value_index, SweepRows &rows,
           Scenario &scenario) {
  const auto where = [&] { return jf::index_path("sweep.values", value_index); };
  const auto check = [&](const PrefillChunk &chunk, std::size_t row) {
    if (chunk.tokens_this_step > chunk.prompt_tokens) {
      throw InputError(where(), "makes step.prefill[" + std::to_string(row) + "] compute " +
                                    std::to_string(chunk.tokens_this_step) +
                                    " tokens of a prompt of " +
                                    std::to_string(chunk.prompt_tokens));
    }
  };
  const auto for_rows = [&](auto &rows, auto &&set) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (target.every_row || i == target.row) set(rows[i], i);
    }
  };
  switch (target.field) {
  case SweepField::Tp:
    require_link_for_tp(scenario.hardware, value, where());
    scenario.tp = value;
    break;
  case SweepField::TokensThisStep:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t row) {
      chunk.tokens_this_step = value;
      check(chunk, row);
    });
    break;
  case SweepField::PromptTokens:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t row) {
      chunk.prompt_tokens = value;
      check(chunk, row);
    });
    break;
  case SweepField::PrefillCount:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t) { chunk.count = value; });
    break;
  case SweepField::ContextLength:
    for_rows(rows.decode, [&](DecodeGroup &group, std::size_t) { group.context_length = value; });
    break;
  case SweepField::DecodeCount:
    for_rows(rows.decode, [&](DecodeGroup &group, std::size_t) { group.count = value; });
    break;
  }
  if (target.field != SweepField::Tp) scenario.step = Step(rows.prefill, rows.decode);
}

int64_t max_value(SweepField field) {
  switch (field) {
  case SweepField::Tp: return limits::kMaxTp;
  case SweepField::PrefillCount:
  case SweepField::DecodeCount: return limits::kMaxCount;
  default: return limits::kMaxTokens;
  }
}

} // namespace

SweepSeries sweep(const Scenario &base, std::string_view variable,
                  const std::vector<double> &values) {
  const SweepTarget target = parse_variable(variable, base.step);
  if (values.size() > static_cast<std::size_t>(limits::kMaxSweepPoints)) {
    throw InputError("sweep.values", "has " + std::to_string(values.size()) + " values; at most " +
                                         std::to_string(limits::kMaxSweepPoints) + " are allowed");
  }
  SweepSeries series;
  for (auto *column : {&series.values, &series.t_pf_compute, &series.t_pf_kv, &series.t_dc_compute,
                       &series.t_dc_kv, &series.t_weight, &series.t_tp, &series.batch_size,
                       &series.step_time_us}) {
    column->reserve(values.size());
  }
  Scenario scenario = base;
  SweepRows rows{base.step.prefill(), base.step.decode()};
  const int64_t max = max_value(target.field);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int64_t value = row_integer(row_field(values[i]), "sweep.values", i, nullptr, max);
    apply(target, value, i, rows, scenario);
    const StepWork work = step_work(scenario.step, scenario.arch, scenario.tp);
    const BasisValues basis = basis_values(scenario.step, scenario.arch, work, scenario.hardware);
    series.values.push_back(values[i]);
    series.t_pf_compute.push_back(basis.t_pf_compute);
    series.t_pf_kv.push_back(basis.t_pf_kv);
    series.t_dc_compute.push_back(basis.t_dc_compute);
    series.t_dc_kv.push_back(basis.t_dc_kv);
    series.t_weight.push_back(basis.t_weight);
    series.t_tp.push_back(basis.t_tp);
    series.batch_size.push_back(static_cast<double>(basis.batch_size));
    series.step_time_us.push_back(predict(basis, scenario.beta).step_time_us);
  }
  return series;
}

} // namespace stepcalc
