#include "stepcalc/batch.hpp"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

namespace jf = json_fields;

void check_row_count(std::size_t rows, std::string_view where) {
  if (rows > static_cast<std::size_t>(limits::kMaxRows)) {
    throw InputError(std::string(where), "has " + std::to_string(rows) + " rows; at most " +
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
  Step step;
  assign_packed(step, prefill, decode);
  return step;
}

namespace {

// Whether `v` is a whole number from 1 to max, without a branch (f64 compares and trunc,
// one instruction each in WebAssembly), so that a batch of thousands of rows is checked
// at the speed of reading it.
inline int whole(double v, double max) {
  return static_cast<int>(v >= 1) & static_cast<int>(v <= max) & static_cast<int>(std::trunc(v) == v);
}

// The value as an integer when it is within int64 (any valid field is), else 0: defined for
// every input, so the conversion may run before the check's verdict is known.
inline int64_t saturating_integer(double v) {
  return std::fabs(v) < 9e18 ? static_cast<int64_t>(v) : 0;
}

// Names the first invalid field of a batch that failed the quick check.
[[noreturn]] void bad_batch(std::span<const double> prefill, std::span<const double> decode) {
  for (std::size_t i = 0; i < prefill.size() / 3; ++i) {
    const double *row = &prefill[3 * i];
    packed_field(row[0], "step.prefill", i, "tokens_this_step", limits::kMaxTokens);
    packed_field(row[1], "step.prefill", i, "prompt_tokens", limits::kMaxTokens);
    packed_field(row[2], "step.prefill", i, "count", limits::kMaxCount);
  }
  for (std::size_t i = 0; i < decode.size() / 2; ++i) {
    packed_field(decode[2 * i], "step.decode", i, "context_length", limits::kMaxTokens);
    packed_field(decode[2 * i + 1], "step.decode", i, "count", limits::kMaxCount);
  }
  throw std::logic_error("bad_batch: every value was valid");
}

} // namespace

// One pass per list converts, sums (the step's totals) and notes whether every value was
// valid; only a batch that was not is read again, to name its first bad field.
void assign_packed(Step &step, std::span<const double> prefill, std::span<const double> decode) {
  if (prefill.size() % 3 != 0 || decode.size() % 2 != 0) {
    throw std::invalid_argument("assign_packed: prefill needs triples, decode pairs");
  }
  // The rows' memory is taken from the step, which stays empty until the batch is valid;
  // every element is overwritten below, so a batch as long as the last one initializes
  // nothing (the usual case: one scenario, batch after batch).
  std::vector<PrefillChunk> chunks = std::move(step.prefill_);
  std::vector<DecodeGroup> groups = std::move(step.decode_);
  step.prefill_.clear();
  step.decode_.clear();
  step.prefill_tokens_ = step.prefill_requests_ = step.decode_requests_ = step.decode_context_ = 0;
  check_row_count(prefill.size() / 3, "step.prefill");
  check_row_count(decode.size() / 2, "step.decode");
  constexpr double kTokens = static_cast<double>(limits::kMaxTokens);
  constexpr double kCount = static_cast<double>(limits::kMaxCount);
  chunks.resize(prefill.size() / 3);
  groups.resize(decode.size() / 2);
  int valid = 1;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const double *row = &prefill[3 * i];
    valid &= whole(row[0], kTokens) & whole(row[1], kTokens) & whole(row[2], kCount);
    chunks[i] = {saturating_integer(row[0]), saturating_integer(row[1]), saturating_integer(row[2])};
  }
  // The decode totals are summed in the same pass, unsigned so that the rows of a batch
  // about to be refused cannot overflow them (a valid batch sums below 2^63).
  uint64_t decode_requests = 0, decode_context = 0;
  DecodeGroup *group = groups.data();
  for (std::size_t i = 0; i < groups.size(); ++i, ++group) {
    const double *row = &decode[2 * i];
    valid &= whole(row[0], kTokens) & whole(row[1], kCount);
    const int64_t context = saturating_integer(row[0]), count = saturating_integer(row[1]);
    *group = {context, count};
    decode_requests += static_cast<uint64_t>(count);
    decode_context += static_cast<uint64_t>(context) * static_cast<uint64_t>(count);
  }
  if (!valid) bad_batch(prefill, decode);
  int64_t prefill_tokens = 0, prefill_requests = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    checked_prefill_chunk(chunks[i].tokens_this_step, chunks[i].prompt_tokens, chunks[i].count, i);
    prefill_tokens += chunks[i].tokens_this_step * chunks[i].count;
    prefill_requests += chunks[i].count;
  }
  // Only a complete, valid batch becomes the step (an error above leaves it empty).
  step.prefill_ = std::move(chunks);
  step.decode_ = std::move(groups);
  step.prefill_tokens_ = prefill_tokens;
  step.prefill_requests_ = prefill_requests;
  step.decode_requests_ = static_cast<int64_t>(decode_requests);
  step.decode_context_ = static_cast<int64_t>(decode_context);
}

} // namespace stepcalc
