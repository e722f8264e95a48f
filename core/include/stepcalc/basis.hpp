#pragma once

#include <cstdint>

#include "stepcalc/hardware.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/step.hpp"

namespace stepcalc {

// The work behind each roofline term: what a chart needs besides the times.
struct PhaseFlops {
  double proj = 0; // QKV and output projections
  double attn = 0; // attention scores and values
  double ffn = 0;  // gate, up and down projections (k_eff experts)
  // Query-key token pairs the attention covers, so attn = L*4*(H//TP)*attn_pairs*d_h:
  // sum_i count*T_i*(S_i + T_i/2) for prefill, sum_j count*S_j for decode.
  double attn_pairs = 0;
  double total() const { return proj + attn + ffn; }
};

struct WeightBytes {
  int64_t active_experts = 1; // N_eff: 1 for dense
  double attn = 0;
  double ffn = 0;
  double total() const { return attn + ffn; }
};

struct StepWork {
  PhaseFlops prefill_flops;
  double prefill_kv_bytes = 0;
  PhaseFlops decode_flops;
  double decode_kv_bytes = 0;
  WeightBytes weight_bytes;
  double tp_bytes = 0; // bytes each GPU moves over the link for all-reduces
};

// Basis values in microseconds: the features of the step-time regression.
struct BasisValues {
  double t_pf_compute = 0;
  double t_pf_kv = 0;
  double t_dc_compute = 0;
  double t_dc_kv = 0;
  double t_weight = 0;
  double t_tp = 0;
  int64_t num_layers = 0;
  int64_t batch_size = 0;
};

// Each function reads like the seed's formula. All of them require tp >= 1.
PhaseFlops prefill_flops(const Step &step, const ModelArch &arch, int64_t tp);
double prefill_kv_bytes(const Step &step, const ModelArch &arch, int64_t tp);
PhaseFlops decode_flops(const Step &step, const ModelArch &arch, int64_t tp);
double decode_kv_bytes(const Step &step, const ModelArch &arch, int64_t tp);
WeightBytes weight_bytes(const Step &step, const ModelArch &arch, int64_t tp);
double tp_bytes(const Step &step, const ModelArch &arch, int64_t tp);

StepWork step_work(const Step &step, const ModelArch &arch, int64_t tp);

// Times from work and the GPU's peaks.
double compute_time_us(double flops, const HardwareSpec &hw);
double hbm_time_us(double bytes, const HardwareSpec &hw);
double link_time_us(double bytes, const HardwareSpec &hw);

BasisValues basis_values(const Step &step, const ModelArch &arch, const StepWork &work,
                         const HardwareSpec &hw);

} // namespace stepcalc
