#pragma once

// What both WebAssembly modules' bindings share: the outcome of a call (a result or an
// error, never a C++ exception crossing to JS), typed-array copies of columns, and the
// leak-check counter. Each module binds its own entry points: bindings.cpp (the page's
// calculator) and worker_bindings.cpp (trace and fit, run in a worker).

#include <malloc.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "stepcalc/input_error.hpp"

namespace stepcalc_wasm {

struct Outcome {
  bool ok = false;
  std::string text;  // the result JSON when ok
  std::string where; // else the error's location ("step.decode[3].count")
  std::string what;  // and what is wrong there
};

// Runs `body`, which returns the text of a successful outcome, and turns any exception
// into a failed outcome (an exception escaping to JS would also leave the wasm stack
// pointer unrestored).
template <typename Body> Outcome guarded(Body &&body) {
  try {
    return {true, std::forward<Body>(body)(), "", ""};
  } catch (const stepcalc::InputError &error) {
    return {false, "", error.where(), error.message()};
  } catch (const std::exception &error) {
    return {false, "", "internal", error.what()};
  }
}

// {where, what} of a failed outcome, as the facade reads an object's last error.
inline emscripten::val error_value(const Outcome &outcome) {
  emscripten::val out = emscripten::val::object();
  out.set("where", outcome.where);
  out.set("what", outcome.what);
  return out;
}

// A copy of the column in a fresh Float64Array: views into the heap would go stale when
// memory grows.
inline emscripten::val to_float64_array(const std::vector<double> &column) {
  return emscripten::val::global("Float64Array")
      .new_(emscripten::typed_memory_view(column.size(), column.data()));
}

// Bytes malloc has handed out and not had back: what a leak check watches.
inline double heap_bytes_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

// The Outcome value object, bound once per module.
inline void bind_outcome() {
  emscripten::value_object<Outcome>("Outcome")
      .field("ok", &Outcome::ok)
      .field("text", &Outcome::text)
      .field("where", &Outcome::where)
      .field("what", &Outcome::what);
}

} // namespace stepcalc_wasm
