#include "json_fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc::json_fields {

std::string describe(const json &value) {
  switch (value.type()) {
  case json::value_t::null: return "null";
  case json::value_t::boolean: return value.get<bool>() ? "true" : "false";
  case json::value_t::string: return "a string";
  case json::value_t::array: return "an array";
  case json::value_t::object: return "an object";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float: return value.dump();
  default: return "an unsupported value";
  }
}

namespace {

// The length of the UTF-8 sequence starting at text[i], or 0 when the bytes
// there are not one (stray continuation, overlong form, surrogate, beyond U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;  // overlong
    if (lead == 0xED) high = 0x9F; // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;  // overlong
    if (lead == 0xF4) high = 0x8F; // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = i + 2; k < i + length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

bool is_plain_key(std::string_view key) {
  return !key.empty() && key.size() <= kMaxQuotedBytes &&
         std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

} // namespace

namespace {

// The longest start of `text` that fits in kMaxQuotedBytes without cutting a
// character, with control characters as \u00XX and bytes that are not UTF-8 as
// \xHH; `json_escapes` also puts a backslash before '"' and '\\'. Returns it and
// how many bytes of `text` it shows.
std::pair<std::string, std::size_t> printable_start(std::string_view text, bool json_escapes) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const std::size_t length = byte(i) < 0x80 ? 1 : utf8_sequence_length(text, i);
    if (i + std::max<std::size_t>(length, 1) > kMaxQuotedBytes) break;
    char escape[8];
    if (length == 0) {
      std::snprintf(escape, sizeof escape, "\\x%02x", byte(i));
      out += escape;
      i += 1;
      continue;
    }
    // C0 controls, DEL and C1 controls (U+0080 to U+009F): terminals act on them.
    const unsigned code = length == 1 ? byte(i) : byte(i) == 0xC2 ? byte(i + 1) : 0xFF;
    if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) {
      std::snprintf(escape, sizeof escape, "\\u%04x", code);
      out += escape;
    } else {
      if (json_escapes && (code == '"' || code == '\\')) out += '\\';
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return {out, i};
}

// What follows the closing quote when only `shown` bytes of `text` were shown.
std::string omitted(std::string_view text, std::size_t shown) {
  return shown < text.size() ? "... (" + std::to_string(text.size()) + " bytes)" : "";
}

} // namespace

std::string quoted(std::string_view text) {
  const auto [shown, length] = printable_start(text, true);
  return '"' + shown + '"' + omitted(text, length);
}

