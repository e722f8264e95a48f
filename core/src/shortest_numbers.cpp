#include "shortest_numbers.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace stepcalc {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int significant_digits(std::string_view number) {
  int digits = 0;
  bool leading = true;
  for (const char c : number) {
    if (c == 'e' || c == 'E') break;
    if (!is_digit(c)) continue;
    leading = leading && c == '0';
    if (!leading) ++digits;
  }
  return digits;
}

// "d.ddde±x" (snprintf's %.*e) in plain notation, trailing zeros of the fraction dropped.
std::string plain_notation(const char *scientific) {
  std::string text;
  const char *p = scientific;
  if (*p == '-') text.push_back(*p++);
  std::string digits;
  for (; *p != 'e'; ++p) {
    if (is_digit(*p)) digits.push_back(*p);
  }
  const int exponent = std::atoi(p + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exponent < 0) {
    return text.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
  }
  const auto point = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= point) return text.append(digits).append(point - digits.size(), '0');
  return text.append(digits, 0, point).append(".").append(digits, point);
}

// The number token as JavaScript writes its double: the fewest significant digits that
// read back as it, and of those the closest (a correctly rounded %.*e). nlohmann's Grisu2
// digits read back too, but are now and then one digit longer or not the closest.
std::string shortest(std::string_view token) {
  if (token.find('.') == std::string_view::npos ||
      token.find_first_of("eE") != std::string_view::npos) {
    return std::string(token);
  }
  const std::string text(token);
  const double value = std::strtod(text.c_str(), nullptr);
  char best[40], candidate[40];
  const int digits = significant_digits(token);
  std::snprintf(best, sizeof best, "%.*e", digits - 1, value);
  if (std::strtod(best, nullptr) != value) return text; // cannot happen for Grisu2's digits
  for (int fewer = digits - 1; fewer >= 1; --fewer) {
    std::snprintf(candidate, sizeof candidate, "%.*e", fewer - 1, value);
    if (std::strtod(candidate, nullptr) != value) break;
    std::memcpy(best, candidate, sizeof best);
  }
  return plain_notation(best);
}

} // namespace

std::string with_shortest_numbers(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size());
  std::size_t i = 0;
  const std::size_t n = json_text.size();
  while (i < n) {
    const char c = json_text[i];
    std::size_t end = i + 1;
    if (c == '"') { // a string, escapes included, copied whole
      while (end < n && json_text[end] != '"') end += json_text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, n);
      out.append(json_text, i, end - i);
    } else if (c == '-' || is_digit(c)) {
      while (end < n && std::strchr("0123456789+-.eE", json_text[end]) != nullptr) ++end;
      out += shortest(json_text.substr(i, end - i));
    } else {
      out.push_back(c);
    }
    i = end;
  }
  return out;
}

nlohmann::ordered_json js_number(double value) {
  constexpr double kTwoTo53 = 9007199254740992.0;
  if (value == std::floor(value) && std::fabs(value) < kTwoTo53) {
    return static_cast<int64_t>(value);
  }
  return value;
}

} // namespace stepcalc
