#include "trace_command.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/trace.hpp"
#include "stepcalc/trace_fast.hpp"

namespace stepcalc::cli {

namespace {

constexpr int kExitOk = 0, kExitBadInput = 2, kExitInternal = 1;
constexpr int kSkippedShown = 20; // skipped steps named on stderr; the rest are counted

constexpr const char *kTraceUsage = R"(usage: stepcalc trace [--model M --gpu G] [--tp N] [--coefficients C]
                      [--format jsonl|csv] [--skip-bad] [-o OUT] FILE|-

Runs every step of a trace through the model and writes one record per step, in
file order, to stdout. A trace is either
  - an experiment document in the training pipeline's reconstruct format:
    {"tensor_parallelism": 4, ..., "steps": [{"step_id", "prefill_reqs": [{"tokens_this_step",
    "prompt_tokens"}], "decode_reqs": [{"context_length"}], "total_prefill_tokens",
    "total_decode_tokens", "batch_size"}, ...]}
  - or JSON Lines: one such step per line, or one whole request per line
    ({"model", "gpu", "tp", "coefficients", "step"}), so one file can mix scenarios.
Any step may carry "step_id" and "duration_us" (its measured time).

--model and --gpu (preset ids, or paths of a config.json and a datasheet) are needed
for steps in the training format. TP comes from the document's tensor_parallelism
unless --tp is given (default 1 for JSON Lines).

Records (JSONL): {"step_id", "basis": {six terms, num_layers, batch_size},
"features": [7], "step_time_us", "duration_us"?, "error_pct"?}; CSV has the same
columns with a header row. They go to stdout, or to OUT with -o. A summary goes to
stderr.

A bad step stops the run (exit 2) with its line number or position; with --skip-bad
it is skipped, named on stderr and counted in the summary.
)";

struct Options {
  std::optional<std::string> model, gpu, coefficients;
  std::optional<int64_t> tp;
  bool csv = false, skip_bad = false;
  std::string file = "-";
  std::optional<std::string> output;
};

int bad_input(const std::string &message) {
  std::cerr << "error: " << message << '\n';
  return kExitBadInput;
}

// A preset id stays a string; anything that names a file is read as its JSON.
nlohmann::json preset_or_file(const std::string &value, const std::string &where) {
  std::error_code status;
  if (!std::filesystem::is_regular_file(value, status)) return value;
  std::ifstream file(value, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_json_text(text, where);
}

// Numbers as JSON writes them: shortest text that reads back as the same double.
void append_number(std::string &out, double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

void append_number(std::string &out, int64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

class RecordWriter {
public:
  RecordWriter(bool csv, std::FILE *out) : csv_(csv), file_(out) {
    if (csv_) {
      out_ = "step_id,t_pf_compute,t_pf_kv,t_dc_compute,t_dc_kv,t_weight,t_tp,num_layers,"
             "batch_size,x1,x2,x3,x4,x5,x6,x7,step_time_us,duration_us,error_pct\n";
    }
  }
  ~RecordWriter() { flush(); }

  void write(const std::string &step_id, const TraceResult &r, std::optional<double> duration) {
    const BasisValues &b = r.basis;
    const double terms[] = {b.t_pf_compute, b.t_pf_kv, b.t_dc_compute, b.t_dc_kv, b.t_weight, b.t_tp};
    static constexpr const char *kNames[] = {"t_pf_compute", "t_pf_kv", "t_dc_compute",
                                             "t_dc_kv", "t_weight", "t_tp"};
    const double predicted = r.prediction.step_time_us;
    std::optional<double> error_pct;
    if (duration && *duration > 0) error_pct = (predicted - *duration) / *duration * 100;
    if (csv_) {
      out_ += csv_field(step_id);
      for (double term : terms) out_ += ',', append_number(out_, term);
      out_ += ',', append_number(out_, b.num_layers);
      out_ += ',', append_number(out_, b.batch_size);
      for (double x : r.prediction.features) out_ += ',', append_number(out_, x);
      out_ += ',', append_number(out_, predicted);
      out_ += ',';
      if (duration) append_number(out_, *duration);
      out_ += ',';
      if (error_pct) append_number(out_, *error_pct);
      out_ += '\n';
    } else {
      out_ += "{\"step_id\":" + step_id + ",\"basis\":{";
      for (std::size_t i = 0; i < 6; ++i) {
        out_ += '"', out_ += kNames[i], out_ += "\":", append_number(out_, terms[i]), out_ += ',';
      }
      out_ += "\"num_layers\":", append_number(out_, b.num_layers);
      out_ += ",\"batch_size\":", append_number(out_, b.batch_size);
      out_ += "},\"features\":[";
      for (std::size_t i = 0; i < kFeatureCount; ++i) {
        if (i) out_ += ',';
        append_number(out_, r.prediction.features[i]);
      }
      out_ += "],\"step_time_us\":", append_number(out_, predicted);
      if (duration) out_ += ",\"duration_us\":", append_number(out_, *duration);
      if (error_pct) out_ += ",\"error_pct\":", append_number(out_, *error_pct);
      out_ += "}\n";
    }
    if (out_.size() > (1u << 16)) flush();
  }

  void flush() {
    std::fwrite(out_.data(), 1, out_.size(), file_);
    out_.clear();
  }

private:
  // A JSON string id ("\"abc\"") is written as CSV text, quoted when it needs to be.
  static std::string csv_field(const std::string &step_id) {
    if (step_id.empty() || step_id.front() != '"') return step_id;
    const std::string text = nlohmann::json::parse(step_id).get<std::string>();
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + '"';
  }

  bool csv_;
  std::FILE *file_;
  std::string out_;
};

std::string human_seconds(double us) {
  char text[48];
  std::snprintf(text, sizeof text, "%.6g s", us / 1e6);
  return text;
}

void print_summary(const TraceSummary &summary) {
  const auto json = summary.to_json();
  std::string shares;
  for (const auto &item : json["dominant_share"].items()) {
    const double share = item.value().get<double>();
    if (share == 0) continue;
    char text[64];
    std::snprintf(text, sizeof text, "%s%s %.1f%%", shares.empty() ? "" : ", ", item.key().c_str(), share * 100);
    shares += text;
  }
  std::fprintf(stderr, "trace: %lld steps, %lld skipped; predicted total %s\n",
               static_cast<long long>(summary.steps), static_cast<long long>(summary.skipped),
               human_seconds(summary.predicted_us).c_str());
  if (summary.steps > 0) std::fprintf(stderr, "trace: dominant term by steps: %s\n", shares.c_str());
  if (summary.timed > 0) {
    std::fprintf(stderr, "trace: against %lld measured durations: MAPE %.3g%%, RMSE %.6g us, MAE %.6g us\n",
                 static_cast<long long>(summary.timed), json["mape_pct"].get<double>(),
                 json["rmse_us"].get<double>(), json["mae_us"].get<double>());
  }
}

bool parse_options(int argc, char **argv, Options &options, std::string &error) {
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&](std::string &out) {
      if (i + 1 >= argc) {
        error = "arguments: " + std::string(arg) + " needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string text;
    if (arg == "--model" || arg == "--gpu" || arg == "--coefficients") {
      if (!value(text)) return false;
      (arg == "--model" ? options.model : arg == "--gpu" ? options.gpu : options.coefficients) = text;
    } else if (arg == "--tp") {
      if (!value(text)) return false;
      int64_t tp = 0;
      const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), tp);
      if (status != std::errc() || end != text.data() + text.size() || tp < 1 || tp > 4096) {
        error = "--tp: must be an integer from 1 to 4096, got \"" + text + "\"";
        return false;
      }
      options.tp = tp;
    } else if (arg == "--format") {
      if (!value(text)) return false;
      if (text != "jsonl" && text != "csv") {
        error = "--format: expected jsonl or csv, got \"" + text + "\"";
        return false;
      }
      options.csv = text == "csv";
    } else if (arg == "-o" || arg == "--output") {
      if (!value(text)) return false;
      options.output = text;
    } else if (arg == "--skip-bad") {
      options.skip_bad = true;
    } else if (arg.size() > 1 && arg.front() == '-' && arg != "-") {
      error = "arguments: unknown option " + std::string(arg) + " (see stepcalc trace --help)";
      return false;
    } else if (options.file != "-") {
      error = "arguments: trace takes one FILE";
      return false;
    } else {
      options.file = std::string(arg);
    }
  }
  return true;
}

// The scenario for steps in the training format: from the options and the document.
class BaseScenario {
public:
  BaseScenario(const Options &options) : options_(options) {}

  const Scenario &get(const TraceSplitter &splitter, const std::string &where) {
    if (scenario_) return *scenario_;
    if (!options_.model || !options_.gpu) {
      throw InputError(where, "a step in the training format needs --model and --gpu");
    }
    int64_t tp = 1;
    if (options_.tp) {
      tp = *options_.tp;
    } else if (splitter.format() == TraceFormat::Experiment) {
      if (!splitter.tensor_parallelism()) {
        throw InputError("tensor_parallelism", "the document has none before its steps; pass --tp");
      }
      tp = *splitter.tensor_parallelism();
    }
    nlohmann::json header = {{"model", preset_or_file(*options_.model, "--model")},
                             {"gpu", preset_or_file(*options_.gpu, "--gpu")},
                             {"tp", tp}};
    if (options_.coefficients) header["coefficients"] = preset_or_file(*options_.coefficients, "--coefficients");
    scenario_ = parse_request_header(header);
    return *scenario_;
  }

private:
  const Options &options_;
  std::optional<Scenario> scenario_;
};

int trace(std::istream &in, const Options &options, std::FILE *out) {
  TraceSplitter splitter(in);
  BaseScenario base(options);
  RecordWriter writer(options.csv, out);
  TraceSummary summary;
  TraceText text;
  FastTraceReader fast;
  for (;;) {
    if (!splitter.next(text)) break; // an error here (a cut file) cannot be skipped
    const bool lines = splitter.format() == TraceFormat::JsonLines;
    const std::string where = lines ? "line " + std::to_string(text.line)
                                    : "steps[" + std::to_string(text.index) + "]";
    try {
      std::optional<TraceStep> quick = fast.read(text.text);
      const TraceStep step = quick ? std::move(*quick) : read_trace_step(parse_json_text(text.text, where), where);
      const Scenario &scenario = step.request ? *step.request : base.get(splitter, where);
      const TraceResult result = evaluate_trace_step(scenario, Step(step.prefill, step.decode));
      const std::string id = !step.step_id.empty() ? step.step_id
                                                   : std::to_string(lines ? text.line : text.index);
      writer.write(id, result, step.duration_us);
      summary.add(result, step.duration_us);
    } catch (const InputError &error) {
      if (!options.skip_bad) {
        writer.flush();
        print_summary(summary);
        return bad_input(error.what());
      }
      if (++summary.skipped <= kSkippedShown) std::cerr << "skipped: " << error.what() << '\n';
    }
  }
  writer.flush();
  if (summary.skipped > kSkippedShown) {
    std::cerr << "skipped: ... and " << summary.skipped - kSkippedShown << " more\n";
  }
  print_summary(summary);
  return kExitOk;
}

} // namespace

int run_trace(int argc, char **argv) {
  if (argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
    std::cout << kTraceUsage;
    return kExitOk;
  }
  Options options;
  std::string error;
  if (!parse_options(argc, argv, options, error)) return bad_input(error);
  std::FILE *out = stdout;
  if (options.output) {
    out = std::fopen(options.output->c_str(), "wb");
    if (out == nullptr) return bad_input(*options.output + ": cannot write the file");
  }
  // Closes OUT on every way out of the run.
  const std::unique_ptr<std::FILE, int (*)(std::FILE *)> closer(out == stdout ? nullptr : out, &std::fclose);
  try {
    if (options.file == "-") return trace(std::cin, options, out);
    std::error_code status;
    if (std::filesystem::is_directory(options.file, status)) {
      return bad_input(options.file + ": is a directory, not a trace file");
    }
    std::ifstream file(options.file, std::ios::binary);
    if (!file) return bad_input(options.file + ": cannot open the file");
    return trace(file, options, out);
  } catch (const InputError &input_error) {
    return bad_input(input_error.what());
  } catch (const std::exception &internal) {
    std::cerr << "error: internal: " << internal.what() << '\n';
    return kExitInternal;
  }
}

} // namespace stepcalc::cli
