#include "stepcalc/trace.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "json_fields.hpp"
#include "stepcalc/batch.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/request.hpp"
#include "stepcalc/trace_quick.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

namespace {

constexpr std::size_t kChunk = 1 << 20;
// A JSON Lines record, or the part of an experiment document before its steps, longer
// than this is refused rather than held in memory.
constexpr std::size_t kMaxRecordBytes = 64u << 20;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string describe_byte(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", static_cast<unsigned char>(c));
  return text;
}

} // namespace

// ---- cutting the file into steps ----------------------------------------------

TraceSplitter::TraceSplitter(Source source) : source_(std::move(source)), buffer_(kChunk) {}
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

std::string TraceSplitter::read_string_key() {
  const std::string text = read_value();
  if (text.size() < 2 || text.front() != '"') {
    throw InputError("trace", "expected a field name in the document, got " + text.substr(0, 40));
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
  if (peek_byte(c) && c == '\xef') { // UTF-8 byte-order mark
    pos_ += 3;
    column += 3;
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
    const std::string key_text = read_value();
    if (key_text.size() < 2 || key_text.front() != '"') {
      throw InputError("trace", "expected a field name in the document, got " + key_text.substr(0, 40));
    }
    // parse_json_text: a key with a control character is bad input, named as such.
    const std::string key = parse_json_text(key_text, "trace").get<std::string>();
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

// ---- reading one step -----------------------------------------------------------

namespace {

int64_t entry_integer(const json &entry, const char *key, const std::string &where) {
  const json *value = jf::find_member(entry, key);
  if (value != nullptr && value->is_number_integer()) {
    const auto v = value->get<int64_t>();
    if (v >= 1 && v <= limits::kMaxTokens) return v;
  }
  return jf::required_integer(value, jf::field_path(where, key), 1, limits::kMaxTokens);
}

const json &entry_list(const json &step, const char *key, const std::string &where) {
  static const json empty = json::array();
  const json *list = jf::find_member(step, key);
  if (list == nullptr) return empty;
  const std::string path = jf::field_path(where, key);
  if (!list->is_array()) throw InputError(path, "expected an array, got " + jf::describe(*list));
  check_row_count(list->size(), path);
  return *list;
}

void check_total(const json &step, const char *key, int64_t sum, const std::string &where,
                 const char *what) {
  const json *total = jf::find_member(step, key);
  if (total == nullptr) return;
  const int64_t given = jf::to_integer(*total, jf::field_path(where, key), 0, INT64_MAX);
  if (given != sum) {
    throw InputError(jf::field_path(where, key), "is " + std::to_string(given) + " but " + what +
                                                     " come to " + std::to_string(sum));
  }
}

} // namespace

TraceStep read_trace_step(const json &step, const std::string &where) {
  jf::require_object(step, where);
  TraceStep out;
  if (const json *id = jf::find_member(step, "step_id")) {
    if (!id->is_number() && !id->is_string()) {
      throw InputError(jf::field_path(where, "step_id"), "expected a number or a string, got " + jf::describe(*id));
    }
    out.step_id = id->dump();
    if (id->is_number()) out.numeric_id = id->get<double>();
  }
  if (const json *duration = jf::find_member(step, "duration_us")) {
    out.duration_us = jf::to_number(*duration, jf::field_path(where, "duration_us"), 0, 1e15);
  }
  if (jf::find_member(step, "model") != nullptr || jf::find_member(step, "step") != nullptr) {
    // A whole request in the calculator's own format.
    json request = step;
    request.erase("step_id");
    request.erase("duration_us");
    try {
      out.request = parse_request(request);
    } catch (const InputError &error) {
      throw InputError(jf::joined_path(where, error.where()), error.message());
    }
    out.prefill = out.request->step.prefill();
    out.decode = out.request->step.decode();
    return out;
  }
  // A misspelt list would otherwise read as an empty step, counted like any other.
  if (jf::find_member(step, "prefill_reqs") == nullptr && jf::find_member(step, "decode_reqs") == nullptr) {
    throw InputError(where, "expected prefill_reqs or decode_reqs (a step in the training format), "
                            "or model and step (a whole request)");
  }
  const json &prefill = entry_list(step, "prefill_reqs", where);
  int64_t prefill_tokens = 0;
  out.prefill.reserve(prefill.size());
  for (std::size_t i = 0; i < prefill.size(); ++i) {
    const std::string entry = jf::index_path(jf::field_path(where, "prefill_reqs"), i);
    jf::require_object(prefill[i], entry);
    const int64_t tokens = entry_integer(prefill[i], "tokens_this_step", entry);
    const int64_t prompt = entry_integer(prefill[i], "prompt_tokens", entry);
    if (tokens > prompt) {
      throw InputError(jf::field_path(entry, "tokens_this_step"),
                       std::to_string(tokens) + " exceeds prompt_tokens " + std::to_string(prompt));
    }
    out.prefill.push_back({tokens, prompt, 1});
    prefill_tokens += tokens;
  }
  const json &decode = entry_list(step, "decode_reqs", where);
  out.decode.reserve(decode.size());
  for (std::size_t i = 0; i < decode.size(); ++i) {
    const std::string entry = jf::index_path(jf::field_path(where, "decode_reqs"), i);
    jf::require_object(decode[i], entry);
    out.decode.push_back({entry_integer(decode[i], "context_length", entry), 1});
  }
  check_total(step, "total_prefill_tokens", prefill_tokens, where, "the prefill entries' tokens_this_step");
  check_total(step, "total_decode_tokens", static_cast<int64_t>(decode.size()), where, "the decode entries");
  check_total(step, "batch_size", static_cast<int64_t>(prefill.size() + decode.size()), where, "the prefill and decode entries");
  return out;
}

// ---- evaluating and summing up ---------------------------------------------------

std::string step_id_csv(const std::string &step_id) {
  if (step_id.empty() || step_id.front() != '"') return step_id;
  const std::string text = json::parse(step_id).get<std::string>();
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

TraceBaseScenario::TraceBaseScenario(json header, std::optional<int64_t> tp, std::string option)
    : header_(std::move(header)), tp_(tp), option_(std::move(option)) {}

const Scenario &TraceBaseScenario::get(const TraceSplitter &splitter, const std::string &where) {
  if (scenario_) return *scenario_;
  if (!header_.is_object() || !header_.contains("model") || !header_.contains("gpu")) {
    throw InputError(where, "a step in the training format needs " + option_);
  }
  int64_t tp = 1;
  if (tp_) {
    tp = *tp_;
  } else if (splitter.format() == TraceFormat::Experiment) {
    if (!splitter.tensor_parallelism()) {
      throw InputError("tensor_parallelism", "the document has none before its steps; pass --tp");
    }
    tp = *splitter.tensor_parallelism();
  }
  json header = header_;
  header["tp"] = tp;
  scenario_ = parse_request_header(header);
  return *scenario_;
}

namespace {

// A JSON Lines record's error, located within the record, given the record's line.
InputError in_line(const TraceText &text, const InputError &error) {
  const std::string line = "line " + std::to_string(text.line);
  const auto *syntax = dynamic_cast<const JsonTextError *>(&error);
  if (syntax != nullptr && syntax->line() == 1) {
    return InputError(line + ", column " + std::to_string(text.column - 1 + syntax->column()),
                      "invalid JSON: " + syntax->detail());
  }
  return InputError(error.where().empty() ? line : line + ", " + error.where(), error.message());
}

TraceStepRead read_step(TraceText &text, const TraceSplitter &splitter, TraceBaseScenario &base,
                        const std::string &where) {
  TraceStep step =
      text.step ? std::move(*text.step) : read_trace_step(parse_json_text(text.text, where), where);
  const Scenario &scenario = step.request ? *step.request : base.get(splitter, where);
  TraceStepRead read;
  read.result = evaluate_trace_step(scenario, Step(std::move(step.prefill), std::move(step.decode)));
  const bool lines = splitter.format() == TraceFormat::JsonLines;
  read.id = !step.step_id.empty() ? step.step_id : std::to_string(lines ? text.line : text.index);
  read.duration_us = step.duration_us;
  read.tp = scenario.tp;
  read.own_header = step.request.has_value();
  return read;
}

} // namespace

TraceStepRead read_trace_text(TraceText &text, const TraceSplitter &splitter, TraceBaseScenario &base) {
  if (splitter.format() != TraceFormat::JsonLines) {
    return read_step(text, splitter, base, "steps[" + std::to_string(text.index) + "]");
  }
  try {
    return read_step(text, splitter, base, ""); // located within the record, then its line
  } catch (const InputError &error) {
    throw in_line(text, error);
  }
}

TraceResult evaluate_trace_step(const Scenario &scenario, const Step &step) {
  TraceResult result;
  const StepWork work = step_work(step, scenario.arch, scenario.tp);
  result.basis = basis_values(step, scenario.arch, work, scenario.hardware);
  result.prediction = predict(result.basis, scenario.beta);
  return result;
}

void TraceSummary::add(const TraceStepRead &read) {
  const TraceResult &result = read.result;
  const std::optional<double> &duration_us = read.duration_us;
  const int64_t tp = read.tp;
  ++steps;
  if (read.own_header) ++request_steps;
  if (const auto at = std::lower_bound(tps.begin(), tps.end(), tp); at == tps.end() || *at != tp) {
    tps.insert(at, tp);
  }
  const double predicted = result.prediction.step_time_us;
  predicted_us += predicted;
  const auto &c = result.prediction.contributions_us;
  ++dominant[static_cast<std::size_t>(std::max_element(c.begin(), c.end()) - c.begin())];
  if (duration_us && *duration_us > 0) {
    const double error = predicted - *duration_us;
    ++timed;
    abs_pct_sum += std::fabs(error) / *duration_us * 100;
    sq_err_sum += error * error;
    abs_err_sum += std::fabs(error);
  }
}

nlohmann::ordered_json TraceSummary::to_json() const {
  nlohmann::ordered_json shares = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    shares[kTermNames[i]] = steps > 0 ? static_cast<double>(dominant[i]) / static_cast<double>(steps) : 0.0;
  }
  nlohmann::ordered_json out = {{"steps", steps},
                                {"skipped", skipped},
                                {"tp", tps.size() == 1 ? nlohmann::ordered_json(tps[0]) : nullptr},
                                {"tps", tps},
                                {"request_steps", request_steps},
                                {"total_predicted_us", predicted_us},
                                {"dominant_share", shares},
                                {"timed_steps", timed}};
  if (timed > 0) {
    const double n = static_cast<double>(timed);
    out["mape_pct"] = abs_pct_sum / n;
    out["rmse_us"] = std::sqrt(sq_err_sum / n);
    out["mae_us"] = abs_err_sum / n;
  }
  return out;
}

} // namespace stepcalc
