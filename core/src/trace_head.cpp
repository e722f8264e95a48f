// The start of a trace: a byte-order mark, then the first object, which says the format.
// An object with a "steps" array at its top level is an experiment document (its head's
// tensor_parallelism kept); any other object is the first record of JSON Lines.

#include "stepcalc/trace.hpp"

#include <string_view>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/limits.hpp"
#include "trace_bytes.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;
using trace_bytes::describe_byte;
using trace_bytes::kMaxRecordBytes;

namespace {
// UTF-8's byte-order mark, which some editors write at the start of a file.
constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";
} // namespace

// All three bytes of the mark, or none skipped: a file that starts with 0xEF and is not
// a mark is an error naming that byte. (Push mode: a mark split between chunks waits for
// the rest, through fill()'s NeedMore.)
bool TraceSplitter::at_byte_order_mark() {
  char c;
  if (!peek_byte(c) || c != kByteOrderMark[0] || !have_bytes(kByteOrderMark.size())) return false;
  return std::string_view(buffer_.data() + pos_, kByteOrderMark.size()) == kByteOrderMark;
}

// A field name at the document's top level. parse_json_text: a key with a control
// character is bad input, named as such.
std::string TraceSplitter::read_string_key() {
  char next = 0;
  peek_byte(next); // at the end, read_value() says so
  const std::string text = read_value();
  if (text.size() < 2 || text.front() != '"') {
    // No text at all when a delimiter stands where the name should: name that byte.
    throw InputError("trace", "expected a field name in the document, got " +
                                  (text.empty() ? describe_byte(next) : text.substr(0, 40)));
  }
  return parse_json_text(text, "trace").get<std::string>();
}

// Reads the start of the file: a BOM, then the first object. An object with a "steps"
// array at its top level is an experiment document, streamed from that array; any other
// object is the first record of JSON Lines.
void TraceSplitter::start() {
  started_ = true;
  int64_t column = 1; // of the first object, for a JSON Lines record's errors
  skip_space(&column);
  char c;
  if (at_byte_order_mark()) {
    pos_ += kByteOrderMark.size();
    column += static_cast<int64_t>(kByteOrderMark.size());
    skip_space(&column);
  }
  if (!peek_byte(c)) {
    throw InputError("trace", "the file is empty; expected an experiment document or JSON Lines");
  }
  if (c != '{') {
    throw InputError("trace", "expected a JSON object (an experiment document or JSON Lines), "
                              "got " + describe_byte(c));
  }
  // The first object, kept while it could still be a JSON Lines record.
  const int64_t first_line = line_;
  first_record_line_ = first_line;
  first_record_column_ = column;
  hold_ = pos_;
  struct Release {
    std::optional<std::size_t> &hold;
    ~Release() { hold.reset(); }
  } release{hold_};
  try {
    read_first_object(first_line);
  } catch (const InputError &error) {
    // Not valid JSON before the end of its first line: a JSON Lines file whose first line
    // is bad, which the JSONL reader then names (and --skip-bad skips) like any other.
    // Past line 1 the file was a document, and the error is the document's; so is an
    // error in a value it read (a bad tensor_parallelism), which is not about syntax.
    if (line_ != first_line || error.where() != "trace") {
      // A cut inside the document's head is not a step to skip.
      if (dynamic_cast<const TraceCutOff *>(&error)) throw InputError("trace", "the file ends inside its first object");
      throw;
    }
    pos_ = *hold_;
    format_ = TraceFormat::JsonLines;
    tensor_parallelism_.reset();
    first_line_.reset();
  }
}

void TraceSplitter::read_first_object(int64_t first_line) {
  char c;
  ++pos_;
  bool first_field = true;
  for (;;) {
    skip_space();
    if (!peek_byte(c)) throw InputError("trace", "the file ends inside its first object");
    if (c == '}') {
      ++pos_;
      format_ = TraceFormat::JsonLines;
      if (line_ != first_line) {
        throw InputError("line " + std::to_string(first_line),
                         "a JSON Lines record must be one line (a document without a \"steps\" "
                         "array is read as JSON Lines)");
      }
      first_line_ = std::string(buffer_.data() + *hold_, pos_ - *hold_); // as it is in the file
      return;
    }
    if (!first_field) {
      if (c != ',') throw InputError("trace", "expected , or } in the document, got " + describe_byte(c));
      ++pos_;
      skip_space();
    }
    first_field = false;
    const std::string key = read_string_key();
    skip_space();
    if (!peek_byte(c) || c != ':') throw InputError("trace", "expected : after \"" + key + "\"");
    ++pos_;
    skip_space();
    if (key == "steps" && peek_byte(c) && c == '[') {
      ++pos_;
      format_ = TraceFormat::Experiment;
      return;
    }
    const std::string value = read_value();
    if (key == "tensor_parallelism") {
      const json tp = json::parse(value, nullptr, false);
      if (!tp.is_discarded()) tensor_parallelism_ = jf::to_integer(tp, "tensor_parallelism", 1, limits::kMaxTp);
    }
    if (pos_ - *hold_ > kMaxRecordBytes) {
      throw InputError("trace", "more than 64 MB before the document's steps");
    }
  }
}

} // namespace stepcalc
