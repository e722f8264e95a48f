#include "stepcalc/batch.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

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

namespace {

// The significant digits JavaScript writes for a whole number below 2^64, as the integer
// they spell: the fewest that read back as the same double (of two, the nearer to it, then
// the even one), padded with zeros. Below 2^53 that is the number itself; above, JavaScript
// writes 2^60 as 1152921504606847000, not 1152921504606846976.
uint64_t js_integer_digits(double magnitude) {
  const uint64_t exact = static_cast<uint64_t>(magnitude);
  uint64_t unit = 1; // the largest power of ten at most `exact`
  while (unit <= exact / 10) unit *= 10;
  for (;; unit /= 10) {
    const uint64_t below = exact / unit * unit;
    // Above `below` by one unit; past 2^64 it could not read back as a double below 2^64.
    const bool above_fits = below <= UINT64_MAX - unit;
    const uint64_t above = above_fits ? below + unit : below;
    const bool below_reads = static_cast<double>(below) == magnitude;
    const bool above_reads = above_fits && static_cast<double>(above) == magnitude;
    if (below_reads && above_reads) {
      const uint64_t to_below = exact - below, to_above = above - exact;
      if (to_below != to_above) return to_below < to_above ? below : above;
      return (below / unit) % 2 == 0 ? below : above;
    }
    if (below_reads) return below;
    if (above_reads) return above;
  }
}

} // namespace

