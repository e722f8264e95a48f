#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stepcalc {

// Parses JSON text; invalid JSON, or JSON nested deeper than limits::kMaxJsonDepth,
// is an InputError at `where` with line and column.
nlohmann::json parse_json_text(std::string_view text, const std::string &where);

} // namespace stepcalc
