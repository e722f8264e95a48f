#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stepcalc {

// A place where the core's reading differs from the seed's, or where the
// formula cannot see something the model does. Never an error.
struct Note {
  std::string code;                 // stable, machine-readable
  std::string message;              // one human sentence
  std::vector<std::string> affects; // response fields (basis terms, "memory") it concerns
  bool operator==(const Note &) const = default;
};

using Notes = std::vector<Note>;

// [{"code", "message", "affects"}, ...]
nlohmann::ordered_json notes_to_json(const Notes &notes);

} // namespace stepcalc
