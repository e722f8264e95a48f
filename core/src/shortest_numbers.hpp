#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stepcalc {

// JSON text with each fractional number in plain notation rewritten as JavaScript's
// JSON.stringify writes its double. (nlohmann's Grisu2 digits round-trip but are not always
// the shortest or the closest: it writes 56383577.298892006 and 73598.99329771977 where
// JavaScript writes 56383577.29889201 and 73598.99329771978.) Only plain-notation
// numbers are rewritten; strings and everything else are copied as they are. The digits
// come from snprintf and strtod, which round correctly in glibc and in Emscripten's musl,
// so the text is the same natively and in WebAssembly.
std::string with_shortest_numbers(std::string_view json_text);

// Whole values below 2^53 as integers, so the text reads as JavaScript's JSON.stringify
// writes them ("1000", not "1000.0"); others as doubles (see with_shortest_numbers).
nlohmann::ordered_json js_number(double value);

} // namespace stepcalc
