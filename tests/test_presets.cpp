// The compiled-in presets load, resolve and are listed.

#include "stepcalc/presets.hpp"

#include "test_support.hpp"

using namespace stepcalc;
using stepcalc::test::preset_ids_on_disk;

namespace {

template <typename Preset> std::vector<std::string> ids_of(const std::vector<Preset> &presets) {
  std::vector<std::string> ids;
  for (const auto &preset : presets)
    ids.push_back(preset.id);
  return ids;
}

} // namespace

TEST_CASE("every preset is compiled in and resolves") {
  const auto &catalog = presets();
  // Each file under presets/ is one preset, under its file's stem, in file order.
  // (Mutation tried: a copy of l4.json as presets/gpus/l4-copy.json, not yet
  // compiled in, failed this; the old hard-coded count of 10 passed it.)
  CHECK(ids_of(catalog.models) == preset_ids_on_disk("models"));
  CHECK(ids_of(catalog.gpus) == preset_ids_on_disk("gpus"));
  CHECK(ids_of(catalog.coefficients) == preset_ids_on_disk("coefficients"));
  CHECK_FALSE(catalog.models.empty());
  CHECK_FALSE(catalog.gpus.empty());
  CHECK_FALSE(catalog.coefficients.empty());
  for (const auto &model : catalog.models) {
    CAPTURE(model.id);
    CHECK_FALSE(model.name.empty());
    CHECK_FALSE(model.source.empty());
    CHECK(model.resolved.arch.L > 0);
    for (const auto &note : model.resolved.notes)
      CHECK(note.code != "possible_typo");
  }
  for (const auto &gpu : catalog.gpus) {
    CAPTURE(gpu.id);
    CHECK_FALSE(gpu.source.empty());
    CHECK(gpu.resolved.spec.flops_peak_tflops > 0);
    CHECK(gpu.resolved.spec.link != "none");
    for (const auto &note : gpu.resolved.notes)
      CHECK(note.code != "possible_typo");
  }
}

TEST_CASE("preset numbers are the datasheet's and the config's") {
  const auto &catalog = presets();
  const auto *h100 = catalog.find_gpu("h100-sxm");
  REQUIRE(h100 != nullptr);
  CHECK(h100->resolved.spec.flops_peak_tflops == 989.5);
  CHECK(h100->resolved.spec.bw_hbm_tb_s == 3.35);
  CHECK(h100->resolved.spec.bw_link_gb_s == 900);
  const auto *l40s = catalog.find_gpu("l40s"); // with_sparsity false: already dense
  REQUIRE(l40s != nullptr);
  CHECK(l40s->resolved.spec.flops_peak_tflops == 362.05);
  const auto *mixtral = catalog.find_model("mixtral-8x7b-v0.1");
  REQUIRE(mixtral != nullptr);
  CHECK(mixtral->resolved.arch.N == 8);
  CHECK(mixtral->resolved.arch.k == 2);
  CHECK(mixtral->resolved.notes.empty());
  const auto *qwen = catalog.find_model("qwen3-30b-a3b");
  REQUIRE(qwen != nullptr);
  CHECK(qwen->resolved.arch.d_ff == 768);
  CHECK(qwen->resolved.arch.q_dim == 4096);
  CHECK(catalog.find_coefficients(kDefaultCoefficients)->beta[4] == doctest::Approx(43.5005419));
  CHECK(catalog.find_model("nope") == nullptr);
}

TEST_CASE("presets_to_json lists ids, names, key numbers and sources") {
  const auto listing = presets_to_json(presets());
  CHECK(listing["default_coefficients"] == "trained-roofline-h100");
  CHECK(listing["models"].size() == preset_ids_on_disk("models").size());
  CHECK(listing["gpus"].size() == preset_ids_on_disk("gpus").size());
  CHECK(listing["coefficients"].size() == preset_ids_on_disk("coefficients").size());
  const auto &first_model = listing["models"][0];
  for (const char *key :
       {"id", "name", "kind", "L", "d", "H", "kv_heads", "N", "k", "source", "config"}) {
    CAPTURE(key);
    CHECK(first_model.contains(key));
  }
  const auto &first_gpu = listing["gpus"][0];
  for (const char *key :
       {"id", "name", "dense_fp16_tflops", "hbm_tb_s", "link_gb_s", "source", "datasheet"}) {
    CAPTURE(key);
    CHECK(first_gpu.contains(key));
  }
  CHECK(listing["coefficients"][1]["beta"].size() == 7);
}
