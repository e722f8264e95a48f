// calc.simulate's entry into the core, beside bindings.cpp:
//   simulateJson(request text) -> {ok: true, text} | {ok: false, where, what}
// `text` is exactly what `stepcalc simulate` prints, so the facade's JSON.parse of it
// stringifies to the CLI's text. Errors never cross as C++ exceptions.

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "stepcalc/input_error.hpp"
#include "stepcalc/simulate.hpp"

namespace {

using emscripten::val;

val failed(const std::string &where, const std::string &what) {
  val out = val::object();
  out.set("ok", false);
  out.set("where", where);
  out.set("what", what);
  return out;
}

val simulate_json(const std::string &request) {
  try {
    val out = val::object();
    out.set("ok", true);
    out.set("text", stepcalc::simulate_response(request));
    return out;
  } catch (const stepcalc::InputError &error) {
    return failed(error.where(), error.message());
  } catch (const std::exception &error) {
    return failed("internal", error.what());
  }
}

} // namespace

EMSCRIPTEN_BINDINGS(stepcalc_simulate) {
  emscripten::function("simulateJson", &simulate_json);
}
