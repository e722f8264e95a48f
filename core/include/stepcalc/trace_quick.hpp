#pragma once

// The quick reader for trace steps: a single pass over a step's text, portable C++ (the
// WASM module and the native CLI use it alike), about ten times faster than building an
// nlohmann DOM per step. It only accepts what it is sure of: a step in the training format
// whose text is plain JSON (ASCII strings without escapes, no duplicate key, little
// nesting) and whose every field is valid. Anything else (a whole request, an escape, a
// bad value, invalid JSON) gets nullopt, and read_trace_step then reads the step (or
// names its error) exactly as before. Numbers are read as nlohmann reads them: integers
// exactly, anything with a fraction or an exponent through std::strtod.

#include <optional>
#include <string_view>

#include "stepcalc/trace.hpp"

namespace stepcalc {

// `text` is one step's text (whitespace around it allowed). With `length`, it is where a
// step starts ('{' first) and may go on after it: the step's length goes to *length.
std::optional<TraceStep> read_trace_step_quick(std::string_view text,
                                               std::size_t *length = nullptr);

} // namespace stepcalc
