#include "stepcalc/response.hpp"

#include "response_table.hpp"

#include <cmath>
#include <optional>
#include <type_traits>

namespace stepcalc {

using nlohmann::ordered_json;

namespace {

using namespace response_table;

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
