#pragma once

#include <stdexcept>
#include <string>

namespace stepcalc {

// Bad user input, located by a JSON path such as "step.decode[3].context_length".
// what() is "<where>: <message>"; the CLI prints it after "error: ".
class InputError : public std::runtime_error {
public:
  InputError(std::string where, std::string message)
      : std::runtime_error(where + ": " + message), where_(std::move(where)),
        message_(std::move(message)) {}

  const std::string &where() const { return where_; }
  const std::string &message() const { return message_; }

private:
  std::string where_;
  std::string message_;
};

} // namespace stepcalc
