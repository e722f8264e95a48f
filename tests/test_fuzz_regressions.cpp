// Every input the fuzzers ever flagged, replayed: each must end in a result
// whose invariants hold, or in an InputError. The file name's first word
// (compute-, config-, datasheet-, sweep-) names the entry point it feeds.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "entry_points.hpp"
#include "test_support.hpp"

using namespace stepcalc;

TEST_CASE("fuzz regressions end in a result or an InputError") {
  const std::map<std::string, std::string (*)(std::string_view)> entry_points = {
      {"compute", fuzz::run_compute},
      {"config", fuzz::run_config},
      {"datasheet", fuzz::run_datasheet},
      {"sweep", fuzz::run_sweep}};
  const std::filesystem::path folder = std::string(STEPCALC_TEST_DATA) + "/fuzz-regressions";
  int replayed = 0;
  for (const auto &entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    const auto run = entry_points.find(name.substr(0, name.find('-')));
    REQUIRE_MESSAGE(run != entry_points.end(), "the name must start with an entry point");
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string input{std::istreambuf_iterator<char>(file), {}};
    try {
      CHECK(run->second(input) == "");
    } catch (const InputError &) {
      // Bad input, answered as such.
    }
    ++replayed;
  }
  CHECK(replayed > 0);
}
