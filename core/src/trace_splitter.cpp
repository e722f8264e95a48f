// Cutting a trace into one text per step: the buffer and its source or pushed chunks,
// the string-aware scan of one JSON value, and the steps of JSON Lines or of a document's
// "steps" array. The file's start (mark, first object, format) is trace_head.cpp's job.

#include "stepcalc/trace.hpp"

#include <algorithm>
#include <cstring>

#include "stepcalc/input_error.hpp"
#include "stepcalc/trace_quick.hpp"
#include "trace_bytes.hpp"

namespace stepcalc {

using trace_bytes::describe_byte;
using trace_bytes::is_space;
using trace_bytes::kMaxRecordBytes;

TraceSplitter::TraceSplitter(Source source, std::size_t first_read)
    : source_(std::move(source)), buffer_(std::max<std::size_t>(first_read, 1)) {}
TraceSplitter::TraceSplitter() = default; // push mode: the buffer grows as chunks are fed

// Push mode: the chunk goes straight after what is left of the buffer (feed() comes
// between polls, so everything before pos_ is done with).
void TraceSplitter::feed(std::string_view chunk) {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  buffer_.resize(end_); // then appended to without zero-filling first
  buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
  end_ = buffer_.size();
}

void TraceSplitter::end_input() {
  input_ended_ = true;
}

bool TraceSplitter::fill() {
  if (!source_) { // push mode: everything fed is in the buffer already
    if (input_ended_) return false;
    throw NeedMore{};
  }
  const std::size_t keep_from = hold_ ? std::min(*hold_, pos_) : pos_;
  if (keep_from > 0) {
    std::memmove(buffer_.data(), buffer_.data() + keep_from, end_ - keep_from);
    end_ -= keep_from;
    pos_ -= keep_from;
    if (hold_) *hold_ -= keep_from;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const std::size_t got = source_(buffer_.data() + end_, buffer_.size() - end_);
  end_ += got;
  return got > 0;
}

TraceSplitter::Poll TraceSplitter::poll(TraceText &out) {
  if (source_) return next_step(out) ? Poll::Step : Poll::End;
  // Push mode: a step cut by the end of what has arrived is read again from its start
  // once more has come.
  const std::size_t start = pos_;
  const int64_t line = line_, index = index_;
  const bool started = started_;
  const TraceFormat format = format_;
  const auto tensor_parallelism = tensor_parallelism_;
  const auto first_line = first_line_;
  try {
    return next_step(out) ? Poll::Step : Poll::End;
  } catch (const NeedMore &) {
    pos_ = start;
    line_ = line, index_ = index, started_ = started, format_ = format;
    tensor_parallelism_ = tensor_parallelism;
    first_line_ = first_line;
    return Poll::NeedMore;
  }
}

bool TraceSplitter::peek_byte(char &c) {
  if (pos_ == end_ && !fill()) return false;
  c = buffer_[pos_];
  return true;
}

bool TraceSplitter::have_bytes(std::size_t count) {
  while (end_ - pos_ < count)
    if (!fill()) return false;
  return true;
}

void TraceSplitter::skip_space(int64_t *column) {
  char c;
  while (peek_byte(c) && is_space(c)) {
    if (c == '\n') ++line_;
    if (column) *column = c == '\n' ? 1 : *column + 1;
    ++pos_;
  }
}

// Consumes one JSON value, handing each consumed run of bytes to keep(data, size).
// Strings are scanned with their escapes, so brackets inside them do not count; the
// scan jumps from quote to quote with memchr, since most of a trace's bytes are strings.
template <typename Sink> void TraceSplitter::scan_value(Sink &&keep) {
  char c;
  if (!peek_byte(c)) throw InputError("trace", "the file ends where a value was expected");
  int depth = 0;
  bool in_string = false, escape = false;
  const bool scalar = !(c == '{' || c == '[' || c == '"');
  for (;;) {
    if (pos_ == end_ && !fill()) {
      if (scalar) return;
      throw TraceCutOff("trace", "the file ends inside a step (cut off mid-step?)");
    }
    const std::size_t run_start = pos_;
    bool finished = false;
    while (pos_ < end_ && !finished) {
      if (in_string) {
        if (escape) { // the byte after a backslash that ended the last chunk
          escape = false;
          ++pos_;
          continue;
        }
        const char *from = buffer_.data() + pos_;
        const auto *quote = static_cast<const char *>(std::memchr(from, '"', end_ - pos_));
        const char *stop = quote ? quote : buffer_.data() + end_;
        std::size_t backslashes = 0;
        while (stop - backslashes > from && stop[-1 - static_cast<std::ptrdiff_t>(backslashes)] == '\\') {
          ++backslashes;
        }
        if (quote == nullptr) {
          escape = backslashes % 2 == 1;
          pos_ = end_;
        } else {
          pos_ = static_cast<std::size_t>(quote - buffer_.data()) + 1;
          if (backslashes % 2 == 0) {
            in_string = false;
            finished = depth == 0;
          }
        }
        continue;
      }
      const char b = buffer_[pos_];
      if (scalar) {
        if (b == ',' || b == ']' || b == '}' || is_space(b)) {
          finished = true;
          break;
        }
        ++pos_;
        continue;
      }
      ++pos_;
      if (b == '"') {
        in_string = true;
      } else if (b == '{' || b == '[') {
        ++depth;
      } else if (b == '}' || b == ']') {
        finished = --depth == 0;
      } else if (b == '\n') {
        ++line_;
      }
    }
    keep(buffer_.data() + run_start, pos_ - run_start);
    if (finished) return;
  }
}

std::string TraceSplitter::read_value() {
  std::string text;
  scan_value([&](const char *data, std::size_t size) {
    if (text.size() + size > kMaxRecordBytes) {
      throw InputError("trace", "a step is larger than 64 MB; is this a trace?");
    }
    text.append(data, size);
  });
  return text;
}

void TraceSplitter::skip_value() {
  scan_value([](const char *, std::size_t) {});
}

bool TraceSplitter::next_step(TraceText &out) {
  if (!cut_step(out)) return false;
  if (read_steps_ && !out.step) out.step = read_trace_step_quick(out.text);
  return true;
}

// The quick reader on the step at pos_, in the buffer: the text up to `line_end` (a JSON
// Lines record's newline), or else the object that starts at pos_.
bool TraceSplitter::read_in_place(TraceText &out, const char *line_end) {
  const char *from = buffer_.data() + pos_;
  std::size_t length = 0;
  std::optional<TraceStep> step =
      line_end ? read_trace_step_quick({from, static_cast<std::size_t>(line_end - from)})
               : read_trace_step_quick({from, end_ - pos_}, &length);
  if (!step) return false;
  if (line_end) length = static_cast<std::size_t>(line_end - from) + 1; // with the newline
  if (length > kMaxRecordBytes) return false; // the usual way names it
  out.text.clear();
  out.line = line_end ? line_++ : 0;
  out.index = index_++;
  out.step = std::move(step);
  pos_ += length;
  return true;
}

bool TraceSplitter::cut_step(TraceText &out) {
  if (!started_) start();
  if (done_) return false;
  char c;
  if (format_ == TraceFormat::JsonLines) {
    if (first_line_) {
      out = {std::move(*first_line_), first_record_line_, index_++, std::nullopt, first_record_column_};
      first_line_.reset();
      return true;
    }
    // One record per line: cut at newlines, so a broken record cannot swallow the next.
    for (;;) {
      if (read_steps_ && pos_ < end_ && buffer_[pos_] == '{') {
        const auto *newline =
            static_cast<const char *>(std::memchr(buffer_.data() + pos_, '\n', end_ - pos_));
        if (newline != nullptr && read_in_place(out, newline)) return true;
      }
      std::string text;
      bool any = false;
      while (peek_byte(c) && c != '\n') {
        const char *start = buffer_.data() + pos_;
        const void *newline = std::memchr(start, '\n', end_ - pos_);
        const std::size_t n = newline ? static_cast<const char *>(newline) - start : end_ - pos_;
        if (text.size() + n > kMaxRecordBytes) {
          throw InputError("line " + std::to_string(line_), "a line is longer than 64 MB");
        }
        text.append(start, n);
        pos_ += n;
        any = true;
      }
      const int64_t line = line_;
      const bool at_end = !peek_byte(c);
      if (!at_end) {
        ++pos_;
        ++line_;
      }
      if (any && !std::all_of(text.begin(), text.end(), is_space)) {
        // The first record starts where the first object did (after a BOM or spaces).
        const int64_t column = index_ == 0 ? first_record_column_ : 1;
        out = {std::move(text), line, index_++, std::nullopt, column};
        return true;
      }
      if (at_end) {
        done_ = true;
        return false;
      }
    }
  }
  // An experiment document: the next element of "steps".
  skip_space();
  if (!peek_byte(c)) throw InputError("trace", "the file ends inside steps (cut off mid-step?)");
  if (c == ']') {
    ++pos_;
    // The rest of the document: its other fields are not needed.
    for (;;) {
      skip_space();
      if (!peek_byte(c)) throw InputError("trace", "the file ends inside the document");
      ++pos_;
      if (c == '}') break;
      if (c != ',') throw InputError("trace", "expected , or } after steps, got " + describe_byte(c));
      skip_space();
      read_string_key();
      skip_space();
      if (!peek_byte(c) || c != ':') throw InputError("trace", "expected : in the document");
      ++pos_;
      skip_space();
      skip_value();
    }
    skip_space();
    if (peek_byte(c)) throw InputError("trace", "text after the document's end");
    done_ = true;
    return false;
  }
  if (index_ > 0) {
    if (c != ',') throw InputError("steps[" + std::to_string(index_) + "]", "expected , between steps, got " + describe_byte(c));
    ++pos_;
    skip_space();
  }
  if (read_steps_ && pos_ < end_ && buffer_[pos_] == '{' && read_in_place(out, nullptr)) return true;
  try {
    out = {read_value(), 0, index_, std::nullopt};
  } catch (const TraceCutOff &) {
    done_ = true; // the steps before it stand
    throw TraceCutOff("steps[" + std::to_string(index_) + "]", "the file ends inside this step (cut off mid-step?)");
  }
  ++index_;
  return true;
}

} // namespace stepcalc
