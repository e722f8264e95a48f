// A trace's steps evaluated and summed up: the base scenario of training-format steps,
// a cut step's text read and located in the file, its prediction, and the summary.

#include "stepcalc/trace.hpp"

#include <algorithm>
#include <cmath>

#include "stepcalc/basis.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/request.hpp"

namespace stepcalc {

using nlohmann::json;

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
  ++dominant[dominant_term(c)];
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
