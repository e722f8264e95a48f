#include "stepcalc/trace_fast.hpp"

#include <simdjson.h>

#include "stepcalc/limits.hpp"

namespace stepcalc {

// The DOM API: unlike On-Demand (compiled for the build's baseline CPU), it picks the
// fastest kernel for the running CPU.
namespace dom = simdjson::dom;

struct FastTraceReader::Parser {
  dom::parser parser;
};

FastTraceReader::FastTraceReader() : parser_(new Parser) {}
FastTraceReader::~FastTraceReader() {
  delete parser_;
}

namespace {

// A value the slow reader would accept unchanged: an integer from 1 to the token limit.
bool token_count(dom::element value, int64_t &out) {
  int64_t v = 0;
  if (value.get_int64().get(v) != simdjson::SUCCESS) return false;
  out = v;
  return v >= 1 && v <= limits::kMaxTokens;
}

// Each key at most once (nlohmann keeps the last of duplicates; the slow reader decides).
struct Seen {
  unsigned bits = 0;
  bool first(unsigned bit) {
    if (bits & bit) return false;
    bits |= bit;
    return true;
  }
};

bool read_prefill(dom::array list, TraceStep &step, int64_t &tokens_sum) {
  if (list.size() > static_cast<std::size_t>(limits::kMaxRows)) return false;
  step.prefill.reserve(list.size());
  for (dom::element element : list) {
    dom::object entry;
    if (element.get_object().get(entry) != simdjson::SUCCESS) return false;
    int64_t tokens = 0, prompt = 0;
    Seen seen;
    for (dom::key_value_pair field : entry) {
      if (field.key == "tokens_this_step") {
        if (!seen.first(1) || !token_count(field.value, tokens)) return false;
      } else if (field.key == "prompt_tokens") {
        if (!seen.first(2) || !token_count(field.value, prompt)) return false;
      }
    }
    if (seen.bits != 3 || tokens > prompt) return false;
    step.prefill.push_back({tokens, prompt, 1});
    tokens_sum += tokens;
  }
  return true;
}

bool read_decode(dom::array list, TraceStep &step) {
  if (list.size() > static_cast<std::size_t>(limits::kMaxRows)) return false;
  step.decode.reserve(list.size());
  for (dom::element element : list) {
    dom::object entry;
    if (element.get_object().get(entry) != simdjson::SUCCESS) return false;
    int64_t context = 0;
    Seen seen;
    for (dom::key_value_pair field : entry) {
      if (field.key == "context_length" && (!seen.first(1) || !token_count(field.value, context))) {
        return false;
      }
    }
    if (seen.bits != 1) return false;
    step.decode.push_back({context, 1});
  }
  return true;
}

bool read_step(dom::element document, TraceStep &step) {
  dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) return false;
  int64_t prefill_tokens = 0;
  std::optional<int64_t> total_prefill, total_decode, batch_size;
  Seen seen;
  for (dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    const dom::element value = field.value;
    if (key == "step_id") {
      int64_t id = 0;
      if (!seen.first(1) || value.get_int64().get(id) != simdjson::SUCCESS) return false;
      step.step_id = std::to_string(id);
      step.numeric_id = static_cast<double>(id);
    } else if (key == "prefill_reqs") {
      dom::array list;
      if (!seen.first(2) || value.get_array().get(list) != simdjson::SUCCESS) return false;
      if (!read_prefill(list, step, prefill_tokens)) return false;
    } else if (key == "decode_reqs") {
      dom::array list;
      if (!seen.first(4) || value.get_array().get(list) != simdjson::SUCCESS) return false;
      if (!read_decode(list, step)) return false;
    } else if (key == "duration_us") {
      double duration = 0;
      if (!seen.first(8) || value.get_double().get(duration) != simdjson::SUCCESS) return false;
      if (!(duration >= 0 && duration <= 1e15)) return false;
      step.duration_us = duration;
    } else if (key == "total_prefill_tokens" || key == "total_decode_tokens" || key == "batch_size") {
      const unsigned bit = key == "total_prefill_tokens" ? 16 : key == "total_decode_tokens" ? 32 : 64;
      int64_t total = 0;
      if (!seen.first(bit) || value.get_int64().get(total) != simdjson::SUCCESS) return false;
      (bit == 16 ? total_prefill : bit == 32 ? total_decode : batch_size) = total;
    } else if (key == "model" || key == "step") {
      return false; // a whole request: the slow reader's job
    }
  }
  if (total_prefill && *total_prefill != prefill_tokens) return false;
  if (total_decode && *total_decode != static_cast<int64_t>(step.decode.size())) return false;
  return !batch_size || *batch_size == static_cast<int64_t>(step.prefill.size() + step.decode.size());
}

} // namespace

std::optional<TraceStep> FastTraceReader::read(std::string &text) {
  const std::size_t size = text.size();
  text.resize(size + simdjson::SIMDJSON_PADDING, ' ');
  dom::element document;
  TraceStep step;
  const bool ok = parser_->parser.parse(text.data(), size, false).get(document) == simdjson::SUCCESS &&
                  read_step(document, step);
  text.resize(size);
  if (!ok) return std::nullopt;
  return step;
}

} // namespace stepcalc
