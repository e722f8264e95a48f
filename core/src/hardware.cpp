#include "stepcalc/hardware.hpp"

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

namespace {

const json &required_section(const json &datasheet, std::string_view key,
                             const std::string &where) {
  const json *section = jf::find(datasheet, key);
  const std::string path = jf::field_path(where, key);
  if (section == nullptr) throw InputError(path, "missing; the datasheet needs this section");
  jf::require_object(*section, path);
  return *section;
}

double required_rate(const json &section, std::string_view key, const std::string &where) {
  auto value = jf::optional_number(section, key, where, limits::kMinRate, limits::kMaxRate);
  if (!value) throw InputError(jf::field_path(where, key), "missing; the datasheet needs it");
  return *value;
}

void add_datasheet_typo_notes(const json &datasheet, const std::string &where, Notes &notes) {
  const auto check = [&](const json &object, const std::string &path,
                         std::initializer_list<std::string_view> known) {
    const Notes typos = jf::possible_typo_notes(object, path, known);
    notes.insert(notes.end(), typos.begin(), typos.end());
  };
  check(datasheet, where, {"compute", "memory", "interconnect"});
  if (const json *compute = jf::find(datasheet, "compute")) {
    check(*compute, jf::field_path(where, "compute"), {"fp16_tensor_core", "with_sparsity"});
  }
  if (const json *memory = jf::find(datasheet, "memory")) {
    check(*memory, jf::field_path(where, "memory"), {"bandwidth_tb_s", "capacity_gb"});
  }
  if (const json *interconnect = jf::find(datasheet, "interconnect")) {
    check(*interconnect, jf::field_path(where, "interconnect"),
          {"nvlink_bandwidth_gb_s", "link_bandwidth_gb_s", "pcie_bandwidth_gb_s"});
  }
}

} // namespace

ResolvedHardware resolve_hardware(const json &datasheet, const std::string &where, int64_t tp) {
  if (!datasheet.is_object()) {
    throw InputError(where, "expected a GPU datasheet object, got " + jf::describe(datasheet));
  }
  ResolvedHardware resolved;
  HardwareSpec &spec = resolved.spec;

  const std::string compute_path = jf::field_path(where, "compute");
  const json &compute = required_section(datasheet, "compute", where);
  bool with_sparsity = true; // the seed's convention: the datasheet figure is sparse
  if (const json *flag = jf::find(compute, "with_sparsity")) {
    if (!flag->is_boolean()) {
      throw InputError(jf::field_path(compute_path, "with_sparsity"),
                       "must be true or false, got " + jf::describe(*flag));
    }
    with_sparsity = flag->get<bool>();
  }
  // Bounded so that the dense peak the formulas use stays within the rate limits.
  const double sparse_factor = with_sparsity ? 2 : 1;
  const auto tensor =
      jf::optional_number(compute, "fp16_tensor_core", compute_path,
                          limits::kMinRate * sparse_factor, limits::kMaxRate * sparse_factor);
  if (!tensor) {
    throw InputError(jf::field_path(compute_path, "fp16_tensor_core"),
                     "missing; the datasheet needs it");
  }
  spec.flops_peak_tflops = *tensor / sparse_factor;
  if (!with_sparsity) {
    resolved.notes.push_back(
        {"dense_tensor_figure",
         "with_sparsity is false, so fp16_tensor_core is already dense and is not halved (the "
         "seed always halves it).",
         {"t_pf_compute", "t_dc_compute"}});
  }

  const std::string memory_path = jf::field_path(where, "memory");
  const json &memory = required_section(datasheet, "memory", where);
  spec.bw_hbm_tb_s = required_rate(memory, "bandwidth_tb_s", memory_path);
  spec.capacity_gb =
      jf::optional_number(memory, "capacity_gb", memory_path, limits::kMinRate, limits::kMaxCapacityGb);
  if (!spec.capacity_gb) {
    resolved.notes.push_back(
        {"memory_unknown",
         "The datasheet has no memory.capacity_gb, so whether the step fits in GPU memory is "
         "unknown.",
         {"memory"}});
  }

  const std::string link_path = jf::field_path(where, "interconnect");
  const json *interconnect = jf::find(datasheet, "interconnect");
  if (interconnect != nullptr) jf::require_object(*interconnect, link_path);
  for (const char *field :
       {"nvlink_bandwidth_gb_s", "link_bandwidth_gb_s", "pcie_bandwidth_gb_s"}) {
    if (interconnect == nullptr) break;
    auto rate =
        jf::optional_number(*interconnect, field, link_path, limits::kMinRate, limits::kMaxRate);
    if (!rate) continue;
    spec.bw_link_gb_s = *rate;
    spec.link = field;
    break;
  }
  if (tp > 1 && spec.link != "none" && spec.link != "nvlink_bandwidth_gb_s") {
    resolved.notes.push_back(
        {"link_fallback",
         "The datasheet has no NVLink figure; TP communication uses interconnect." + spec.link +
             " (" + json(spec.bw_link_gb_s).dump() + " GB/s) instead.",
         {"t_tp"}});
  }
  require_link_for_tp(spec, tp, link_path);
  add_datasheet_typo_notes(datasheet, where, resolved.notes);
  return resolved;
}

void require_link_for_tp(const HardwareSpec &spec, int64_t tp, const std::string &where) {
  if (spec.link == "none" && tp > 1) {
    throw InputError(where, "no nvlink_bandwidth_gb_s, link_bandwidth_gb_s or "
                            "pcie_bandwidth_gb_s; TP " +
                                std::to_string(tp) + " needs a GPU-to-GPU bandwidth");
  }
}

} // namespace stepcalc
