#include "stepcalc/batch.hpp"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

namespace jf = json_fields;

void check_row_count(std::size_t rows, const std::string &where) {
  if (rows > static_cast<std::size_t>(limits::kMaxRows)) {
    throw InputError(where, "has " + std::to_string(rows) + " rows; at most " +
                                std::to_string(limits::kMaxRows) + " are allowed (use count)");
  }
}

PrefillChunk checked_prefill_chunk(int64_t tokens_this_step, int64_t prompt_tokens, int64_t count,
                                   std::size_t index) {
  if (tokens_this_step > prompt_tokens) {
    throw InputError(jf::field_path(jf::index_path("step.prefill", index), "tokens_this_step"),
                     std::to_string(tokens_this_step) + " exceeds prompt_tokens " +
                         std::to_string(prompt_tokens));
  }
  return {tokens_this_step, prompt_tokens, count};
}

// JSON.stringify writes integral values below 1e21 as digits; nlohmann reads digits that
// fit 64 bits as an integer and prints it back as digits, anything else as a double.
std::string js_number_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (value == std::floor(value)) {
    if (value >= 0 && value < 2 * kTwoTo63) return std::to_string(static_cast<uint64_t>(value));
    if (value < 0 && value >= -kTwoTo63) return std::to_string(static_cast<int64_t>(value));
  }
  return nlohmann::json(value).dump();
}

namespace {

// A whole number from 1 to max. The range test comes first, so the conversion is exact
// (and cheaper than floor(), which matters for thousands of rows per call).
bool whole_in_range(double value, int64_t max) {
  return value >= 1 && value <= static_cast<double>(max) &&
         static_cast<double>(static_cast<int64_t>(value)) == value;
}

} // namespace

int64_t packed_integer(double value, const std::string &where, int64_t max) {
  if (whole_in_range(value, max)) return static_cast<int64_t>(value);
  throw InputError(where, "must be an integer from 1 to " + std::to_string(max) + ", got " +
                              js_number_text(value));
}

namespace {

// The error for a row's field; out of line, so the loops below stay small.
[[noreturn]] void bad_packed_field(double value, const char *list, std::size_t index,
                                   const char *field, int64_t max) {
  packed_integer(value, jf::field_path(jf::index_path(list, index), field), max);
  throw std::logic_error("bad_packed_field: the value was valid");
}

// The row's field as an integer; the path is only built for an error.
inline int64_t packed_field(double value, const char *list, std::size_t index, const char *field,
                            int64_t max) {
  if (!whole_in_range(value, max)) [[unlikely]]
    bad_packed_field(value, list, index, field, max);
  return static_cast<int64_t>(value);
}

} // namespace

Step step_from_packed(std::span<const double> prefill, std::span<const double> decode) {
  if (prefill.size() % 3 != 0 || decode.size() % 2 != 0) {
    throw std::invalid_argument("step_from_packed: prefill needs triples, decode pairs");
  }
  check_row_count(prefill.size() / 3, "step.prefill");
  check_row_count(decode.size() / 2, "step.decode");
  constexpr const char *kPrefill = "step.prefill";
  constexpr const char *kDecode = "step.decode";
  std::vector<PrefillChunk> chunks;
  chunks.reserve(prefill.size() / 3);
  for (std::size_t i = 0; i < prefill.size() / 3; ++i) {
    const double *row = &prefill[3 * i];
    chunks.push_back(checked_prefill_chunk(
        packed_field(row[0], kPrefill, i, "tokens_this_step", limits::kMaxTokens),
        packed_field(row[1], kPrefill, i, "prompt_tokens", limits::kMaxTokens),
        packed_field(row[2], kPrefill, i, "count", limits::kMaxCount), i));
  }
  std::vector<DecodeGroup> groups;
  groups.reserve(decode.size() / 2);
  for (std::size_t i = 0; i < decode.size() / 2; ++i) {
    const double *row = &decode[2 * i];
    groups.push_back({packed_field(row[0], kDecode, i, "context_length", limits::kMaxTokens),
                      packed_field(row[1], kDecode, i, "count", limits::kMaxCount)});
  }
  return Step(std::move(chunks), std::move(groups));
}

} // namespace stepcalc
