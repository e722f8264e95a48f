#pragma once

// The native CLI's quick reader for trace steps (simdjson's On-Demand parser, about ten
// times faster than building an nlohmann DOM per step). It only accepts what it is sure
// of: steps in the training format whose every field is valid. Anything else (a whole
// request, an unusual id, a bad value) gets nullopt, and read_trace_step then reads the
// step (or names its error) exactly as the module does.

#include <optional>
#include <string>

#include "stepcalc/trace.hpp"

namespace stepcalc {

class FastTraceReader {
public:
  FastTraceReader();
  ~FastTraceReader();
  FastTraceReader(const FastTraceReader &) = delete;
  FastTraceReader &operator=(const FastTraceReader &) = delete;

  // `text` may be modified (padding is appended for the parser).
  std::optional<TraceStep> read(std::string &text);

private:
  struct Parser;
  Parser *parser_;
};

} // namespace stepcalc