std::string field_path(std::string_view where, std::string_view key) {
  std::string path(where);
  if (!is_plain_key(key)) return path + '[' + quoted(key) + ']';
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

std::string index_path(std::string_view where, std::size_t index) {
  return std::string(where) + '[' + std::to_string(index) + ']';
}

std::string joined_path(std::string_view where, std::string_view path) {
  if (where.empty()) return std::string(path);
  if (path.empty()) return std::string(where);
  return std::string(where) + (path.front() == '[' ? "" : ".") + std::string(path);
}

const json *find(const json &object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

const json *find_member(const json &object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void require_object(const json &value, const std::string &where) {
  if (!value.is_object()) throw InputError(where, "expected an object, got " + describe(value));
}

namespace {
std::string range_text(int64_t min, int64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}
// Bounds print compactly: 0.001, 1e+09.
std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}
} // namespace

int64_t to_integer(const json &value, const std::string &where, int64_t min, int64_t max) {
  const std::string expected = "must be " + range_text(min, max) + ", got ";
  if (!value.is_number()) throw InputError(where, expected + describe(value));
  if (value.is_number_unsigned()) {
    const auto v = value.get<uint64_t>();
    if (v < static_cast<uint64_t>(std::max<int64_t>(min, 0)) || v > static_cast<uint64_t>(max)) {
      throw InputError(where, expected + value.dump());
    }
    return static_cast<int64_t>(v);
  }
  if (value.is_number_integer()) {
    const auto v = value.get<int64_t>();
    if (v < min || v > max) throw InputError(where, expected + value.dump());
    return v;
  }
  const double v = value.get<double>();
  if (!std::isfinite(v) || v != std::floor(v) || v < static_cast<double>(min) ||
      v > static_cast<double>(max)) {
    throw InputError(where, expected + value.dump());
  }
  return static_cast<int64_t>(v);
}

int64_t required_integer(const json *value, const std::string &where, int64_t min, int64_t max) {
  if (value == nullptr) throw InputError(where, "missing; expected " + range_text(min, max));
  return to_integer(*value, where, min, max);
}

double to_number(const json &value, const std::string &where, double min, double max) {
  const std::string expected =
      "must be a number from " + number_text(min) + " to " + number_text(max) + ", got ";
  if (!value.is_number()) throw InputError(where, expected + describe(value));
  const double v = value.get<double>();
  if (!std::isfinite(v) || v < min || v > max) throw InputError(where, expected + value.dump());
  return v;
}

std::optional<double> optional_number(const json &object, std::string_view key,
                                      const std::string &where, double min, double max) {
  const json *value = find(object, key);
  if (value == nullptr) return std::nullopt;
  return to_number(*value, field_path(where, key), min, max);
}

void reject_unknown_fields(const json &object, const std::string &where,
                           std::initializer_list<std::string_view> allowed) {
  for (const auto &item : object.items()) {
    bool known = false;
    for (const auto name : allowed)
      known = known || item.key() == name;
    if (known) continue;
    std::string list;
    for (const auto name : allowed) {
      if (!list.empty()) list += ", ";
      list += name;
    }
    throw InputError(field_path(where, item.key()), "unknown field; expected one of: " + list);
  }
}

namespace {

// True when `a` becomes `b` by one substitution, insertion, deletion or swap of
// adjacent letters.
bool one_edit_apart(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i])
    ++i;
  if (i == a.size()) return b.size() == a.size() + 1;
  if (a.size() == b.size()) {
    const bool swapped = i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                         a.substr(i + 2) == b.substr(i + 2);
    return swapped || a.substr(i + 1) == b.substr(i + 1);
  }
  return a.substr(i) == b.substr(i + 1);
}

} // namespace

Notes possible_typo_notes(const json &object, const std::string &where,
                          std::initializer_list<std::string_view> known) {
  Notes notes;
  if (!object.is_object()) return notes;
  for (const auto &item : object.items()) {
    const std::string &key = item.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const auto field = std::find_if(known.begin(), known.end(), [&](std::string_view name) {
      return one_edit_apart(key, name);
    });
    if (field == known.end()) continue;
    notes.push_back({"possible_typo",
                     field_path(where, key) + " is not a field the core reads; if " +
                         std::string(*field) +
                         " was meant, correct the name (the field was ignored).",
                     {}});
  }
  return notes;
}

} // namespace stepcalc::json_fields

