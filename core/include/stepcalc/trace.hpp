#pragma once

// Trace mode: every step of a recorded run through the model (the seed's
// compute_experiment_basis). A trace is an experiment document in the training
// pipeline's reconstruct format ({"tensor_parallelism", ..., "steps": [...]}) or JSON
// Lines (one step, or one whole request, per line). It is read in chunks and cut into one
// text per step, so memory stays bounded by the largest step, whatever the file's size.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/input_error.hpp"
#include "stepcalc/prediction.hpp"
#include "stepcalc/scenario.hpp"

namespace stepcalc {

enum class TraceFormat { Unknown, Experiment, JsonLines };

// The file ended inside a step of a document ("steps[12]: the file ends inside this step"):
// the steps before it stand, and with skip_bad it is counted as a skipped step.
class TraceCutOff : public InputError {
public:
  using InputError::InputError;
};

// A step in the training pipeline's field names, or a whole request (JSON Lines only).
struct TraceStep {
  std::string step_id; // as written in the file (a number or a string), or the line/index
  std::optional<double> numeric_id; // the step_id when it is a number
  std::optional<Scenario> request; // a whole request line: its own model, GPU, TP and β
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;
  std::optional<double> duration_us;
};

// One step's text and where it is in the file.
struct TraceText {
  std::string text;
  int64_t line = 0;  // JSON Lines: the line number (1-based)
  int64_t index = 0; // the step's position in the file (0-based)
  // The step, when the splitter reads steps (read_steps()) and the quick reader
  // (trace_quick.hpp) took it; `text` is then left empty when it was read in place.
  std::optional<TraceStep> step;
  int64_t column = 1; // JSON Lines: the column of the text's first byte in its line
};

// Cuts a trace into one text per step: a string-aware scan of brackets, no parsing; with
// read_steps(), the quick reader reads each step it can as it is cut, in place.
// Pulls from a source (the CLI's file), or takes chunks pushed as they arrive (the WASM
// module, which gets a file in pieces): poll() then says when it needs the next chunk.
class TraceSplitter {
public:
  // Reads up to `size` bytes into `data`; 0 at the end of the input. (A function, not a
  // std::istream, so the WASM module does not carry iostreams.)
  using Source = std::function<std::size_t(char *data, std::size_t size)>;
  // The CLI reads 1 MiB at a time; `first_read` smaller (at least 1 byte) puts chunk
  // boundaries inside small files, which is how the tests and fuzz_trace reach them. The
  // buffer doubles while a step does not fit.
  static constexpr std::size_t kFirstRead = 1 << 20;
  explicit TraceSplitter(Source source, std::size_t first_read = kFirstRead);
  TraceSplitter(); // push mode: feed() chunks, then end_input()

  void feed(std::string_view chunk);
  void end_input();

  enum class Poll { Step, End, NeedMore };
  // The next step's text, the end of the trace, or (push mode) a request for more input;
  // a step cut by a chunk boundary is read whole once the rest has arrived. Throws
  // InputError when the file cannot be cut (not JSON objects, or cut off mid-step).
  Poll poll(TraceText &out);
  // Stream mode: the next step's text; false at the end.
  bool next(TraceText &out) { return poll(out) == Poll::Step; }

  // Each step the quick reader takes is read as the file is cut, most of them in place in
  // the buffer (no copy, one pass): TraceText::step. The rest come as text only.
  void read_steps() { read_steps_ = true; }

  TraceFormat format() const { return format_; }
  // The experiment document's tensor_parallelism, when it came before its steps.
  std::optional<int64_t> tensor_parallelism() const { return tensor_parallelism_; }

private:
  struct NeedMore {};             // thrown by fill() in push mode; poll() rewinds the step
  bool fill();                    // more bytes into buffer_; false at the end of input
  bool peek_byte(char &c);        // the next byte, not consumed
  bool have_bytes(std::size_t count); // the next `count` bytes are in buffer_; false at the end
  bool at_byte_order_mark();      // the next three bytes are UTF-8's byte-order mark
  void skip_space(int64_t *column = nullptr); // counts the bytes into `column`, 1 after a newline
  std::string read_value();       // one whole JSON value's text (object, array, string, scalar)
  void skip_value();              // the same, not kept
  std::string read_string_key();  // a key at the document's top level
  void start();                   // reads up to the first step
  void read_first_object(int64_t first_line); // start()'s reading of the first object
  bool next_step(TraceText &out);
  bool cut_step(TraceText &out);
  bool read_in_place(TraceText &out, const char *line_end);
  template <typename Sink> void scan_value(Sink &&keep);

