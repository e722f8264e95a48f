#include "stepcalc/trace_quick.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "stepcalc/limits.hpp"

namespace stepcalc {

namespace {

// Values nested deeper than this are left to nlohmann (which allows kMaxJsonDepth).
constexpr int kMaxDepth = 16;
// Longer numbers are left to nlohmann (309 digits can overflow a double).
constexpr std::size_t kMaxNumberChars = 300;
// The most digits a uint64_t holds whatever they are.
constexpr std::size_t kMaxIntegerDigits = 18;

// The bytes a plain string holds: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlainChar = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7f; ++c)
    plain[c] = c != '"' && c != '\\';
  return plain;
}();

// key == name, written out: every name is a constant, so this is a few compares where
// operator== calls memcmp (a byte loop in the WebAssembly build's libc).
template <std::size_t N> bool is(std::string_view key, const char (&name)[N]) {
  if (key.size() != N - 1) return false;
  for (std::size_t i = 0; i + 1 < N; ++i)
    if (key[i] != name[i]) return false;
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The keys of one object, to refuse a duplicate as parse_json_text does. (Left
// uninitialised: an object is read per entry, and zeroing the slots cost more than this.)
class Keys {
public:
  bool add(std::string_view key) {
    for (std::size_t i = 0; i < count_; ++i)
      if (size_[i] == key.size() && std::memcmp(data_[i], key.data(), key.size()) == 0)
        return false;
    if (count_ == kSlots) return false; // a large object: not the step shape
    data_[count_] = key.data();
    size_[count_++] = key.size();
    return true;
  }

private:
  static constexpr std::size_t kSlots = 32;
  const char *data_[kSlots];
  std::size_t size_[kSlots];
  std::size_t count_ = 0;
};

// The keys of the entries of prefill_reqs and decode_reqs, as a file writes them: the
// fields read, then request_id, which every entry of the training pipeline's files has
// (skipped, but found without a scan).
constexpr std::array<std::string_view, 3> kPrefillKeys = {R"("tokens_this_step")", R"("prompt_tokens")",
                                                          R"("request_id")"};
constexpr std::array<std::string_view, 2> kDecodeKeys = {R"("context_length")", R"("request_id")"};

// A JSON number token: its text, and whether it has neither fraction nor exponent.
struct Number {
  std::string_view text;
  bool integral = true;
};

// A non-negative integer without fraction or exponent (nlohmann's number_unsigned) that
// surely fits: its value.
bool plain_unsigned(const Number &n, uint64_t &out) {
  if (!n.integral || n.text[0] == '-' || n.text.size() > kMaxIntegerDigits) return false;
  out = 0;
  for (const char c : n.text)
    out = out * 10 + static_cast<uint64_t>(c - '0');
  return true;
}

// Every method returns false for "not sure": invalid JSON, or valid JSON this reader does
// not take (escapes, bytes above 0x7f, deep nesting, long numbers).
class Scanner {
public:
  explicit Scanner(std::string_view text)
      : start_(text.data()), at_(text.data()), end_(text.data() + text.size()) {}

  void space() {
    while (at_ < end_ && (*at_ == ' ' || *at_ == '\t' || *at_ == '\n' || *at_ == '\r'))
      ++at_;
  }
  bool peek(char c) {
    space();
    return at_ < end_ && *at_ == c;
  }
  // Inlined: called for every token, it is mostly one compare.
  [[gnu::always_inline]] bool consume(char c) {
    if (at_ < end_ && *at_ == c) { // compact JSON: no space before it
      ++at_;
      return true;
    }
    space();
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }
  std::size_t offset() const { return static_cast<std::size_t>(at_ - start_); }
  bool at_end() {
    space();
    return at_ == end_;
  }

  // A string of printable ASCII without escapes: then its text is its value.
  bool plain_string(std::string_view &out) {
    if (!consume('"')) return false;
    const char *start = at_;
    skip_plain_words();
    while (at_ < end_ && kPlainChar[static_cast<unsigned char>(*at_)])
      ++at_;
    if (at_ == end_ || *at_ != '"') return false; // the end, or a byte it does not take
    out = {start, static_cast<std::size_t>(at_ - start)};
    ++at_;
    return true;
  }

  // The next key when it is one of `quoted` (each written with its quotes): its index, the
  // key consumed. Else -1, nothing consumed. One compare of the bytes, where key() scans
  // the string and then compares it.
  template <std::size_t K> int known_key(const std::array<std::string_view, K> &quoted) {
    space();
    for (std::size_t i = 0; i < K; ++i) {
      if (starts_with(quoted[i])) {
        at_ += quoted[i].size();
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  // A key of an object, not seen before in it, and its colon.
  bool key(std::string_view &out, Keys &keys) {
    return plain_string(out) && keys.add(out) && consume(':');
  }

  // The JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Number &out) {
    space();
    const char *start = at_;
    if (at_ < end_ && *at_ == '-') ++at_;
    if (at_ == end_ || !is_digit(*at_)) return false;
    if (*at_++ != '0')
      while (at_ < end_ && is_digit(*at_))
        ++at_;
    out.integral = true;
    if (at_ < end_ && *at_ == '.') {
      out.integral = false;
      if (!digits()) return false;
    }
    if (at_ < end_ && (*at_ == 'e' || *at_ == 'E')) {
      out.integral = false;
      if (at_ + 1 < end_ && (at_[1] == '+' || at_[1] == '-')) ++at_;
      if (!digits()) return false;
    }
    out.text = {start, static_cast<std::size_t>(at_ - start)};
    return out.text.size() <= kMaxNumberChars;
  }

  // A non-negative integer written without fraction or exponent, as nlohmann reads it.
  bool unsigned_integer(uint64_t &out) {
    Number n;
    return number(n) && plain_unsigned(n, out);
  }

  // Any JSON value, checked as nlohmann checks it and not kept.
  bool skip_value(int depth) {
    space();
    if (at_ == end_) return false;
    switch (*at_) {
    case '"': {
      std::string_view text;
      return plain_string(text);
    }
    case '{': {
      ++at_;
      if (depth >= kMaxDepth) return false;
      if (consume('}')) return true;
      Keys keys;
      std::string_view name;
      do {
        if (!key(name, keys) || !skip_value(depth + 1)) return false;
      } while (consume(','));
      return consume('}');
    }
    case '[': {
      ++at_;
      if (depth >= kMaxDepth) return false;
      if (consume(']')) return true;
      do {
        if (!skip_value(depth + 1)) return false;
      } while (consume(','));
      return consume(']');
    }
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default: {
      Number n;
      if (!number(n)) return false;
      // nlohmann refuses a number beyond a double's range.
      return n.integral || std::isfinite(to_double(n.text));
    }
    }
  }

  // The number's value as nlohmann computes it for a fraction or an exponent.
  static double to_double(std::string_view text) {
    char buffer[kMaxNumberChars + 1];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    return std::strtod(buffer, nullptr);
  }

private:
  // Eight bytes at a time (the last word may overlap the one before it).
  bool starts_with(std::string_view bytes) const {
    const std::size_t n = bytes.size();
    if (static_cast<std::size_t>(end_ - at_) < n) return false;
    if (n < 8) return std::string_view(at_, n) == bytes;
    const auto word = [](const char *from) {
      uint64_t w;
      std::memcpy(&w, from, 8);
      return w;
    };
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (word(at_ + i) != word(bytes.data() + i)) return false;
    return word(at_ + n - 8) == word(bytes.data() + n - 8);
  }

  // Eight bytes at a time over plain string bytes (most of a trace's bytes are strings),
  // stopping at the first word that holds a byte plain_string's loop must look at: a
  // quote, a backslash, a control byte or one above 0x7e. Whole words inside the text
  // only, so it never reads past its end.
  void skip_plain_words() {
    static_assert(std::endian::native == std::endian::little, "the word's first byte is its lowest");
    constexpr uint64_t kOnes = 0x0101010101010101, kHighBits = 0x8080808080808080;
    while (end_ - at_ >= 8) {
      uint64_t word;
      std::memcpy(&word, at_, 8);
      const auto zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHighBits; };
      const uint64_t stops = zero_byte(word ^ (kOnes * '"')) | zero_byte(word ^ (kOnes * '\\')) |
                             ((word - kOnes * 0x20) & ~word & kHighBits) | // below 0x20
                             (((word + kOnes) | word) & kHighBits);        // above 0x7e
      if (stops != 0) { // the lowest flag is exact (a carry or borrow only flags bytes after it)
        at_ += std::countr_zero(stops) / 8;
        return;
      }
      at_ += 8;
    }
  }

  bool digits() {
    ++at_; // the '.', 'e', '+' or '-' before them
    if (at_ == end_ || !is_digit(*at_)) return false;
    while (at_ < end_ && is_digit(*at_))
      ++at_;
    return true;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::memcmp(at_, word.data(), word.size()) != 0) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  const char *start_;
  const char *at_;
  const char *end_;
};

class StepReader {
public:
  explicit StepReader(std::string_view text) : scan_(text) {}

  // One step object; `length` (when given) receives its length and the text may go on
  // after it, else only whitespace may follow.
  bool read(TraceStep &step, std::size_t *length) {
    if (!scan_.consume('{')) return false;
    int64_t prefill_tokens = 0;
    std::optional<uint64_t> total_prefill, total_decode, batch_size;
    bool has_list = false; // without prefill_reqs or decode_reqs it is not a step
    if (!scan_.consume('}')) {
      Keys keys;
      std::string_view key;
      do {
        if (!scan_.key(key, keys)) return false;
        bool ok = true;
        if (is(key, "step_id")) {
          ok = read_id(step);
        } else if (is(key, "prefill_reqs")) {
          ok = read_prefill(step, prefill_tokens);
          has_list = true;
        } else if (is(key, "decode_reqs")) {
          ok = read_decode(step);
          has_list = true;
        } else if (is(key, "duration_us")) {
          ok = read_duration(step);
        } else if (is(key, "total_prefill_tokens")) {
          ok = scan_.unsigned_integer(total_prefill.emplace());
        } else if (is(key, "total_decode_tokens")) {
          ok = scan_.unsigned_integer(total_decode.emplace());
        } else if (is(key, "batch_size")) {
          ok = scan_.unsigned_integer(batch_size.emplace());
        } else if (is(key, "model") || is(key, "step")) {
          return false; // a whole request: read_trace_step's job
        } else {
          ok = scan_.skip_value(1);
        }
        if (!ok) return false;
      } while (scan_.consume(','));
      if (!scan_.consume('}')) return false;
    }
    if (length != nullptr) {
      *length = scan_.offset();
    } else if (!scan_.at_end()) {
      return false;
    }
    // A total that does not match, or no list, is an error read_trace_step names.
    if (!has_list) return false;
    if (total_prefill && *total_prefill != static_cast<uint64_t>(prefill_tokens)) return false;
    if (total_decode && *total_decode != step.decode.size()) return false;
    return !batch_size || *batch_size == step.prefill.size() + step.decode.size();
  }

private:
  // 1 to kMaxTokens, as read_trace_step's entries take them.
  bool token_count(int64_t &out) {
    uint64_t v = 0;
    if (!scan_.unsigned_integer(v) || v < 1 || v > static_cast<uint64_t>(limits::kMaxTokens)) {
      return false;
    }
    out = static_cast<int64_t>(v);
    return true;
  }

  // step_id: a string, kept with its quotes as nlohmann's dump() writes it, or an integer.
  bool read_id(TraceStep &step) {
    if (scan_.peek('"')) {
      std::string_view text;
      if (!scan_.plain_string(text)) return false;
      step.step_id.reserve(text.size() + 2);
      step.step_id.append(1, '"').append(text).append(1, '"');
      return true;
    }
    Number n;
    uint64_t id = 0;
    if (!scan_.number(n) || !plain_unsigned(n, id)) return false;
    step.step_id.assign(n.text);
    step.numeric_id = static_cast<double>(id);
    return true;
  }

  bool read_duration(TraceStep &step) {
    Number n;
    if (!scan_.number(n) || n.text[0] == '-') return false;
    double v = 0;
    if (uint64_t integer = 0; n.integral) {
      if (!plain_unsigned(n, integer)) return false;
      v = static_cast<double>(integer); // as nlohmann's get<double>() of a number_unsigned
    } else {
      v = Scanner::to_double(n.text);
    }
    if (!(v >= 0 && v <= 1e15)) return false;
    step.duration_us = v;
    return true;
  }

  // A list of at most kMaxRows entries, each an object. Its keys in `known` are read by
  // read_field(index into known), each at most once; any other key's value is skipped.
  // Every entry must have the keys whose bits (1 << index) are in `required`, and then
  // done() takes it.
  template <std::size_t K, typename Field, typename Done>
  bool read_entries(const std::array<std::string_view, K> &known, unsigned required, Field &&read_field,
                    Done &&done) {
    if (!scan_.consume('[')) return false;
    if (scan_.consume(']')) return true;
    std::size_t rows = 0;
    do {
      if (rows++ == static_cast<std::size_t>(limits::kMaxRows) || !scan_.consume('{')) return false;
      unsigned seen = 0;
      if (!scan_.consume('}')) {
        Keys others;
        do {
          if (const int index = scan_.known_key(known); index >= 0) {
            const unsigned bit = 1u << index;
            if ((seen & bit) != 0) return false; // a duplicate key: the exact reader names it
            if (!scan_.consume(':') || !read_field(index)) return false;
            seen |= bit;
          } else if (std::string_view key; !scan_.key(key, others) || !scan_.skip_value(3)) {
            return false;
          }
        } while (scan_.consume(','));
        if (!scan_.consume('}')) return false;
      }
      if ((seen & required) != required || !done()) return false;
    } while (scan_.consume(','));
    return scan_.consume(']');
  }

  bool read_prefill(TraceStep &step, int64_t &tokens_sum) {
    int64_t tokens = 0, prompt = 0;
    return read_entries(
        kPrefillKeys, 0b011,
        [&](int index) {
          if (index == 0) return token_count(tokens);
          if (index == 1) return token_count(prompt);
          return scan_.skip_value(3);
        },
        [&] {
          if (tokens > prompt) return false;
          step.prefill.push_back({tokens, prompt, 1});
          tokens_sum += tokens;
          return true;
        });
  }

  bool read_decode(TraceStep &step) {
    int64_t context = 0;
    return read_entries(
        kDecodeKeys, 0b01, [&](int index) { return index == 0 ? token_count(context) : scan_.skip_value(3); },
        [&] {
          step.decode.push_back({context, 1});
          return true;
        });
  }

  Scanner scan_;
};

} // namespace

std::optional<TraceStep> read_trace_step_quick(std::string_view text, std::size_t *length) {
  TraceStep step;
  if (!StepReader(text).read(step, length)) return std::nullopt;
  return step;
}

} // namespace stepcalc
