#include "stepcalc/trace_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"

namespace stepcalc {

namespace {
constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kSkippedKept = 20;

// -?[0-9]{1,15}: an id a double holds exactly and JS writes back the same.
bool plain_integer(const std::string &id) {
  const std::size_t digits = id.size() - (id.starts_with('-') ? 1 : 0);
  return digits >= 1 && digits <= 15 &&
         std::all_of(id.end() - static_cast<std::ptrdiff_t>(digits), id.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}
} // namespace

TraceRun::TraceRun(TraceOptions options)
    : options_(std::move(options)), base_(options_.header, options_.tp, "a model and a GPU") {
  splitter_.read_steps();
}

void TraceRun::feed(std::string_view chunk) {
  splitter_.feed(chunk);
  drain();
}

void TraceRun::finish() {
  splitter_.end_input();
  drain();
}

void TraceRun::drain() {
  TraceText text;
  try {
    while (splitter_.poll(text) == TraceSplitter::Poll::Step) add(text);
  } catch (const TraceCutOff &error) {
    if (!options_.skip_bad) throw;
    skip(error);
  }
}

void TraceRun::add(TraceText &text) {
  try {
    add_step(read_trace_text(text, splitter_, base_), text.index);
  } catch (const InputError &error) {
    if (!options_.skip_bad) throw;
    skip(error);
  }
}

void TraceRun::skip(const InputError &error) {
  ++summary_.skipped;
  if (skipped_.size() < kSkippedKept) skipped_.push_back(error.what());
}

void TraceRun::add_step(const TraceStepRead &read, int64_t position) {
  const TraceResult &result = read.result;
  const BasisValues &b = result.basis;
  const double predicted = result.prediction.step_time_us;
  TraceColumns &c = columns_;
  // The id as the CLI names the step; it also decides the holdout, as in `stepcalc fit`.
  const std::string &id = read.id;
  if (plain_integer(id)) {
    c.step_id.push_back(std::stod(id));
  } else {
    c.step_id.push_back(kNone);
    c.id_cell_rows.push_back(static_cast<double>(c.position.size()));
    c.id_cells.push_back(step_id_csv(id));
  }
  c.position.push_back(static_cast<double>(position));
  c.t_pf_compute.push_back(b.t_pf_compute);
  c.t_pf_kv.push_back(b.t_pf_kv);
  c.t_dc_compute.push_back(b.t_dc_compute);
  c.t_dc_kv.push_back(b.t_dc_kv);
  c.t_weight.push_back(b.t_weight);
  c.t_tp.push_back(b.t_tp);
  c.num_layers.push_back(static_cast<double>(b.num_layers));
  c.batch_size.push_back(static_cast<double>(b.batch_size));
  c.step_time_us.push_back(predicted);
  const bool timed = read.duration_us && *read.duration_us > 0;
  c.duration_us.push_back(read.duration_us.value_or(kNone));
  c.error_pct.push_back(timed ? (predicted - *read.duration_us) / *read.duration_us * 100 : kNone);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    c.features[i].push_back(result.prediction.features[i]);
    c.contributions_us[i].push_back(result.prediction.contributions_us[i]);
  }
  summary_.add(read);
  if (timed) {
    fit_data_.add({result.prediction.features, *read.duration_us, predicted},
                  holdout_position(id) < options_.holdout);
  } else {
    ++untimed_;
  }
}

nlohmann::ordered_json TraceRun::fit(double lambda) const {
  return fit_report(fit_data_, lambda, untimed_, summary_.skipped);
}

} // namespace stepcalc