  Source source_;                 // pull mode
  bool input_ended_ = false;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  // While start() reads the first object, fill() keeps the bytes from here on, so that a
  // first line that is not valid JSON can be read again as a (bad) JSON Lines record.
  std::optional<std::size_t> hold_;
  int64_t line_ = 1;
  int64_t index_ = 0;
  bool started_ = false, done_ = false, read_steps_ = false;
  TraceFormat format_ = TraceFormat::Unknown;
  std::optional<int64_t> tensor_parallelism_;
  std::optional<std::string> first_line_; // JSON Lines: the first record, read to detect the format
  int64_t first_record_line_ = 1, first_record_column_ = 1; // where the first object starts
};

// Reads one step's JSON: {"step_id", "prefill_reqs": [{"tokens_this_step", "prompt_tokens"}],
// "decode_reqs": [{"context_length"}], "total_prefill_tokens"?, "total_decode_tokens"?,
// "batch_size"?, "duration_us"?} or a request {"model", "gpu", ..., "step"} with optional
// "step_id" and "duration_us". Totals, when given, must match the entries. `where` names
// the step in errors ("steps[12]", "line 7").
TraceStep read_trace_step(const nlohmann::json &step, const std::string &where);

// The scenario of a trace's steps in the training format: `header` holds model, GPU and
// optionally coefficients as a request does (preset ids or objects); TP is `tp` when
// given, else the experiment document's tensor_parallelism (1 for JSON Lines). Built on
// first use, since only steps in the training format need it. `option` names how the
// user sets model and GPU in errors ("--model and --gpu").
class TraceBaseScenario {
public:
  TraceBaseScenario(nlohmann::json header, std::optional<int64_t> tp, std::string option);
  const Scenario &get(const TraceSplitter &splitter, const std::string &where);

private:
  nlohmann::json header_;
  std::optional<int64_t> tp_;
  std::string option_;
  std::optional<Scenario> scenario_;
};

// A step's id as `stepcalc trace --format csv` writes it: a JSON string id ("\"a,7\"") as
// CSV text (quoted when it needs to be), any other id as written.
std::string step_id_csv(const std::string &step_id);

// A trace step evaluated: what the CLI writes per step.
struct TraceResult {
  BasisValues basis;
  Prediction prediction;
};

TraceResult evaluate_trace_step(const Scenario &scenario, const Step &step);

// One step of a trace, read from its cut text (or taken from text.step) and evaluated.
struct TraceStepRead {
  std::string id; // as the CLI names the step: its step_id, else its line or position
  std::optional<double> duration_us;
  int64_t tp = 1;
  bool own_header = false; // a whole request: its own model, GPU, TP and coefficients
  TraceResult result;
};
// A bad step throws InputError located in the file: "steps[12].total_decode_tokens" in a
// document; in JSON Lines "line 4", "line 4, model", or "line 5, column 32" for a syntax
// error (a record is its line, less the spaces or BOM before the first).
TraceStepRead read_trace_text(TraceText &text, const TraceSplitter &splitter, TraceBaseScenario &base);

// Running totals for the summary.
struct TraceSummary {
  int64_t steps = 0;
  int64_t skipped = 0;
  double predicted_us = 0;
  std::array<int64_t, kFeatureCount> dominant{}; // steps whose largest contribution is each term
  int64_t timed = 0;                             // steps with a duration
  double abs_pct_sum = 0, sq_err_sum = 0, abs_err_sum = 0;
  std::vector<int64_t> tps; // the TPs the steps were evaluated at, ascending, each once
  int64_t request_steps = 0; // steps that were whole requests, with their own header

  void add(const TraceStepRead &read);
  // steps, skipped, tp (the TP of every step, or null when they differ or there is no
  // step), tps, request_steps, total_predicted_us, dominant_share, timed_steps, mape_pct,
  // rmse_us, mae_us
  nlohmann::ordered_json to_json() const;
};

} // namespace stepcalc
