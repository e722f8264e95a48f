// The trace reader's look-aheads: every place that reads more than the next byte must find
// those bytes in the file, read whole or pushed in pieces, and otherwise name the byte
// that is there (issue 18: a lone 0xEF was read as a three-byte mark).

#include <string>
#include <string_view>
#include <vector>

#include "stepcalc/input_error.hpp"
#include "stepcalc/trace.hpp"
#include "entry_points.hpp"
#include "test_support.hpp"

using namespace stepcalc;

namespace {

// The steps' texts, or "error: ..." last: read whole from a source.
std::vector<std::string> cut_whole(std::string_view file) {
  TraceSplitter splitter(fuzz::read_text(file));
  std::vector<std::string> out;
  try {
    TraceText text;
    while (splitter.next(text))
      out.push_back(text.text);
  } catch (const InputError &error) {
    out.push_back(std::string("error: ") + error.what());
  }
  return out;
}

// The same, pushed in pieces of `piece` bytes as the WASM module is fed.
std::vector<std::string> cut_pushed(std::string_view file, std::size_t piece) {
  TraceSplitter splitter;
  std::vector<std::string> out;
  std::size_t fed = 0;
  try {
    TraceText text;
    for (;;) {
      const auto poll = splitter.poll(text);
      if (poll == TraceSplitter::Poll::Step) {
        out.push_back(text.text);
      } else if (poll == TraceSplitter::Poll::End) {
        break;
      } else if (fed < file.size()) {
        splitter.feed(file.substr(fed, piece));
        fed += piece;
      } else {
        splitter.end_input();
      }
    }
  } catch (const InputError &error) {
    out.push_back(std::string("error: ") + error.what());
  }
  return out;
}

// What `file` cuts into, checked to be the same read whole and pushed 1 to 4 bytes at a
// time (so a mark is split between pieces at every place).
std::vector<std::string> cut(std::string_view file) {
  const auto whole = cut_whole(file);
  for (std::size_t piece = 1; piece <= 4; ++piece) {
    CAPTURE(piece);
    CHECK(cut_pushed(file, piece) == whole);
  }
  return whole;
}

const std::string kNotAnObject =
    "error: trace: expected a JSON object (an experiment document or JSON Lines), got ";

} // namespace

TEST_CASE("a byte-order mark is skipped only when all three of its bytes are there") {
  using Texts = std::vector<std::string>;
  // Every prefix of the mark alone: the first byte is named, as it is in the file.
  CHECK(cut("\xef") == Texts{kNotAnObject + "byte 0xef"});
  CHECK(cut("\xef\xbb") == Texts{kNotAnObject + "byte 0xef"});
  CHECK(cut("\xef\xbb\xbf") ==
        Texts{"error: trace: the file is empty; expected an experiment document or JSON Lines"});
  CHECK(cut("  \xef") == Texts{kNotAnObject + "byte 0xef"});
  // 0xEF and two other bytes are not a mark: nothing is lost silently.
  CHECK(cut("\xef\xbb{\"step_id\": 1}\n") == Texts{kNotAnObject + "byte 0xef"});
  CHECK(cut("\xef{}\n") == Texts{kNotAnObject + "byte 0xef"});
  CHECK(cut("\xef\xbf\xbb{\"steps\": []}") == Texts{kNotAnObject + "byte 0xef"});
  // The whole mark, before a document or JSON Lines, read whole or split between pieces.
  CHECK(cut("\xef\xbb\xbf{\"steps\": [{\"step_id\": 1}]}") == Texts{"{\"step_id\": 1}"});
  CHECK(cut("\xef\xbb\xbf {\"step_id\": 1}\n{\"step_id\": 2}") ==
        Texts{"{\"step_id\": 1}", "{\"step_id\": 2}"});
}

TEST_CASE("where a document's field name should be, the byte that stands there is named") {
  using Texts = std::vector<std::string>;
  // A delimiter where a name should be gave no text at all ("got " and nothing).
  CHECK(cut("{\n \"experiment\": \"x\",\n ,\"steps\": []}") ==
        Texts{"error: trace: expected a field name in the document, got ','"});
  CHECK(cut("{\n \"experiment\": \"x\",\n }") ==
        Texts{"error: trace: expected a field name in the document, got '}'"});
  CHECK(cut("{\"steps\": [], ]") == Texts{"error: trace: expected a field name in the document, got ']'"});
  // A name cut off by the end of the file says so.
  CHECK(cut("{\"steps\": [], ") == Texts{"error: trace: the file ends where a value was expected"});
}
