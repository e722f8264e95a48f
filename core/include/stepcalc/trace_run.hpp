#pragma once

// One trace run through the model for callers that receive the file in pieces (the WASM
// module): chunks are pushed as they arrive, every complete step is evaluated at once,
// and the results are kept as columns, one entry per step in file order, with the
// summary and the data to fit β to.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/fit.hpp"
#include "stepcalc/trace.hpp"

namespace stepcalc {

struct TraceOptions {
  nlohmann::json header = nlohmann::json::object(); // model, gpu, coefficients for training-format steps
  std::optional<int64_t> tp;                        // else the document's tensor_parallelism
  bool skip_bad = false;
  double holdout = 0.2; // the share of timed steps held out when fitting
};

struct TraceColumns {
  std::vector<double> position; // the step's place in the file, from 0
  // The step's id as the CLI writes it (its step_id, else its line or place in the file)
  // when that is a plain integer, else NaN and the id is in id_cells.
  std::vector<double> step_id;
  std::vector<double> t_pf_compute, t_pf_kv, t_dc_compute, t_dc_kv, t_weight, t_tp;
  std::vector<double> num_layers, batch_size, step_time_us;
  std::vector<double> duration_us, error_pct; // NaN without a duration
  std::array<std::vector<double>, kFeatureCount> features, contributions_us;
  // The ids that are not plain integers (text, a fraction, more than 15 digits): their
  // rows in these columns and their CSV cells (step_id_csv).
  std::vector<double> id_cell_rows;
  std::vector<std::string> id_cells;
};

class TraceRun {
public:
  explicit TraceRun(TraceOptions options);

  // Evaluates every step the chunk completes. A bad step throws InputError naming it,
  // unless skip_bad (then it is counted); after a throw the run is over.
  void feed(std::string_view chunk);
  void finish(); // the end of the input: the last step, and the checks of a whole file

  const TraceColumns &columns() const { return columns_; }
  const TraceSummary &summary() const { return summary_; }
  TraceFormat format() const { return splitter_.format(); } // Unknown until the file starts
  const std::vector<std::string> &skipped_messages() const { return skipped_; } // the first 20
  // β fitted to the timed steps (as `stepcalc fit`); throws InputError without any.
  nlohmann::ordered_json fit(double lambda) const;

private:
  void drain();
  void add(TraceText &text); // takes text.step
  void skip(const InputError &error); // a bad step, with skip_bad
  void add_step(const TraceStepRead &read, int64_t position); // into the columns and totals

  TraceOptions options_;
  TraceSplitter splitter_;
  TraceBaseScenario base_;
  TraceColumns columns_;
  TraceSummary summary_;
  FitData fit_data_;
  int64_t untimed_ = 0;
  std::vector<std::string> skipped_;
};

} // namespace stepcalc
