// The trace reader's look-aheads: every place that reads more than the next byte must find
// those bytes in the file, read whole or pushed in pieces, and otherwise name the byte
// that is there (issue 18: a lone 0xEF was read as a three-byte mark).

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stepcalc/input_error.hpp"
#include "stepcalc/trace.hpp"
#include "stepcalc/trace_quick.hpp"
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

// Every prefix of `text`, twice: as a view into the whole text, so that a look-ahead past
// its end finds the real next bytes and the reader takes more than it was given (which the
// fuzz invariants catch in any build); and copied alone into a buffer of its exact size,
// so that the sanitizer build reports any byte read past it.
template <typename Check> void each_prefix(const std::string &text, Check &&check) {
  for (std::size_t size = 0; size <= text.size(); ++size) {
    CAPTURE(size);
    check(std::string_view(text).substr(0, size));
    const std::unique_ptr<char[]> alone(new char[size]);
    std::copy_n(text.data(), size, alone.get());
    check(std::string_view(alone.get(), size));
  }
}

// Files cut short at every byte: wherever a reader looks ahead (the mark, a string's
// escapes and \u sequences, numbers' fraction and exponent, true/false/null, the
// document's head keys, a JSON Lines newline), the end of the input must be seen, read
// whole or pushed in pieces, and the fuzz targets' invariants must hold.
TEST_CASE("a trace cut short at any byte reads alike whole and in pieces, and stays in its bytes") {
  const std::string document =
      "\xef\xbb\xbf{\"experiment\": \"e\\\"\\\\\\u00e9\", \"ok\": true, \"none\": null, \"off\": false,"
      " \"rate\": -1.5e-3, \"tensor_parallelism\": 2, \"steps\": [\n"
      " {\"step_id\": 1, \"decode_reqs\": [{\"context_length\": 12}], \"duration_us\": 2.5E+2},\n"
      " {\"step_id\": \"\\ud83d\\ude00\", \"prefill_reqs\": [{\"tokens_this_step\": 3, \"prompt_tokens\": 4}]}\n"
      "], \"after\": [true, null, false, 0.5e1]}\n";
  const std::string lines =
      "\xef\xbb\xbf {\"step_id\": 1, \"decode_reqs\": [{\"context_length\": 9}], \"x\": true}\r\n"
      "{\"step_id\": 2, \"prefill_reqs\": [{\"tokens_this_step\": 1, \"prompt_tokens\": 1}], \"n\": 1e+2}\n"
      "{\"decode_reqs\": [{\"context_length\": 9}], \"n\": null}";
  for (const std::string &file : {document, lines}) {
    each_prefix(file, [](std::string_view prefix) {
      cut(prefix);
      std::string broken;
      try {
        broken = fuzz::run_trace(prefix);
      } catch (const InputError &) {
      }
      CHECK(broken == "");
    });
  }
}

TEST_CASE("a step cut short at any byte is the quick reader's only when the exact reader agrees") {
  // Each look-ahead of the quick reader just before the step's closing brace.
  const std::string decode = "{\"decode_reqs\": [{\"context_length\": 12, \"r\": \"ab\"}]";
  for (const std::string last : {"true", "false", "null", "-0.5e-2", "1.5E+3", "12", "\"xy\"",
                                 "[1, {\"a\": 0.25}]"}) {
    CAPTURE(last);
    const std::string step = decode + ", \"last\": " + last + "}";
    REQUIRE(read_trace_step_quick(step).has_value()); // the whole step is the quick reader's
    each_prefix(step, [](std::string_view prefix) { CHECK(fuzz::run_trace_step(prefix) == ""); });
  }
}
