// Reading GPU datasheets.

#include "stepcalc/hardware.hpp"

#include "stepcalc/input_error.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;
using stepcalc::test::toy_datasheet;

TEST_CASE("the seed's datasheet: sparse tensor figure halved, NVLink for TP") {
  const auto resolved = resolve_hardware(toy_datasheet(), "gpu", 2);
  CHECK(resolved.spec.flops_peak_tflops == 1);
  CHECK(resolved.spec.bw_hbm_tb_s == 1);
  CHECK(resolved.spec.bw_link_gb_s == 1);
  CHECK(resolved.spec.link == "nvlink_bandwidth_gb_s");
  CHECK(resolved.notes.empty());
}

TEST_CASE("link fallbacks: link_bandwidth_gb_s, then pcie_bandwidth_gb_s, with a note") {
  json datasheet = toy_datasheet();
  datasheet["interconnect"] = {{"pcie_bandwidth_gb_s", 64}, {"link_bandwidth_gb_s", 896}};
  auto resolved = resolve_hardware(datasheet, "gpu", 2);
  CHECK(resolved.spec.bw_link_gb_s == 896);
  REQUIRE(resolved.notes.size() == 1);
  CHECK(resolved.notes[0].code == "link_fallback");
  datasheet["interconnect"].erase("link_bandwidth_gb_s");
  resolved = resolve_hardware(datasheet, "gpu", 4);
  CHECK(resolved.spec.bw_link_gb_s == 64);
  CHECK(resolved.spec.link == "pcie_bandwidth_gb_s");
  CHECK(resolve_hardware(datasheet, "gpu", 1).notes.empty());
}

TEST_CASE("a misspelt datasheet field gets a possible_typo note") {
  json datasheet = toy_datasheet();
  datasheet["compute"]["with_sparsty"] = false; // would silently halve the peak
  datasheet["interconect"] = json::object();
  const auto notes = resolve_hardware(datasheet, "gpu", 1).notes;
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].message == "gpu.interconect is not a field the core reads; if interconnect was "
                            "meant, correct the name (the field was ignored).");
  CHECK(notes[1].message.rfind("gpu.compute.with_sparsty", 0) == 0);
}

TEST_CASE("no link at all: fine at TP 1, an error above") {
  json datasheet = toy_datasheet();
  datasheet.erase("interconnect");
  CHECK(resolve_hardware(datasheet, "gpu", 1).spec.link == "none");
  CHECK_THROWS_WITH_AS(resolve_hardware(datasheet, "gpu", 2),
                       "gpu.interconnect: no nvlink_bandwidth_gb_s, link_bandwidth_gb_s or "
                       "pcie_bandwidth_gb_s; TP 2 needs a GPU-to-GPU bandwidth",
                       InputError);
}

TEST_CASE("datasheet errors name the field") {
  json datasheet = toy_datasheet();
  datasheet["memory"]["bandwidth_tb_s"] = 0;
  CHECK_THROWS_WITH_AS(resolve_hardware(datasheet, "gpu", 1),
                       "gpu.memory.bandwidth_tb_s: must be a number from 0.001 to 1e+09, got 0",
                       InputError);
  datasheet = toy_datasheet();
  datasheet["compute"].erase("fp16_tensor_core");
  CHECK_THROWS_WITH_AS(resolve_hardware(datasheet, "gpu", 1),
                       "gpu.compute.fp16_tensor_core: missing; the datasheet needs it", InputError);
  datasheet = toy_datasheet();
  datasheet["compute"]["with_sparsity"] = "yes";
  CHECK_THROWS_WITH_AS(resolve_hardware(datasheet, "gpu", 1),
                       "gpu.compute.with_sparsity: must be true or false, got a string",
                       InputError);
  datasheet = toy_datasheet();
  datasheet["compute"]["fp16_tensor_core"] = 0.0015; // 0.00075 dense: below the bound
  CHECK_THROWS_WITH_AS(
      resolve_hardware(datasheet, "gpu", 1),
      "gpu.compute.fp16_tensor_core: must be a number from 0.002 to 2e+09, got 0.0015", InputError);
  datasheet = toy_datasheet();
  datasheet.erase("memory");
  CHECK_THROWS_WITH_AS(resolve_hardware(datasheet, "gpu", 1),
                       "gpu.memory: missing; the datasheet needs this section", InputError);
}
