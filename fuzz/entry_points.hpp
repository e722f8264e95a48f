#pragma once

// The entry points the fuzz targets drive, shared with the unit tests that replay
// tests/data/fuzz-regressions/ and fuzz/corpus/ (tests/test_fuzz_regressions.cpp). Each decodes one input, calls the core
// and returns the first invariant its answer breaks ("" when all hold). An
// InputError propagates: it is the expected answer to bad input, and any other
// exception is a finding.

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/calculator.hpp"
#include "stepcalc/hardware.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"
#include "stepcalc/model_arch.hpp"
#include "stepcalc/trace.hpp"
#include "stepcalc/trace_quick.hpp"

namespace stepcalc::fuzz {

// True when `value` holds a null anywhere (nlohmann writes NaN and infinity as null).
inline bool holds_null(const nlohmann::json &value) {
  if (value.is_null()) return true;
  if (!value.is_structured()) return false;
  for (const auto &item : value)
    if (holds_null(item)) return true;
  return false;
}

// The request text, as `stepcalc compute` reads it.
inline std::string run_compute(std::string_view text) {
  const auto response = nlohmann::json::parse(compute_response(text), nullptr, false);
  if (!response.is_object()) return "the response is a JSON object";
  const auto step_time = response.find("step_time_us");
  if (step_time == response.end() || !step_time->is_number()) return "step_time_us is a number";
  // Only the memory fields and the GPU's capacity may be null, when the capacity is
  // unknown (core/src/response_fields.def); elsewhere a null is a NaN or infinity.
  auto always_known = response;
  always_known.erase("memory");
  if (always_known.contains("hardware")) always_known["hardware"].erase("capacity_gb");
  if (holds_null(always_known)) return "every number of the response is finite (no null)";
  return "";
}

// A HF config.json, read as the request's "model".
inline std::string run_config(std::string_view text) {
  const ModelArch arch = resolve_model_arch(parse_json_text(text, "model"), "model").arch;
  if (arch.L < 1 || arch.d < 1 || arch.H < 1 || arch.kv_heads < 1 || arch.d_h < 1 || arch.d_ff < 1)
    return "every count of the architecture is at least 1";
  if (arch.N < 0 || arch.k < 0) return "expert counts are not negative";
  if (arch.kv_heads > arch.H) return "kv_heads <= H";
  if (arch.d_kv != arch.kv_heads * arch.d_h) return "d_kv == kv_heads * d_h";
  // Without head_dim the seed's query width is hidden_size, and d_h is floored.
  if (arch.q_dim != arch.H * arch.d_h && !(arch.q_dim == arch.d && arch.d_h == arch.d / arch.H))
    return "q_dim == H * d_h, or hidden_size with d_h = hidden_size // H";
  if (arch.k_eff != std::max<int64_t>(1, arch.k)) return "k_eff == max(1, k)";
  if (arch.is_moe != (arch.N > 0)) return "is_moe == (N > 0)";
  return "";
}

// The TP degree in decimal, a newline, and a datasheet read as the request's "gpu".
inline std::string run_datasheet(std::string_view text) {
  const auto newline = text.find('\n');
  if (newline == std::string_view::npos) return "";
  int64_t tp = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + newline, tp);
  // A request rejects any other TP before it reads the datasheet.
  if (error != std::errc() || end != text.data() + newline || tp < 1 || tp > limits::kMaxTp)
    return "";
  const HardwareSpec spec =
      resolve_hardware(parse_json_text(text.substr(newline + 1), "gpu"), "gpu", tp).spec;
  const auto positive = [](double rate) { return std::isfinite(rate) && rate > 0; };
  if (!positive(spec.flops_peak_tflops)) return "the FP16 peak is finite and positive";
  if (!positive(spec.bw_hbm_tb_s)) return "the HBM bandwidth is finite and positive";
  if (spec.link != "none" && !positive(spec.bw_link_gb_s))
    return "a link's bandwidth is finite and positive";
  if (tp > 1 && spec.link == "none") return "TP above 1 has a link";
  return "";
}

