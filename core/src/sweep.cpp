#include "stepcalc/sweep.hpp"

#include <charconv>
#include <limits>

#include "json_fields.hpp"
#include "stepcalc/batch.hpp"
#include "stepcalc/hardware.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

namespace jf = json_fields;

namespace {

enum class SweepField {
  Tp,
  TokensThisStep,
  PromptTokens,
  PrefillCount,
  ContextLength,
  DecodeCount
};

struct SweepTarget {
  SweepField field = SweepField::Tp;
  bool every_row = false;
  std::size_t row = 0;
};

SweepTarget parse_variable(std::string_view variable, const Step &step) {
  const std::string where = "sweep.variable";
  if (variable == "tp") return {};
  const auto open = variable.find('[');
  const auto close = variable.find("].");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    throw InputError(where, "unknown variable \"" + std::string(variable) +
                                "\"; expected tp, prefill[i].<field> or decode[i].<field>");
  }
  const std::string_view list = variable.substr(0, open);
  const std::string_view index = variable.substr(open + 1, close - open - 1);
  const std::string_view field = variable.substr(close + 2);
  SweepTarget target;
  std::size_t rows = 0;
  if (list == "prefill" && field == "tokens_this_step")
    target.field = SweepField::TokensThisStep;
  else if (list == "prefill" && field == "prompt_tokens")
    target.field = SweepField::PromptTokens;
  else if (list == "prefill" && field == "count")
    target.field = SweepField::PrefillCount;
  else if (list == "decode" && field == "context_length")
    target.field = SweepField::ContextLength;
  else if (list == "decode" && field == "count")
    target.field = SweepField::DecodeCount;
  else {
    throw InputError(where, "unknown variable \"" + std::string(variable) +
                                "\"; prefill rows have tokens_this_step, prompt_tokens and count, "
                                "decode rows have context_length and count");
  }
  rows = list == "prefill" ? step.prefill().size() : step.decode().size();
  if (index == "*") {
    target.every_row = true;
  } else {
    const auto [end, error] =
        std::from_chars(index.data(), index.data() + index.size(), target.row);
    if (error != std::errc() || end != index.data() + index.size()) {
      throw InputError(where, "row index \"" + std::string(index) + "\" is not a number or *");
    }
  }
  if (rows == 0 || (!target.every_row && target.row >= rows)) {
    throw InputError(where, "the step has " + std::to_string(rows) + " " + std::string(list) +
                                " rows, so \"" + std::string(variable) + "\" does not exist");
  }
  return target;
}

// The batch rows a sweep edits; the Step is rebuilt from them at each point.
struct SweepRows {
  std::vector<PrefillChunk> prefill;
  std::vector<DecodeGroup> decode;
};

void apply(const SweepTarget &target, int64_t value, std::size_t value_index, SweepRows &rows,
           Scenario &scenario) {
  const auto where = [&] { return jf::index_path("sweep.values", value_index); };
  const auto check = [&](const PrefillChunk &chunk, std::size_t row) {
    if (chunk.tokens_this_step > chunk.prompt_tokens) {
      throw InputError(where(), "makes step.prefill[" + std::to_string(row) + "] compute " +
                                    std::to_string(chunk.tokens_this_step) +
                                    " tokens of a prompt of " +
                                    std::to_string(chunk.prompt_tokens));
    }
  };
  const auto for_rows = [&](auto &rows, auto &&set) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (target.every_row || i == target.row) set(rows[i], i);
    }
  };
  switch (target.field) {
  case SweepField::Tp:
    require_link_for_tp(scenario.hardware, value, where());
    scenario.tp = value;
    break;
  case SweepField::TokensThisStep:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t row) {
      chunk.tokens_this_step = value;
      check(chunk, row);
    });
    break;
  case SweepField::PromptTokens:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t row) {
      chunk.prompt_tokens = value;
      check(chunk, row);
    });
    break;
  case SweepField::PrefillCount:
    for_rows(rows.prefill, [&](PrefillChunk &chunk, std::size_t) { chunk.count = value; });
    break;
  case SweepField::ContextLength:
    for_rows(rows.decode, [&](DecodeGroup &group, std::size_t) { group.context_length = value; });
    break;
  case SweepField::DecodeCount:
    for_rows(rows.decode, [&](DecodeGroup &group, std::size_t) { group.count = value; });
    break;
  }
  if (target.field != SweepField::Tp) scenario.step = Step(rows.prefill, rows.decode);
}

int64_t max_value(SweepField field) {
  switch (field) {
  case SweepField::Tp: return limits::kMaxTp;
  case SweepField::PrefillCount:
  case SweepField::DecodeCount: return limits::kMaxCount;
  default: return limits::kMaxTokens;
  }
}

} // namespace

SweepSeries sweep(const Scenario &base, std::string_view variable,
                  const std::vector<double> &values) {
  const SweepTarget target = parse_variable(variable, base.step);
  if (values.size() > static_cast<std::size_t>(limits::kMaxSweepPoints)) {
    throw InputError("sweep.values", "has " + std::to_string(values.size()) + " values; at most " +
                                         std::to_string(limits::kMaxSweepPoints) + " are allowed");
  }
  SweepSeries series;
  for (auto *column : {&series.values, &series.t_pf_compute, &series.t_pf_kv, &series.t_dc_compute,
                       &series.t_dc_kv, &series.t_weight, &series.t_tp, &series.batch_size,
                       &series.step_time_us, &series.headroom_bytes}) {
    column->reserve(values.size());
  }
  Scenario scenario = base;
  SweepRows rows{base.step.prefill(), base.step.decode()};
  const int64_t max = max_value(target.field);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int64_t value = packed_integer(values[i], jf::index_path("sweep.values", i), max);
    apply(target, value, i, rows, scenario);
    const StepWork work = step_work(scenario.step, scenario.arch, scenario.tp);
    const BasisValues basis = basis_values(scenario.step, scenario.arch, work, scenario.hardware);
    const MemoryFit memory = memory_fit(scenario.step, scenario.arch, scenario.hardware,
                                        scenario.tp, scenario.gpu_memory_utilization);
    series.values.push_back(values[i]);
    series.t_pf_compute.push_back(basis.t_pf_compute);
    series.t_pf_kv.push_back(basis.t_pf_kv);
    series.t_dc_compute.push_back(basis.t_dc_compute);
    series.t_dc_kv.push_back(basis.t_dc_kv);
    series.t_weight.push_back(basis.t_weight);
    series.t_tp.push_back(basis.t_tp);
    series.batch_size.push_back(static_cast<double>(basis.batch_size));
    series.step_time_us.push_back(predict(basis, scenario.beta).step_time_us);
    series.headroom_bytes.push_back(
        memory.headroom_bytes.value_or(std::numeric_limits<double>::quiet_NaN()));
  }
  return series;
}

} // namespace stepcalc