// JSON.stringify writes whole values below 1e21 as digits; nlohmann reads digits that fit
// 64 bits as an integer and prints them back as they were, anything else as a double.
std::string js_number_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (value == std::floor(value) && std::fabs(value) < 2 * kTwoTo63) {
    const uint64_t digits = js_integer_digits(std::fabs(value));
    if (value >= 0) return std::to_string(digits);
    if (digits <= static_cast<uint64_t>(kTwoTo63)) return std::string(1, '-').append(std::to_string(digits));
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

// A batch's field, read without a branch: `valid` when it is a whole number from 1 to
// max (max below 2^52), and then `integer` is its value. Adding 2^52 puts a whole number
// below 2^52 exactly into the low bits of the sum (whose bits, less those of 2^52, are
// then the number) and rounds anything else; subtracting 2^52 again gives back the value
// itself only when it was whole. Every other input, NaN and infinities included, gives
// bits out of range or a value that does not come back. (The batch rows' loop is the hot
// loop of the module's quick path. The f64.trunc and i64.trunc_sat it used before carry
// false register dependencies in V8's x64 code, which chained the rows: 3.3 ns a decode
// row then, 2.0 ns with this, 1.1 ns with the SIMD loop below.)
constexpr double kTwoTo52 = 4503599627370496.0;
struct PackedValue {
  int64_t integer; // meaningless unless valid
  int valid;
};
inline uint64_t double_bits(double v) {
  uint64_t bits = 0; // std::bit_cast, which Emscripten's libc++ lacks
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}
inline PackedValue packed_value(double v, int64_t max) {
  const double shifted = v + kTwoTo52;
  const uint64_t integer = double_bits(shifted) - double_bits(kTwoTo52); // wraps when v < 0
  const int in_range = static_cast<int>(integer - 1 < static_cast<uint64_t>(max));
  const int whole = static_cast<int>(double_bits(shifted - kTwoTo52) == double_bits(v));
  return {static_cast<int64_t>(integer), in_range & whole};
}

// Decode rows (context_length, count pairs) converted into `groups`, with the step's
// totals summed in the same pass, unsigned so that the rows of a batch about to be refused
// cannot overflow them (a valid batch sums below 2^63). `valid` is 0 when any field is not.
struct DecodeRowsRead {
  int valid;
  uint64_t requests; // sum of count
  uint64_t context;  // sum of context_length * count
};

#ifdef __wasm_simd128__
// One row is one 128-bit vector, checked and converted as packed_value does, lane by lane
// (in V8, 1.1 ns a row against the scalar loop's 2.0).
DecodeRowsRead read_decode_rows(const double *rows, DecodeGroup *groups, std::size_t count) {
  const v128_t two_to_52 = wasm_f64x2_splat(kTwoTo52);
  const v128_t bits_of_two_to_52 = wasm_i64x2_splat(static_cast<int64_t>(double_bits(kTwoTo52)));
  const v128_t above_max = wasm_i64x2_make(limits::kMaxTokens + 1, limits::kMaxCount + 1);
  const v128_t zero = wasm_i64x2_splat(0), ones = wasm_i32x4_splat(1);
  v128_t valid = wasm_i64x2_splat(-1), sums = zero; // sums: {context * count, count}
  static_assert(sizeof(DecodeGroup) == 16 && offsetof(DecodeGroup, count) == 8);
  for (std::size_t i = 0; i < count; ++i) {
    const v128_t value = wasm_v128_load(rows + 2 * i);
    const v128_t shifted = wasm_f64x2_add(value, two_to_52);
    const v128_t integer = wasm_i64x2_sub(shifted, bits_of_two_to_52);
    // Signed compares where packed_value's are unsigned: the same test, as bits from 1 to
    // max (below 2^63) are those numbers read either way.
    const v128_t in_range = wasm_v128_and(wasm_i64x2_gt(integer, zero), wasm_i64x2_lt(integer, above_max));
    const v128_t whole = wasm_i64x2_eq(wasm_f64x2_sub(shifted, two_to_52), value);
    valid = wasm_v128_and(valid, wasm_v128_and(in_range, whole));
    wasm_v128_store(groups + i, integer);
    // {context, count} times {count, 1} in their low 32 bits (a valid field fits them).
    const v128_t left = wasm_i32x4_shuffle(integer, integer, 0, 2, 0, 2);
    const v128_t right = wasm_i32x4_shuffle(integer, ones, 2, 4, 2, 4);
    sums = wasm_i64x2_add(sums, wasm_u64x2_extmul_low_u32x4(left, right));
  }
  return {static_cast<int>(wasm_i64x2_all_true(valid)),
          static_cast<uint64_t>(wasm_i64x2_extract_lane(sums, 1)),
          static_cast<uint64_t>(wasm_i64x2_extract_lane(sums, 0))};
}
#else
DecodeRowsRead read_decode_rows(const double *rows, DecodeGroup *groups, std::size_t count) {
  DecodeRowsRead read{1, 0, 0};
  for (std::size_t i = 0; i < count; ++i) {
    const double *row = rows + 2 * i;
    const PackedValue context = packed_value(row[0], limits::kMaxTokens),
                      repeats = packed_value(row[1], limits::kMaxCount);
    read.valid &= context.valid & repeats.valid;
    groups[i] = {context.integer, repeats.integer};
    read.requests += static_cast<uint64_t>(repeats.integer);
    read.context += static_cast<uint64_t>(context.integer) * static_cast<uint64_t>(repeats.integer);
  }
  return read;
}
#endif

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
  constexpr int64_t kTokens = limits::kMaxTokens, kCount = limits::kMaxCount;
  chunks.resize(prefill.size() / 3);
  groups.resize(decode.size() / 2);
  int valid = 1;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const double *row = &prefill[3 * i];
    const PackedValue tokens = packed_value(row[0], kTokens), prompt = packed_value(row[1], kTokens),
                      count = packed_value(row[2], kCount);
    valid &= tokens.valid & prompt.valid & count.valid;
    chunks[i] = {tokens.integer, prompt.integer, count.integer};
  }
  const DecodeRowsRead read = read_decode_rows(decode.data(), groups.data(), groups.size());
  valid &= read.valid;
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
  step.decode_requests_ = static_cast<int64_t>(read.requests);
  step.decode_context_ = static_cast<int64_t>(read.context);
}

} // namespace stepcalc
