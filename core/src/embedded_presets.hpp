#pragma once

// The preset files' text, compiled in by cmake/embed_presets.cmake.

#include <vector>

namespace stepcalc::embedded {

struct PresetFile {
  const char *kind; // "models", "gpus" or "coefficients" (the presets/ folder)
  const char *id;   // the file's stem
  const char *text;
};

const std::vector<PresetFile> &preset_files();

// presets/models.json: display name and source of each model preset.
const char *model_catalog();

} // namespace stepcalc::embedded
