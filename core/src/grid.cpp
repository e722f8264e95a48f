#include "stepcalc/grid.hpp"

#include <algorithm>
#include <type_traits>

#include "json_fields.hpp"
#include "shortest_numbers.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/json_text.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/presets.hpp"
#include "stepcalc/request.hpp"
#include "stepcalc/scenario.hpp"

namespace stepcalc {

using nlohmann::json;
using nlohmann::ordered_json;
namespace jf = json_fields;

namespace {

constexpr int64_t kDefaultTps[] = {1, 2, 4, 8};

std::vector<int64_t> read_tps(const json &request) {
  const json *tps = jf::find_member(request, "tps");
  if (tps == nullptr) return {std::begin(kDefaultTps), std::end(kDefaultTps)};
  if (!tps->is_array() || tps->empty() || tps->size() > limits::kMaxGridTps) {
    throw InputError("tps", "expected a list of 1 to " + std::to_string(limits::kMaxGridTps) +
                                " TP degrees, got " + jf::describe(*tps));
  }
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < tps->size(); ++i) {
    const std::string where = jf::index_path("tps", i);
    const int64_t tp = jf::to_integer((*tps)[i], where, 1, limits::kMaxTp);
    if (std::find(out.begin(), out.end(), tp) != out.end()) {
      throw InputError(where, "TP " + std::to_string(tp) + " is listed twice");
    }
    out.push_back(tp);
  }
  return out;
}

// The GPUs as a request's "gpu" would name them: preset ids or datasheet objects.
json read_gpus(const json &request) {
  const json *gpus = jf::find_member(request, "gpus");
  if (gpus == nullptr) {
    json all = json::array();
    for (const auto &preset : presets().gpus) all.push_back(preset.id);
    return all;
  }
  if (!gpus->is_array() || gpus->empty() || gpus->size() > limits::kMaxGridGpus) {
    throw InputError("gpus", "expected a list of 1 to " + std::to_string(limits::kMaxGridGpus) +
                                 " GPUs (preset ids or datasheets), got " + jf::describe(*gpus));
  }
  return *gpus;
}

// An error about the header's "gpu" named where the grid request has it: gpus[i]...
InputError at_gpu(const InputError &error, std::size_t index) {
  const std::string &where = error.where();
  if (where.rfind("gpu", 0) != 0 || (where.size() > 3 && where[3] != '.' && where[3] != '[')) {
    return error;
  }
  return InputError(jf::index_path("gpus", index) + where.substr(3), error.message());
}

GridCell cell_of(const Scenario &scenario, std::size_t gpu_index) {
  const StepResult result = evaluate(scenario);
  GridCell cell;
  cell.gpu = scenario.gpu_id;
  cell.gpu_index = gpu_index;
  cell.tp = scenario.tp;
  cell.figures = grid_figures(scenario, scenario.step, result);
  cell.prefill_bound = result.prefill_bound;
  cell.decode_bound = result.decode_bound;
  cell.dominant_term = dominant_term(result.prediction.contributions_us);
  Notes notes = scenario.notes;
  const Notes step = step_notes(step_note_inputs(result));
  notes.insert(notes.end(), step.begin(), step.end());
  for (const Note &note : notes) cell.note_codes.push_back(note.code);
  return cell;
}

ordered_json cell_json(const GridCell &cell) {
  // Numbers as JavaScript writes them, so calc.grid's object stringifies to this text.
  const auto or_null = [](const auto &value) {
    if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, double>) {
      return value ? js_number(*value) : ordered_json(nullptr);
    } else {
      return value ? ordered_json(*value) : ordered_json(nullptr);
    }
  };
  const bool ok = !cell.error;
  const GridFigures &figures = cell.figures;
  ordered_json out = {{"gpu", cell.gpu}, {"gpu_index", cell.gpu_index}, {"tp", cell.tp}};
  out["error"] = or_null(cell.error);
  out["step_time_us"] = ok ? js_number(figures.step_time_us) : ordered_json(nullptr);
  out["fits"] = or_null(figures.fits);
  out["headroom_bytes"] = or_null(figures.headroom_bytes);
  out["max_decode_requests"] = or_null(figures.max_decode_requests);
  out["tokens_per_s"] = or_null(figures.tokens_per_s);
  out["tokens_per_s_per_gpu"] = or_null(figures.tokens_per_s_per_gpu);
  out["bottleneck"] = ok ? ordered_json{{"prefill", bound_name(cell.prefill_bound)},
                                        {"decode", bound_name(cell.decode_bound)}}
                         : ordered_json(nullptr);
  out["dominant"] = ok ? ordered_json(kTermNames[cell.dominant_term]) : ordered_json(nullptr);
  out["notes"] = cell.note_codes;
  return out;
}

} // namespace

