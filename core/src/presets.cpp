#include "stepcalc/presets.hpp"

#include <algorithm>
#include <stdexcept>

#include "embedded_presets.hpp"
#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

using nlohmann::json;
using nlohmann::ordered_json;
namespace jf = json_fields;

namespace {

template <typename Preset>
const Preset *find_by_id(const std::vector<Preset> &presets, std::string_view id) {
  const auto it = std::find_if(presets.begin(), presets.end(),
                               [&](const Preset &preset) { return preset.id == id; });
  return it == presets.end() ? nullptr : &*it;
}

std::string string_field(const json &object, std::string_view key) {
  const json *value = jf::find(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// A preset that does not resolve is a build defect, not user input: fail loudly.
PresetCatalog load_catalog() {
  PresetCatalog catalog;
  const json model_catalog = json::parse(embedded::model_catalog());
  for (const auto &file : embedded::preset_files()) {
    const std::string kind = file.kind;
    const std::string where = "presets/" + kind + "/" + file.id + ".json";
    try {
      json document = json::parse(file.text);
      if (kind == "models") {
        const json *info = jf::find(model_catalog, file.id);
        if (info == nullptr) throw std::logic_error("missing from presets/models.json");
        ModelPreset preset{file.id, string_field(*info, "name"), string_field(*info, "source"),
                           document, resolve_model_arch(document, "model")};
        catalog.models.push_back(std::move(preset));
      } else if (kind == "gpus") {
        GpuPreset preset{file.id, string_field(document, "name"), string_field(document, "source"),
                         document, resolve_hardware(document, "gpu", 1)};
        catalog.gpus.push_back(std::move(preset));
      } else {
        CoefficientPreset preset{file.id, string_field(document, "name"),
                                 string_field(document, "source"),
                                 parse_beta(document, "coefficients"), document};
        catalog.coefficients.push_back(std::move(preset));
      }
    } catch (const std::exception &error) {
      throw std::logic_error(where + ": " + error.what());
    }
  }
  if (catalog.find_coefficients(kDefaultCoefficients) == nullptr) {
    throw std::logic_error("the default coefficient preset is missing");
  }
  return catalog;
}

} // namespace

const ModelPreset *PresetCatalog::find_model(std::string_view id) const {
  return find_by_id(models, id);
}
const GpuPreset *PresetCatalog::find_gpu(std::string_view id) const {
  return find_by_id(gpus, id);
}
const CoefficientPreset *PresetCatalog::find_coefficients(std::string_view id) const {
  return find_by_id(coefficients, id);
}

const PresetCatalog &presets() {
  static const PresetCatalog catalog = load_catalog();
  return catalog;
}

FeatureVector parse_beta(const json &coefficients, const std::string &where) {
  jf::require_object(coefficients, where);
  const std::string path = jf::field_path(where, "beta");
  const json *beta = jf::find(coefficients, "beta");
  if (beta == nullptr) throw InputError(path, "missing; expected 7 numbers");
  if (!beta->is_array() || beta->size() != kFeatureCount) {
    const std::string got =
        beta->is_array() ? "an array of " + std::to_string(beta->size()) : jf::describe(*beta);
    throw InputError(path, "expected an array of 7 numbers, got " + got);
  }
  FeatureVector values{};
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    values[i] = jf::to_number((*beta)[i], jf::index_path(path, i), 0, limits::kMaxBeta);
  }
  return values;
}

ordered_json presets_to_json(const PresetCatalog &catalog) {
  ordered_json out;
  out["default_coefficients"] = kDefaultCoefficients;
  ordered_json models = ordered_json::array();
  for (const auto &preset : catalog.models) {
    const ModelArch &arch = preset.resolved.arch;
    models.push_back({{"id", preset.id},
                      {"name", preset.name},
                      {"kind", arch.is_moe ? "moe" : "dense"},
                      {"L", arch.L},
                      {"d", arch.d},
                      {"H", arch.H},
                      {"kv_heads", arch.kv_heads},
                      {"d_h", arch.d_h},
                      {"d_ff", arch.d_ff},
                      {"N", arch.N},
                      {"k", arch.k},
                      {"source", preset.source},
                      {"notes", notes_to_json(preset.resolved.notes)},
                      {"config", preset.config}});
  }
  out["models"] = std::move(models);
  ordered_json gpus = ordered_json::array();
  for (const auto &preset : catalog.gpus) {
    const HardwareSpec &spec = preset.resolved.spec;
    gpus.push_back({{"id", preset.id},
                    {"name", preset.name},
                    {"dense_fp16_tflops", spec.flops_peak_tflops},
                    {"hbm_tb_s", spec.bw_hbm_tb_s},
                    {"link_gb_s", spec.bw_link_gb_s},
                    {"link", spec.link},
                    {"source", preset.source},
                    {"datasheet", preset.datasheet}});
  }
  out["gpus"] = std::move(gpus);
  ordered_json coefficient_sets = ordered_json::array();
  for (const auto &preset : catalog.coefficients) {
    coefficient_sets.push_back({{"id", preset.id},
                                {"name", preset.name},
                                {"beta", preset.beta},
                                {"source", preset.source},
                                {"document", preset.document}});
  }
  out["coefficients"] = std::move(coefficient_sets);
  return out;
}

} // namespace stepcalc
