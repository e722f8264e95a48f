#pragma once

// The rules every batch row obeys, whichever way it arrives (JSON rows, packed numbers,
// a sweep), and batches from packed numbers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stepcalc/step.hpp"

namespace stepcalc {

// Throws InputError at `where` when a list holds more than limits::kMaxRows rows.
void check_row_count(std::size_t rows, std::string_view where);

// A chunk may not compute more tokens than its prompt has: InputError naming the row.
PrefillChunk checked_prefill_chunk(int64_t tokens_this_step, int64_t prompt_tokens, int64_t count,
                                   std::size_t index);

// A number as JavaScript writes it (JSON.stringify): integral values below 1e21 as digits,
// others in shortest round-trip form, NaN and the infinities by name.
std::string js_number_text(double value);

// `value` as an integer from 1 to max; otherwise InputError at `where`.
int64_t packed_integer(double value, const std::string &where, int64_t max);

// The batch from numbers: prefill as (tokens_this_step, prompt_tokens, count) triples,
// decode as (context_length, count) pairs. Errors name the row and field as the JSON
// "step" would ("step.decode[3].count").
Step step_from_packed(std::span<const double> prefill, std::span<const double> decode);

// The same into an existing step, reusing its memory. On an error the step is empty.
void assign_packed(Step &step, std::span<const double> prefill, std::span<const double> decode);

} // namespace stepcalc
