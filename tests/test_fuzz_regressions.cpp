// Every input the fuzzers ever flagged, and every seed of their committed corpus, replayed
// through the fuzz targets' entry points: each must end in a result whose invariants hold,
// or in an InputError. A regression's file name's first word (compute-, config-,
// datasheet-, sweep-, trace-, trace_step-) names the entry point it feeds; a corpus file's
// folder (fuzz/corpus/fuzz_<name>/) does. Both run in every build of the tests, the
// sanitizer build included, so a seed that reaches a bug fails the test run without fuzzing.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "entry_points.hpp"
#include "test_support.hpp"

using namespace stepcalc;

namespace {

std::string read_bytes(const std::filesystem::path &path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

// How one input ends: "" for a result whose invariants hold or an InputError,
// otherwise what went wrong.
std::string outcome(const std::string &entry_point, const std::string &input) {
  const auto run = fuzz::entry_points().find(entry_point);
  if (run == fuzz::entry_points().end()) return "no entry point \"" + entry_point + "\"";
  try {
    return run->second(input);
  } catch (const InputError &) {
    return ""; // bad input, answered as such
  } catch (const std::exception &error) {
    return std::string("an exception other than InputError: ") + error.what();
  }
}

} // namespace

TEST_CASE("fuzz regressions end in a result or an InputError") {
  const std::filesystem::path folder = std::string(STEPCALC_TEST_DATA) + "/fuzz-regressions";
  int replayed = 0;
  for (const auto &entry : std::filesystem::directory_iterator(folder)) {
    std::string name = entry.path().filename().string();
    CAPTURE(name);
    const std::string input = read_bytes(entry.path());
    // "open-" marks a finding whose fix lies outside the files this suite's
    // authors may change; it must still fail, and is renamed once fixed.
    if (name.rfind("open-", 0) == 0) {
      name = name.substr(5);
      CHECK_MESSAGE(outcome(name.substr(0, name.find('-')), input) != "",
                    "an open finding is fixed: drop the open- prefix and its line in "
                    "fuzz/open-findings");
    } else {
      CHECK(outcome(name.substr(0, name.find('-')), input) == "");
    }
    ++replayed;
  }
  CHECK(replayed > 0);
}

TEST_CASE("every seed of the committed fuzz corpus ends in a result or an InputError") {
  const std::filesystem::path corpus = std::string(STEPCALC_FUZZ_CORPUS);
  for (const auto &named : fuzz::entry_points()) {
    const std::string &name = named.first;
    CAPTURE(name);
    const std::filesystem::path folder = corpus / ("fuzz_" + name);
    REQUIRE(std::filesystem::is_directory(folder));
    int replayed = 0;
    for (const auto &entry : std::filesystem::directory_iterator(folder)) {
      const std::string seed = entry.path().filename().string();
      CAPTURE(seed);
      CHECK(outcome(name, read_bytes(entry.path())) == "");
      ++replayed;
    }
    CHECK(replayed > 0); // each target has seeds of its own
  }
}
