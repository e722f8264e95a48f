// Reading one step's JSON: the training format's entries and totals, or a whole request.

#include "stepcalc/trace.hpp"

#include "json_fields.hpp"
#include "stepcalc/batch.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/request.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

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

} // namespace stepcalc