// Three parts separated by newlines: the variable, the values (separated by
// commas and read by strtod, so nan, inf and hex floats reach the core as the
// page's numbers could), and the request JSON.
inline std::string run_sweep(std::string_view text) {
  const auto first = text.find('\n');
  if (first == std::string_view::npos) return "";
  const auto second = text.find('\n', first + 1);
  if (second == std::string_view::npos) return "";
  std::vector<double> values;
  for (std::string_view list = text.substr(first + 1, second - first - 1); !list.empty();) {
    const auto comma = list.find(',');
    values.push_back(std::strtod(std::string(list.substr(0, comma)).c_str(), nullptr));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  const Scenario scenario = parse_request(parse_json_text(text.substr(second + 1), "request"));
  const SweepSeries series = sweep(scenario, text.substr(0, first), values);
  if (series.values.size() != values.size()) return "one point per value";
  for (const auto *column :
       {&series.t_pf_compute, &series.t_pf_kv, &series.t_dc_compute, &series.t_dc_kv,
        &series.t_weight, &series.t_tp, &series.batch_size, &series.step_time_us}) {
    if (column->size() != values.size()) return "every series has one point per value";
    for (const double point : *column)
      if (!std::isfinite(point) || point < 0) return "every point is finite and not negative";
  }
  return "";
}

// A splitter's source reading `text` from its start, as a file would be read.
inline TraceSplitter::Source read_text(std::string_view text) {
  return [text, at = std::size_t{0}](char *data, std::size_t size) mutable {
    const std::size_t n = std::min(size, text.size() - at);
    std::copy_n(text.data() + at, n, data);
    at += n;
    return n;
  };
}

// The pulling splitter's first read: small, so that files of a few hundred bytes cross
// its chunk boundaries (a string's escapes, a mark, a step split between reads), as the
// CLI's 1 MiB reads do only in files of megabytes.
inline std::size_t first_read(std::string_view text) {
  return 1 + text.size() % 53;
}

// The same text pushed in pieces (as the WASM module receives a file) must cut into the
// same steps, or fail with the same error, as when it is read whole.
inline std::string pushed_alike(std::string_view text) {
  const auto cut = [](TraceSplitter &splitter, const auto &feed_more) {
    std::vector<std::string> texts;
    try {
      TraceText step;
      for (;;) {
        const auto poll = splitter.poll(step);
        if (poll == TraceSplitter::Poll::End) break;
        if (poll == TraceSplitter::Poll::Step) texts.push_back(step.text);
        else feed_more(splitter);
      }
    } catch (const InputError &error) {
      texts.push_back(std::string("error: ") + error.what());
    }
    return texts;
  };
  TraceSplitter pull(read_text(text), first_read(text));
  const auto whole = cut(pull, [](TraceSplitter &) {});
  const std::size_t piece = 1 + text.size() % 61;
  std::size_t fed = 0;
  TraceSplitter push;
  const auto pieces = cut(push, [&](TraceSplitter &splitter) {
    if (fed >= text.size()) return splitter.end_input();
    splitter.feed(text.substr(fed, piece));
    fed += piece;
  });
  return whole == pieces ? "" : "a trace pushed in pieces cuts into the same steps as read whole";
}

// Two steps read alike: the same id, duration (bit for bit) and rows.
inline bool same_step(const TraceStep &a, const TraceStep &b) {
  const auto bits = [](const std::optional<double> &x) {
    return x ? std::optional<uint64_t>(std::bit_cast<uint64_t>(*x)) : std::nullopt;
  };
  const auto same_rows = [](const auto &x, const auto &y, auto &&same) {
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), same);
  };
  return a.step_id == b.step_id && bits(a.numeric_id) == bits(b.numeric_id) &&
         bits(a.duration_us) == bits(b.duration_us) && !a.request && !b.request &&
         same_rows(a.prefill, b.prefill,
                   [](const PrefillChunk &x, const PrefillChunk &y) {
                     return x.tokens_this_step == y.tokens_this_step &&
                            x.prompt_tokens == y.prompt_tokens && x.count == y.count;
                   }) &&
         same_rows(a.decode, b.decode, [](const DecodeGroup &x, const DecodeGroup &y) {
           return x.context_length == y.context_length && x.count == y.count;
         });
}

// The exact reader on one step's text: the step, or nullopt for an InputError.
inline std::optional<TraceStep> read_exactly(std::string_view text) {
  try {
    return read_trace_step(parse_json_text(text, "step"), "step");
  } catch (const InputError &) {
    return std::nullopt;
  }
}

