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
  while (splitter_.poll(text) == TraceSplitter::Poll::Step) add(text);
}

void TraceRun::add(TraceText &text) {
  const bool lines = splitter_.format() == TraceFormat::JsonLines;
  const std::string where =
      lines ? "line " + std::to_string(text.line) : "steps[" + std::to_string(text.index) + "]";
  try {
    TraceStep step =
        text.step ? std::move(*text.step) : read_trace_step(parse_json_text(text.text, where), where);
    const Scenario &scenario = step.request ? *step.request : base_.get(splitter_, where);
    const TraceResult result =
        evaluate_trace_step(scenario, Step(std::move(step.prefill), std::move(step.decode)));
    const BasisValues &b = result.basis;
    const double predicted = result.prediction.step_time_us;
    TraceColumns &c = columns_;
    // The id as the CLI names the step; it also decides the holdout, as in `stepcalc fit`.
    const std::string id = !step.step_id.empty() ? step.step_id
                                                 : std::to_string(lines ? text.line : text.index);
    if (plain_integer(id)) {
      c.step_id.push_back(std::stod(id));
    } else {
      c.step_id.push_back(kNone);
      c.id_cell_rows.push_back(static_cast<double>(c.position.size()));
      c.id_cells.push_back(step_id_csv(id));
    }
    c.position.push_back(static_cast<double>(text.index));
    c.t_pf_compute.push_back(b.t_pf_compute);
    c.t_pf_kv.push_back(b.t_pf_kv);
    c.t_dc_compute.push_back(b.t_dc_compute);
    c.t_dc_kv.push_back(b.t_dc_kv);
    c.t_weight.push_back(b.t_weight);
    c.t_tp.push_back(b.t_tp);
    c.num_layers.push_back(static_cast<double>(b.num_layers));
    c.batch_size.push_back(static_cast<double>(b.batch_size));
    c.step_time_us.push_back(predicted);
    const bool timed = step.duration_us && *step.duration_us > 0;
    c.duration_us.push_back(step.duration_us.value_or(kNone));
    c.error_pct.push_back(timed ? (predicted - *step.duration_us) / *step.duration_us * 100 : kNone);
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
      c.features[i].push_back(result.prediction.features[i]);
      c.contributions_us[i].push_back(result.prediction.contributions_us[i]);
    }
    summary_.add(result, step.duration_us, scenario.tp);
    if (timed) {
      fit_data_.add({result.prediction.features, *step.duration_us, predicted},
                    holdout_position(id) < options_.holdout);
    } else {
      ++untimed_;
    }
  } catch (const InputError &error) {
    if (!options_.skip_bad) throw;
    ++summary_.skipped;
    if (skipped_.size() < kSkippedKept) skipped_.push_back(error.what());
  }
}

nlohmann::ordered_json TraceRun::fit(double lambda) const {
  return fit_report(fit_data_, lambda, untimed_, summary_.skipped);
}

} // namespace stepcalc
