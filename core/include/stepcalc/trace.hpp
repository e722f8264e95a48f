#pragma once

// Trace mode: every step of a recorded run through the model (the seed's
// compute_experiment_basis). A trace is an experiment document in the training
// pipeline's reconstruct format ({"tensor_parallelism", ..., "steps": [...]}) or JSON
// Lines (one step, or one whole request, per line). It is read in chunks and cut into one
// text per step, so memory stays bounded by the largest step, whatever the file's size.

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/prediction.hpp"
#include "stepcalc/scenario.hpp"

namespace stepcalc {

enum class TraceFormat { Unknown, Experiment, JsonLines };

// One step's text and where it is in the file.
struct TraceText {
  std::string text;
  int64_t line = 0;  // JSON Lines: the line number (1-based)
  int64_t index = 0; // the step's position in the file (0-based)
};

// Cuts a trace into one text per step: a string-aware scan of brackets, no parsing.
class TraceSplitter {
public:
  explicit TraceSplitter(std::istream &in);

  // The next step's text; false at the end. Throws InputError when the file cannot be
  // cut (not JSON objects, or cut off mid-step).
  bool next(TraceText &out);

  TraceFormat format() const { return format_; }
  // The experiment document's tensor_parallelism, when it came before its steps.
  std::optional<int64_t> tensor_parallelism() const { return tensor_parallelism_; }

private:
  bool fill();                    // more bytes into buffer_; false at the end of input
  bool peek_byte(char &c);        // the next byte, not consumed
  void skip_space();
  std::string read_value();       // one whole JSON value's text (object, array, string, scalar)
  void skip_value();              // the same, not kept
  std::string read_string_key();  // a key at the document's top level
  void start();                   // reads up to the first step
  template <typename Sink> void scan_value(Sink &&keep);

  std::istream &in_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  int64_t line_ = 1;
  int64_t index_ = 0;
  bool started_ = false, done_ = false;
  TraceFormat format_ = TraceFormat::Unknown;
  std::optional<int64_t> tensor_parallelism_;
  std::optional<std::string> first_line_; // JSON Lines: the first record, read to detect the format
};

// A step in the training pipeline's field names, or a whole request (JSON Lines only).
struct TraceStep {
  std::string step_id; // as written in the file (a number or a string), or the line/index
  std::optional<Scenario> request; // a whole request line: its own model, GPU, TP and β
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;
  std::optional<double> duration_us;
};

// Reads one step's JSON: {"step_id", "prefill_reqs": [{"tokens_this_step", "prompt_tokens"}],
// "decode_reqs": [{"context_length"}], "total_prefill_tokens"?, "total_decode_tokens"?,
// "batch_size"?, "duration_us"?} or a request {"model", "gpu", ..., "step"} with optional
// "step_id" and "duration_us". Totals, when given, must match the entries. `where` names
// the step in errors ("steps[12]", "line 7").
TraceStep read_trace_step(const nlohmann::json &step, const std::string &where);

// A trace step evaluated: what the CLI writes per step.
struct TraceResult {
  BasisValues basis;
  Prediction prediction;
};

TraceResult evaluate_trace_step(const Scenario &scenario, const Step &step);

// Running totals for the summary.
struct TraceSummary {
  int64_t steps = 0;
  int64_t skipped = 0;
  double predicted_us = 0;
  std::array<int64_t, kFeatureCount> dominant{}; // steps whose largest contribution is each term
  int64_t timed = 0;                             // steps with a duration
  double abs_pct_sum = 0, sq_err_sum = 0, abs_err_sum = 0;

  void add(const TraceResult &result, std::optional<double> duration_us);
  nlohmann::ordered_json to_json() const; // steps, skipped, total_predicted_us, dominant_share, mape_pct, rmse_us, mae_us
};

} // namespace stepcalc