GridFigures grid_figures(const Scenario &header, const Step &step, const StepResult &result) {
  GridFigures figures;
  figures.step_time_us = result.prediction.step_time_us;
  figures.fits = result.memory.fits;
  figures.headroom_bytes = result.memory.headroom_bytes;
  figures.max_decode_requests = result.memory.max_decode_requests;
  // The step's tokens: each prefill chunk's, and one per decode request.
  const double tokens = static_cast<double>(step.prefill_tokens() + step.decode_tokens());
  if (figures.step_time_us > 0) {
    figures.tokens_per_s = tokens / (figures.step_time_us * 1e-6);
    figures.tokens_per_s_per_gpu = *figures.tokens_per_s / static_cast<double>(header.tp);
  }
  return figures;
}

std::vector<GridCell> grid_cells(const json &request) {
  if (!request.is_object()) {
    throw InputError("request", "expected a JSON object, got " + jf::describe(request));
  }
  for (const char *single : {"gpu", "tp"}) {
    if (jf::find_member(request, single) != nullptr) {
      throw InputError(single, std::string("a grid request lists ") +
                                   (single[0] == 'g' ? "\"gpus\"" : "\"tps\"") + ", not one \"" +
                                   single + "\"");
    }
  }
  jf::reject_unknown_fields(request, "",
                            {"model", "coefficients", "gpu_memory_utilization", "step", "gpus", "tps"});
  const std::vector<int64_t> tps = read_tps(request);
  const json gpus = read_gpus(request);

  // The header of each cell is a compute request's; the batch is read once for all.
  json header = json::object();
  for (const char *key : {"model", "coefficients", "gpu_memory_utilization"}) {
    if (const json *value = jf::find_member(request, key)) header[key] = *value;
  }
  const Step step = [&] {
    json first = header;
    first["gpu"] = gpus[0];
    first["tp"] = 1;
    if (const json *value = jf::find_member(request, "step")) first["step"] = *value;
    try {
      return parse_request(first).step;
    } catch (const InputError &error) {
      throw at_gpu(error, 0);
    }
  }();

  std::vector<GridCell> cells;
  cells.reserve(gpus.size() * tps.size());
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    header["gpu"] = gpus[g];
    // A GPU that is wrong at TP 1 is wrong input; one that cannot run a TP is a cell's answer.
    header["tp"] = 1;
    try {
      parse_request_header(header);
    } catch (const InputError &error) {
      throw at_gpu(error, g);
    }
    for (const int64_t tp : tps) {
      header["tp"] = tp;
      try {
        Scenario scenario = parse_request_header(header);
        scenario.step = step;
        cells.push_back(cell_of(scenario, g));
      } catch (const InputError &error) {
        GridCell cell;
        cell.gpu = gpus[g].is_string() ? gpus[g].get<std::string>() : "custom";
        cell.gpu_index = g;
        cell.tp = tp;
        cell.error = at_gpu(error, g).what();
        cells.push_back(std::move(cell));
      }
    }
  }
  return cells;
}

std::string grid_response(std::string_view request_text) {
  ordered_json cells = ordered_json::array();
  for (const GridCell &cell : grid_cells(parse_json_text(request_text, "request"))) {
    cells.push_back(cell_json(cell));
  }
  return with_shortest_numbers(ordered_json{{"cells", std::move(cells)}}.dump());
}

} // namespace stepcalc
