#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "stepcalc/note.hpp"

namespace stepcalc {

// Peak rates of one GPU, from its datasheet. Invariants: flops_peak_tflops > 0,
// bw_hbm_tb_s > 0, bw_link_gb_s > 0 unless link == "none".
struct HardwareSpec {
  double flops_peak_tflops = 0; // dense FP16 tensor peak
  double bw_hbm_tb_s = 0;
  double bw_link_gb_s = 0;   // GPU-to-GPU bandwidth used for t_tp
  std::string link = "none"; // which datasheet field gave bw_link_gb_s
  std::optional<double> capacity_gb; // HBM per GPU (memory.capacity_gb), when the datasheet has it
};

struct ResolvedHardware {
  HardwareSpec spec;
  Notes notes;
};

// Reads a datasheet in the seed's schema. A missing GPU-to-GPU link is only an
// error when tp > 1. Throws InputError naming the offending field.
ResolvedHardware resolve_hardware(const nlohmann::json &datasheet, const std::string &where,
                                  int64_t tp);

// Throws InputError at `where` when tp > 1 and the GPU has no link to other GPUs.
void require_link_for_tp(const HardwareSpec &spec, int64_t tp, const std::string &where);

} // namespace stepcalc
