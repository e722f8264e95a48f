#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "stepcalc/note.hpp"

namespace stepcalc {

// Bytes of one weight or KV-cache element: FP16, as the seed assumes for the step time
// and the memory footprint alike.
inline constexpr double kBytesPerElement = 2;

// Architecture numbers the basis functions need, resolved from a HF config.json.
// Invariants (checked by resolve_model_arch): every count >= 1 except N and k,
// kv_heads <= H, d_kv == kv_heads * d_h, k_eff == max(1, k), and q_dim == H * d_h when the
// config gives head_dim (without it q_dim == d, and d_h == d // H is floored, as the seed).
struct ModelArch {
  int64_t L = 0;        // num_hidden_layers
  int64_t d = 0;        // hidden_size
  int64_t H = 0;        // attention heads
  int64_t kv_heads = 0; // key/value heads
  int64_t d_h = 0;      // head dimension: head_dim if given, else d // H
  int64_t q_dim = 0;    // query width H * d_h (equals d in the seed's reading)
  int64_t d_kv = 0;     // kv_heads * d_h
  int64_t d_ff = 0;     // FFN width (per expert for MoE)
  int64_t N = 0;        // routed experts, 0 for dense
  int64_t k = 0;        // experts per token, 0 for dense
  int64_t k_eff = 1;    // max(1, k)
  bool is_moe = false;  // N > 0
  // For the memory footprint only (the seed's step time does not use them):
  int64_t vocab = 0;           // vocab_size; 0 when the config has none
  bool tied_embeddings = true; // tie_word_embeddings: the LM head shares the embedding matrix
};

struct ResolvedModel {
  ModelArch arch;
  Notes notes; // deviations from the seed's reading and what the formula cannot see
};

// Reads a HF config.json. `where` names the config in error messages ("model").
// Throws InputError naming the offending field.
ResolvedModel resolve_model_arch(const nlohmann::json &config, const std::string &where);

// Notes that depend on the TP degree (head counts not divisible by it).
Notes tp_sharding_notes(const ModelArch &arch, int64_t tp);

} // namespace stepcalc
