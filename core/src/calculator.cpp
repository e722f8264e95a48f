#include "stepcalc/calculator.hpp"

namespace stepcalc {

std::string compute_response(std::string_view request_text) {
  const Scenario scenario = parse_request(parse_json_text(request_text, "request"));
  return response_json(scenario, evaluate(scenario)).dump();
}

} // namespace stepcalc
