#pragma once

// Typed, located reads of JSON fields. Every reader throws InputError naming the
// full path of the field ("model.text_config.hidden_size") and what was wrong.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepcalc/note.hpp"

namespace stepcalc::json_fields {

using nlohmann::json;

// "a string", "an array", "null", ... for error messages.
std::string describe(const json &value);

// Text from the input as it may appear in a message: in double quotes, JSON
// escapes for quotes, backslashes and control characters, \xHH for bytes that
// are not UTF-8, and only the first kMaxQuotedBytes bytes, followed by
// `... (N bytes)` when there are more. A message stays one short, printable line.
inline constexpr std::size_t kMaxQuotedBytes = 64;
std::string quoted(std::string_view text);

// "where.key"; a key that is not a plain name (letters, digits, '_', '-', at most
// kMaxQuotedBytes) is quoted: where["a b"].
std::string field_path(std::string_view where, std::string_view key);
std::string index_path(std::string_view where, std::size_t index);
// A path found inside a value ("step.decode[0].count") continued from the value's own
// path ("steps[3]"): "steps[3].step.decode[0].count".
std::string joined_path(std::string_view where, std::string_view path);

// The member `key` of `object`, or nullptr when absent or JSON null (HF configs
// and datasheets write null for "not set").
const json *find(const json &object, std::string_view key);

// The member `key` of `object`, or nullptr when absent; null is returned as a
// value (the request's own fields must not be null).
const json *find_member(const json &object, std::string_view key);

void require_object(const json &value, const std::string &where);

// Integers accept JSON numbers with an integral value in [min, max].
int64_t to_integer(const json &value, const std::string &where, int64_t min, int64_t max);
// `value` may be nullptr (absent): then "missing; expected an integer from min to max".
int64_t required_integer(const json *value, const std::string &where, int64_t min, int64_t max);

double to_number(const json &value, const std::string &where, double min, double max);
std::optional<double> optional_number(const json &object, std::string_view key,
                                      const std::string &where, double min, double max);

// Rejects members outside `allowed` so that a typo never goes unnoticed.
void reject_unknown_fields(const json &object, const std::string &where,
                           std::initializer_list<std::string_view> allowed);

// A "possible_typo" note for each member of `object` that is not in `known` but
// one edit (a wrong, missing, extra or swapped letter) away from a field that
// is: a misspelt field would otherwise be ignored without a word.
Notes possible_typo_notes(const json &object, const std::string &where,
                          std::initializer_list<std::string_view> known);

} // namespace stepcalc::json_fields
