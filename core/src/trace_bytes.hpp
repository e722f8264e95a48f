#pragma once

// What the trace splitter's files (trace_splitter.cpp, trace_head.cpp) share.

#include <cstddef>
#include <cstdio>
#include <string>

namespace stepcalc::trace_bytes {

// A JSON Lines record, or the part of an experiment document before its steps, longer
// than this is refused rather than held in memory.
constexpr std::size_t kMaxRecordBytes = 64u << 20;

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A byte as an error names it: 'x' when printable, else "byte 0xef".
inline std::string describe_byte(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", static_cast<unsigned char>(c));
  return text;
}

} // namespace stepcalc::trace_bytes
