#pragma once

// The calculator: request text in, response text out, and the parts it is made of:
// parse_json_text (json_text.hpp) -> parse_request (request.hpp) -> evaluate
// (scenario.hpp) -> response_json (response.hpp); sweeps in sweep.hpp.

#include <string>
#include <string_view>

#include "stepcalc/batch.hpp"
#include "stepcalc/grid.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/request.hpp"
#include "stepcalc/response.hpp"
#include "stepcalc/scenario.hpp"
#include "stepcalc/sweep.hpp"

namespace stepcalc {

// The whole pipeline: what `stepcalc compute` prints (compact JSON).
std::string compute_response(std::string_view request_text);

} // namespace stepcalc