namespace stepcalc {

namespace {

// Deeper nesting than any config needs is refused before parsing: copying or
// walking such a document recursively could exhaust the stack (small in wasm).
// A scan of brackets outside strings is enough, and far cheaper than a parser
// callback on every value.
void check_nesting(std::string_view text, const std::string &where) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxJsonDepth) {
        throw InputError(where, "invalid JSON: nested deeper than " +
                                    std::to_string(limits::kMaxJsonDepth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

// nlohmann ends some messages with "last read: '<token>'", the input it read last,
// verbatim: it may hold bytes that are not UTF-8 and be as long as a string in the
// input. Shown like any other echo of input, within kMaxQuotedBytes.
std::string with_printable_token(const std::string &message) {
  const std::string marker = "; last read: '";
  const auto token_start = message.find(marker);
  if (token_start == std::string::npos) return message;
  const auto from = token_start + marker.size();
  auto to = message.rfind("'; expected ");
  if (to == std::string::npos || to < from) to = message.size() - 1; // the closing quote
  const std::string_view token = std::string_view(message).substr(from, to - from);
  const auto [shown, length] = json_fields::printable_start(token, false);
  return message.substr(0, from) + shown + "'" + json_fields::omitted(token, length) +
         message.substr(to + 1);
}

} // namespace

namespace {

// Refuses an object key written twice. JSON leaves its meaning open and nlohmann keeps the
// last, so a request with "tp" written twice would silently use one of them. Follows the
// parser's events to name the key by its path ("step.decode[0].context_length"); the
// document itself is `where` ("request" is the root of a request's own paths).
class DuplicateKeyCheck {
public:
  explicit DuplicateKeyCheck(const std::string &where) : root_(where == "request" ? "" : where) {}

  bool operator()(int, nlohmann::json::parse_event_t event, nlohmann::json &parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
    case Event::object_start:
      element_starts();
      levels_.push_back(Level{});
      break;
    case Event::array_start:
      element_starts();
      levels_.push_back(Level{});
      levels_.back().object = false;
      break;
    case Event::object_end:
    case Event::array_end:
      levels_.pop_back();
      break;
    case Event::key: {
      Level &object = levels_.back();
      const auto &key = parsed.get_ref<const std::string &>();
      if (std::find(object.keys.begin(), object.keys.end(), key) != object.keys.end()) {
        throw InputError(json_fields::field_path(path_to_last(), key),
                         "duplicate key; a key may appear only once in an object");
      }
      object.keys.push_back(key);
      break;
    }
    case Event::value:
      element_starts();
      break;
    }
    return true;
  }

private:
  struct Level {
    bool object = true;
    std::vector<std::string> keys; // an object's keys so far; the last leads deeper
    std::size_t index = 0;         // an array's current element
    bool started = false;
  };

  void element_starts() {
    if (levels_.empty() || levels_.back().object) return;
    Level &array = levels_.back();
    if (array.started) ++array.index;
    array.started = true;
  }

  // The path of the innermost object, through every enclosing key and index.
  std::string path_to_last() const {
    std::string path = root_;
    for (std::size_t i = 0; i + 1 < levels_.size(); ++i) {
      const Level &level = levels_[i];
      path = level.object ? json_fields::field_path(path, level.keys.back())
                          : json_fields::index_path(path, level.index);
    }
    return path;
  }

  std::string root_;
  std::vector<Level> levels_;
};

// nlohmann's "parse error at line L, column C: <detail>", taken apart.
struct LocatedParseError {
  int64_t line = 0, column = 0;
  std::string detail;
};
std::optional<LocatedParseError> located_parse_error(std::string_view message) {
  LocatedParseError located;
  const auto number = [&message](std::string_view before, int64_t &out) {
    if (message.substr(0, before.size()) != before) return false;
    message.remove_prefix(before.size());
    const auto [end, error] = std::from_chars(message.data(), message.data() + message.size(), out);
    if (error != std::errc() || out < 1) return false;
    message.remove_prefix(static_cast<std::size_t>(end - message.data()));
    return true;
  };
  if (!number("parse error at line ", located.line) || !number(", column ", located.column) ||
      message.substr(0, 2) != ": ") {
    return std::nullopt;
  }
  located.detail = std::string(message.substr(2));
  return located;
}

} // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string &where) {
  // nlohmann takes a NUL byte for the end of the input and would accept what came
  // before it, ignoring the rest.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line_start = text.rfind('\n', nul);
    const auto column = nul - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
    throw JsonTextError(where, static_cast<int64_t>(line), static_cast<int64_t>(column),
                        "a NUL byte (U+0000) is not allowed in JSON text");
  }
  check_nesting(text, where);
  try {
    return nlohmann::json::parse(text, DuplicateKeyCheck(where));
  } catch (const nlohmann::json::exception &error) {
    // nlohmann's messages read "[json.exception.parse_error.101] parse error at line 1, column 5:
    // ..."
    std::string message = error.what();
    const auto start = message.find("] ");
    if (start != std::string::npos) message = message.substr(start + 2);
    message = with_printable_token(message);
    if (const auto located = located_parse_error(message)) {
      throw JsonTextError(where, located->line, located->column, located->detail);
    }
    throw InputError(where, "invalid JSON: " + message);
  }
}

} // namespace stepcalc
