#include "stepcalc/memory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace stepcalc {

namespace {

// A figure as the page writes it (web/src/format.mjs, num): 4 significant digits, digits
// grouped by commas, e-notation ("3.355e10") outside [0.001, 10^7). Browsers round the
// shortest decimal that reads back as the double (9.9995 to 10, though the double is a
// little below 9.9995), halves away from zero; so does this. The note's figures then read
// as the page's memory line beside them.
std::string page_number(double value) {
  if (!std::isfinite(value)) return "–";
  if (value == 0) return "0";
  char shortest[40];
  for (int precision = 0; precision <= 17; ++precision) {
    std::snprintf(shortest, sizeof shortest, "%.*e", precision, std::fabs(value));
    if (std::strtod(shortest, nullptr) == std::fabs(value)) break;
  }
  const char *e = std::strchr(shortest, 'e');
  std::string digits(1, shortest[0]); // "d.ddde±XX" without the point and exponent
  if (shortest[1] == '.') digits.append(shortest + 2, static_cast<std::size_t>(e - shortest - 2));
  digits.append(5, '0');
  int exponent = std::atoi(e + 1);
  long long kept = std::stoll(digits.substr(0, 4)) + (digits[4] >= '5' ? 1 : 0);
  if (kept == 10000) {
    kept = 1000;
    ++exponent;
  }
  std::string mantissa = std::to_string(kept); // 4 digits, the first before the point
  while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();
  std::string text = value < 0 ? "-" : "";
  if (std::fabs(value) < 1e-3 || std::fabs(value) >= 1e7) { // decided before rounding, as num() does
    text.append(mantissa, 0, 1);
    if (mantissa.size() > 1) text.append(".").append(mantissa, 1);
    return text.append("e").append(std::to_string(exponent));
  }
  // Plain: the point goes after digit exponent+1 (zeros fill in on either side).
  std::string whole, fraction;
  if (exponent < 0) {
    whole = "0";
    fraction = std::string(static_cast<std::size_t>(-exponent - 1), '0') + mantissa;
  } else {
    const auto point = static_cast<std::size_t>(exponent) + 1;
    whole = mantissa.substr(0, point);
    if (whole.size() < point) whole.append(point - whole.size(), '0');
    fraction = mantissa.size() > point ? mantissa.substr(point) : "";
  }
  for (std::size_t i = 0; i < whole.size(); ++i) { // "12,345"
    if (i > 0 && (whole.size() - i) % 3 == 0) text.push_back(',');
    text.push_back(whole[i]);
  }
  if (!fraction.empty()) text.append(".").append(fraction);
  return text;
}

// Bytes in decimal SI units, as the page's bytes() writes them: "141.1 GB", "34.45 MB".
std::string si_bytes(double bytes) {
  const double size = std::fabs(bytes);
  if (size >= 1e12) return page_number(bytes / 1e12) + " TB";
  if (size >= 1e9) return page_number(bytes / 1e9) + " GB";
  if (size >= 1e6) return page_number(bytes / 1e6) + " MB";
  if (size >= 1e3) return page_number(bytes / 1e3) + " kB";
  return page_number(bytes) + " B";
}

// "90%" or "92.5%": gpu_memory_utilization as a percentage.
std::string percent(double share) {
  return page_number(share * 100) + '%';
}

} // namespace

int64_t kv_heads_stored_per_gpu(const ModelArch &arch, int64_t tp) {
  return std::max<int64_t>(1, arch.kv_heads / tp);
}

double model_weight_bytes(const ModelArch &arch, int64_t tp) {
  const double L = static_cast<double>(arch.L), d = static_cast<double>(arch.d);
  // Q and O (d x q_dim each), K and V (d x d_kv each)
  const double attention = d * static_cast<double>(2 * arch.q_dim + 2 * arch.d_kv);
  // gate, up and down of every expert, and the router that picks them
  const double experts = arch.is_moe ? static_cast<double>(arch.N) : 1;
  const double ffn = experts * 3 * d * static_cast<double>(arch.d_ff) +
                     (arch.is_moe ? d * static_cast<double>(arch.N) : 0);
  const double embeddings =
      static_cast<double>(arch.vocab) * d * (arch.tied_embeddings ? 1 : 2);
  return (L * (attention + ffn) + embeddings) * kBytesPerElement / static_cast<double>(tp);
}

// 2 (K and V) * L * stored KV heads * d_h * 2 bytes
double kv_cache_bytes_per_token(const ModelArch &arch, int64_t tp) {
  return 2 * static_cast<double>(arch.L) * static_cast<double>(kv_heads_stored_per_gpu(arch, tp)) *
         static_cast<double>(arch.d_h) * kBytesPerElement;
}

MemoryFit memory_fit(const Step &step, const ModelArch &arch, const HardwareSpec &hw, int64_t tp,
                     double utilization) {
  MemoryFit fit;
  fit.utilization = utilization;
  fit.weight_bytes = model_weight_bytes(arch, tp);
  const double per_token = kv_cache_bytes_per_token(arch, tp);
  // Prefill chunks hold their whole prompt once the step is done; decodes their context.
  double prefill_tokens = 0;
  for (const auto &chunk : step.prefill()) {
    prefill_tokens += static_cast<double>(chunk.prompt_tokens) * static_cast<double>(chunk.count);
  }
  const double prefill_kv = per_token * prefill_tokens;
  fit.kv_cache_bytes = prefill_kv + per_token * static_cast<double>(step.decode_context());
  if (!hw.capacity_gb) return fit;

  fit.capacity_bytes = *hw.capacity_gb * 1e9;
  fit.usable_bytes = *fit.capacity_bytes * utilization;
  fit.headroom_bytes = *fit.usable_bytes - fit.weight_bytes - fit.kv_cache_bytes;
  fit.fits = *fit.headroom_bytes >= 0;
  if (step.decode_tokens() > 0) {
    const double mean_context = static_cast<double>(step.decode_context()) /
                                static_cast<double>(step.decode_tokens());
    const double free_for_decodes = *fit.usable_bytes - fit.weight_bytes - prefill_kv;
    const double requests = free_for_decodes > 0 ? std::floor(free_for_decodes / (per_token * mean_context)) : 0;
    // Bounded by the input limits (capacity, widths) well inside int64.
    fit.max_decode_requests = static_cast<int64_t>(std::min(requests, 9e18));
  }
  return fit;
}

Notes memory_notes(const MemoryFit &fit) {
  if (!fit.fits.has_value() || *fit.fits) return {};
  const double needed = fit.weight_bytes + fit.kv_cache_bytes;
  return {{"does_not_fit",
           "The step needs " + si_bytes(needed) + " per GPU (weights " +
               si_bytes(fit.weight_bytes) + ", KV cache " + si_bytes(fit.kv_cache_bytes) +
               ") but only " + si_bytes(*fit.usable_bytes) + " are usable (" +
               percent(fit.utilization) + " of " + si_bytes(*fit.capacity_bytes) +
               "); the predicted time is for a step that cannot run as given.",
           {"memory"}}};
}

Notes kv_replication_notes(const ModelArch &arch, int64_t tp) {
  if (arch.kv_heads >= tp) return {};
  return {{"kv_heads_replicated",
           "The memory footprint stores 1 key/value head per GPU: with " +
               std::to_string(arch.kv_heads) + " key/value heads and TP " + std::to_string(tp) +
               ", engines replicate them.",
           {"memory"}}};
}

} // namespace stepcalc
