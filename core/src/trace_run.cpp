#include "stepcalc/trace_run.hpp"

#include <cmath>
#include <limits>

#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"

namespace stepcalc {

namespace {
constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kSkippedKept = 20;
} // namespace

TraceRun::TraceRun(TraceOptions options)
    : options_(std::move(options)), base_(options_.header, options_.tp, "a model and a GPU") {}

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

void TraceRun::add(const TraceText &text) {
  const bool lines = splitter_.format() == TraceFormat::JsonLines;
  const std::string where =
      lines ? "line " + std::to_string(text.line) : "steps[" + std::to_string(text.index) + "]";
  try {
    const TraceStep step = read_trace_step(parse_json_text(text.text, where), where);
    const Scenario &scenario = step.request ? *step.request : base_.get(splitter_, where);
    const TraceResult result = evaluate_trace_step(scenario, Step(step.prefill, step.decode));
    const BasisValues &b = result.basis;
    const double predicted = result.prediction.step_time_us;
    TraceColumns &c = columns_;
    c.position.push_back(static_cast<double>(text.index));
    c.step_id.push_back(step.numeric_id.value_or(kNone));
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
    summary_.add(result, step.duration_us);
    // The id decides the holdout, as in `stepcalc fit`: the same step, the same side.
    const std::string key = !step.step_id.empty() ? step.step_id
                                                  : std::to_string(lines ? text.line : text.index);
    if (timed) {
      fit_data_.add({result.prediction.features, *step.duration_us, predicted},
                    holdout_position(key) < options_.holdout);
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
