// The step-level fields of the response as numbers (the record the WASM module reads per
// batch): the hot path of every quick compute, kept apart from the JSON writers
// (response.cpp) so that each can be compiled for what it needs.
#include "stepcalc/response.hpp"

#include <limits>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "response_table.hpp"

namespace stepcalc {

namespace {

using namespace response_table;

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

} // namespace

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

} // namespace stepcalc