// One step's text (any bytes): the quick reader (trace_quick.hpp) against nlohmann and
// read_trace_step. Whatever the quick reader takes, the exact reader must read to the same
// step; read as the start of a longer text, the quick reader must take the same step and
// say where it ends.
inline std::string run_trace_step(std::string_view text) {
  if (const auto quick = read_trace_step_quick(text)) {
    const auto exact = read_exactly(text);
    if (!exact) return "the quick reader accepts only steps the exact reader accepts";
    if (!same_step(*quick, *exact)) return "the quick and the exact reader read a step alike";
  }
  std::size_t length = 0;
  if (const auto quick = read_trace_step_quick(text, &length)) {
    if (length == 0 || length > text.size() || text[length - 1] != '}')
      return "a step read at the start of a text ends at its closing brace";
    const auto whole = read_trace_step_quick(text.substr(0, length));
    if (!whole || !same_step(*quick, *whole))
      return "a step read at the start of a text is the step read alone";
  }
  return "";
}

// A trace file (an experiment document or JSON Lines), read step by step as `stepcalc
// trace` reads it, on a preset model and GPU when a step names none. Read twice: cut into
// texts, each read by nlohmann (the exact way), and pushed in pieces with the steps read
// as they are cut (read_steps(): the quick reader, in place where it can). Both must give
// the same steps, the same errors, and finite step times.
inline std::string run_trace(std::string_view text) {
  if (std::string broken = pushed_alike(text); !broken.empty()) return broken;
  static const Scenario base =
      parse_request_header({{"model", "llama-2-7b-hf"}, {"gpu", "h100-sxm"}, {"tp", 2}});
  TraceSplitter exact(read_text(text), first_read(text) * 3);
  TraceSplitter quick;
  quick.read_steps();
  // Larger pieces than pushed_alike's (each cut step is read again from its start).
  const std::size_t piece = 1 + text.size() % 997;
  std::size_t fed = 0;
  TraceText exact_text, quick_text;
  for (;;) {
    std::string exact_error, quick_error;
    bool exact_more = false, quick_more = false;
    try {
      exact_more = exact.next(exact_text);
    } catch (const InputError &error) {
      exact_error = error.what();
    }
    try {
      TraceSplitter::Poll poll;
      while ((poll = quick.poll(quick_text)) == TraceSplitter::Poll::NeedMore) {
        if (fed >= text.size()) {
          quick.end_input();
        } else {
          quick.feed(text.substr(fed, piece));
          fed += piece;
        }
      }
      quick_more = poll == TraceSplitter::Poll::Step;
    } catch (const InputError &error) {
      quick_error = error.what();
    }
    if (exact_error != quick_error || exact_more != quick_more)
      return "reading steps as the file is cut cuts it as before";
    if (!exact_error.empty() || !exact_more) return "";
    if (!quick_text.text.empty() && quick_text.text != exact_text.text)
      return "a step not read in place keeps its text";
    if (quick_text.index != exact_text.index || quick_text.line != exact_text.line)
      return "a step read in place keeps its place in the file";
    const auto step = read_exactly(exact_text.text);
    if (quick_text.step) {
      if (!step) return "the quick reader accepts only steps the exact reader accepts";
      if (!same_step(*quick_text.step, *step)) return "the quick and the exact reader read a step alike";
    }
    if (!step) continue; // a bad step: the CLI stops there, or skips it with --skip-bad
    const Scenario &scenario = step->request ? *step->request : base;
    const TraceResult result = evaluate_trace_step(scenario, Step(step->prefill, step->decode));
    if (!std::isfinite(result.prediction.step_time_us)) return "every step time is finite";
  }
}

// Every entry point by its short name: fuzz/fuzz_<name>.cpp drives it, fuzz/corpus/fuzz_<name>/
// seeds it, and tests/data/fuzz-regressions/<name>-* replays its findings.
using EntryPoint = std::string (*)(std::string_view);
inline const std::map<std::string, EntryPoint> &entry_points() {
  static const std::map<std::string, EntryPoint> named = {
      {"compute", run_compute}, {"config", run_config},           {"datasheet", run_datasheet},
      {"sweep", run_sweep},     {"trace", run_trace},             {"trace_step", run_trace_step}};
  return named;
}

} // namespace stepcalc::fuzz
