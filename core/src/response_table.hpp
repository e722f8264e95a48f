#pragma once

// The response table (response_fields.def) as C++: each kind's type and record slots, each
// field's level, and visit_fields, which calls a function for every row in order. Private
// to the core: response.cpp writes JSON from it, response_record.cpp the step record.

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "stepcalc/response.hpp"

namespace stepcalc::response_table {

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

} // namespace stepcalc::response_table
