#include "stepcalc/response.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace stepcalc {

using nlohmann::ordered_json;

namespace {

// The kinds of response_fields.def: the C++ type a value must have, and how many numbers
// it takes in the step record (0: it cannot be a STEP field).
namespace kinds {
struct number { using type = double; static constexpr std::size_t slots = 1; };
struct integer { using type = int64_t; static constexpr std::size_t slots = 1; };
struct flag { using type = bool; static constexpr std::size_t slots = 1; };
struct vector7 { using type = FeatureVector; static constexpr std::size_t slots = kFeatureCount; };
struct bound { using type = Bound; static constexpr std::size_t slots = 1; };
struct text { using type = std::string; static constexpr std::size_t slots = 0; };
struct maybe_number { using type = std::optional<double>; static constexpr std::size_t slots = 1; };
struct maybe_integer { using type = std::optional<int64_t>; static constexpr std::size_t slots = 1; };
struct maybe_flag { using type = std::optional<bool>; static constexpr std::size_t slots = 1; };
} // namespace kinds

// A field's level as a type, so that step-only rules are checked at compile time.
using StepLevel = std::true_type;
using ScenarioLevel = std::false_type;
template <typename Level> constexpr bool is_step = Level::value;

// Calls visit(level, path, kind, value) for every row of the table, in order.
template <typename Visit> void visit_fields(const Scenario &s, const StepResult &r, Visit &&visit) {
#define STEP(path, kind, value) visit(StepLevel{}, path, kinds::kind{}, value);
#define SCENARIO(path, kind, value) visit(ScenarioLevel{}, path, kinds::kind{}, value);
#include "response_fields.def"
#undef STEP
#undef SCENARIO
}

template <typename Kind, typename Value> void check_kind() {
  static_assert(std::is_same_v<std::remove_cvref_t<Value>, typename Kind::type>,
                "a value in response_fields.def does not have the C++ type its kind names");
}

ordered_json json_value(const auto &value) {
  using T = std::remove_cvref_t<decltype(value)>;
  if constexpr (std::is_same_v<T, Bound>) {
    return bound_name(value);
  } else if constexpr (std::is_same_v<T, std::optional<double>> ||
                       std::is_same_v<T, std::optional<int64_t>> ||
                       std::is_same_v<T, std::optional<bool>>) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
  } else {
    return value;
  }
}

// The object at `path`'s parent, created in order on first use; `key` gets its last part.
ordered_json &parent_of(ordered_json &root, std::string_view path, std::string_view &key) {
  ordered_json *node = &root;
  for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    node = &(*node)[std::string(path.substr(0, dot))];
    path.remove_prefix(dot + 1);
  }
  key = path;
  return *node;
}

void put(ordered_json &root, std::string_view path, ordered_json value) {
  std::string_view key;
  parent_of(root, path, key)[std::string(key)] = std::move(value);
}

double record_number(const auto &value) {
  using T = std::remove_cvref_t<decltype(value)>;
  constexpr double kNull = std::numeric_limits<double>::quiet_NaN();
  if constexpr (std::is_same_v<T, Bound>) {
    return static_cast<double>(static_cast<int>(value));
  } else if constexpr (std::is_same_v<T, std::optional<double>> ||
                       std::is_same_v<T, std::optional<int64_t>> ||
                       std::is_same_v<T, std::optional<bool>>) {
    return value ? static_cast<double>(*value) : kNull;
  } else {
    return static_cast<double>(value);
  }
}

const char *kind_name(kinds::number) { return "number"; }
const char *kind_name(kinds::integer) { return "integer"; }
const char *kind_name(kinds::flag) { return "flag"; }
const char *kind_name(kinds::vector7) { return "vector7"; }
const char *kind_name(kinds::bound) { return "bound"; }
const char *kind_name(kinds::text) { return "text"; }
const char *kind_name(kinds::maybe_number) { return "maybe_number"; }
const char *kind_name(kinds::maybe_integer) { return "maybe_integer"; }
const char *kind_name(kinds::maybe_flag) { return "maybe_flag"; }

} // namespace

ordered_json response_json(const Scenario &scenario, const StepResult &result) {
  ordered_json out = ordered_json::object();
  visit_fields(scenario, result, [&](auto, std::string_view path, auto kind, const auto &value) {
    check_kind<decltype(kind), decltype(value)>();
    put(out, path, json_value(value));
  });
  out["notes"] = response_notes_json(scenario, result);
  return out;
}

ordered_json scenario_fields_json(const Scenario &scenario, std::string_view prefix) {
  ordered_json out = ordered_json::object();
  const StepResult unused;
  visit_fields(scenario, unused,
               [&](auto level, std::string_view path, auto kind, const auto &value) {
                 check_kind<decltype(kind), decltype(value)>();
                 if (!is_step<decltype(level)> && path.starts_with(prefix)) {
                   put(out, path, json_value(value));
                 }
               });
  return out;
}

ordered_json response_notes_json(const Scenario &scenario, const StepResult &result) {
  ordered_json notes = notes_to_json(scenario.notes);
  for (auto &note : notes_to_json(step_notes(step_note_inputs(result))))
    notes.push_back(std::move(note));
  return notes;
}

std::size_t step_record_size() {
  static const std::size_t size = [] {
    std::size_t slots = 0;
    visit_fields(Scenario{}, StepResult{}, [&](auto level, std::string_view, auto kind, const auto &) {
      if (is_step<decltype(level)>) slots += decltype(kind)::slots;
    });
    return slots;
  }();
  return size;
}

void write_step_record(const Scenario &scenario, const StepResult &result,
                       std::span<double> record) {
  if (record.size() != step_record_size()) {
    throw std::logic_error("write_step_record: the record has the wrong size");
  }
  std::size_t slot = 0;
  visit_fields(scenario, result, [&](auto level, std::string_view, auto kind, const auto &value) {
    using Kind = decltype(kind);
    check_kind<Kind, decltype(value)>();
    if constexpr (is_step<decltype(level)>) {
      static_assert(Kind::slots > 0, "a text field cannot depend on the step");
      if constexpr (std::is_same_v<Kind, kinds::vector7>) {
        for (double element : value)
          record[slot++] = element;
      } else {
        record[slot++] = record_number(value);
      }
    }
  });
}

std::string response_field_list() {
  std::string list;
  visit_fields(Scenario{}, StepResult{}, [&](auto level, std::string_view path, auto kind, const auto &) {
    if (!list.empty()) list += ',';
    list += is_step<decltype(level)> ? "STEP:" : "SCENARIO:";
    list += kind_name(kind);
    list += ':';
    list += path;
  });
  return list;
}

} // namespace stepcalc
