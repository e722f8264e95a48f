#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepcalc/input_error.hpp"

namespace stepcalc {

// Text that is not JSON, located in it: the message reads "invalid JSON: parse error at
// line L, column C: <detail>". A caller whose text is part of a file (a trace's JSON Lines
// record) can locate it in the file instead.
class JsonTextError : public InputError {
public:
  JsonTextError(std::string where, int64_t line, int64_t column, std::string detail)
      : InputError(std::move(where), "invalid JSON: parse error at line " + std::to_string(line) +
                                         ", column " + std::to_string(column) + ": " + detail),
        line_(line), column_(column), detail_(std::move(detail)) {}

  int64_t line() const { return line_; }     // 1-based
  int64_t column() const { return column_; } // 1-based, in bytes
  const std::string &detail() const { return detail_; }

private:
  int64_t line_;
  int64_t column_;
  std::string detail_;
};

// Parses JSON text; invalid JSON is a JsonTextError (or, for a number JSON cannot hold
// or nesting deeper than limits::kMaxJsonDepth, an InputError) at `where`.
nlohmann::json parse_json_text(std::string_view text, const std::string &where);

} // namespace stepcalc
