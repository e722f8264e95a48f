#include "stepcalc/note.hpp"

namespace stepcalc {

nlohmann::ordered_json notes_to_json(const Notes &notes) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto &note : notes) {
    list.push_back({{"code", note.code}, {"message", note.message}, {"affects", note.affects}});
  }
  return list;
}

} // namespace stepcalc
