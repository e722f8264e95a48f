#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/hardware.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/prediction.hpp"

namespace stepcalc {

inline constexpr std::string_view kDefaultCoefficients = "trained-roofline-h100";

struct ModelPreset {
  std::string id; // file stem in presets/models/
  std::string name;
  std::string source;
  nlohmann::json config; // the HF config.json as published
  ResolvedModel resolved;
};

struct GpuPreset {
  std::string id;
  std::string name;
  std::string source;
  nlohmann::json datasheet;
  ResolvedHardware resolved; // at TP 1
};

struct CoefficientPreset {
  std::string id;
  std::string name;
  std::string source;
  FeatureVector beta{};
  nlohmann::json document; // the whole file: alpha, provenance, accuracy
};

struct PresetCatalog {
  std::vector<ModelPreset> models;
  std::vector<GpuPreset> gpus;
  std::vector<CoefficientPreset> coefficients;

  const ModelPreset *find_model(std::string_view id) const;
  const GpuPreset *find_gpu(std::string_view id) const;
  const CoefficientPreset *find_coefficients(std::string_view id) const;
};

// The presets compiled into the library, parsed once on first use.
const PresetCatalog &presets();

// Reads {"beta": [7 finite numbers >= 0]}; `where` names it in errors.
FeatureVector parse_beta(const nlohmann::json &coefficients, const std::string &where);

// What `stepcalc presets` prints: every preset with its key numbers and source.
nlohmann::ordered_json presets_to_json(const PresetCatalog &catalog);

} // namespace stepcalc
