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
#include "stepcalc/fit.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/trace.hpp"

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

constexpr const char *kFitUsage = R"(usage: stepcalc fit [--model M --gpu G] [--tp N] [--coefficients C] [--lambda X]
                    [--holdout FRACTION] [--skip-bad] FILE...

Fits beta by non-negative least squares to every step with a "duration_us", pooled
over all FILEs (traces as `stepcalc trace` reads them). As the training pipeline
does, --lambda X (default 0, at most 1e30) adds X * sum (beta_i - 1)^2 over beta1..beta4
to the squared error (in us^2), pulling them towards 1. A
stable hash of each step's id holds out FRACTION of the steps (default 0.2) for
testing. Prints JSON: {"beta": [7], "steps": {"train", "test", "untimed"},
"before": {"mape_pct", "rmse_us", "mae_us"}, "after": {...}, "notes": [...]},
"before" with the current coefficients (--coefficients, or each request's own) and
"after" with the fitted beta, both on the test steps. Coefficients the data cannot
tell apart (constant or collinear columns, as t_weight, L and the constant are
within one dense model's experiment) are named in a note.
)";

struct Options {
  std::optional<std::string> model, gpu, coefficients;
  std::optional<int64_t> tp;
  bool csv = false, skip_bad = false;
  std::vector<std::string> files;
  std::optional<std::string> output;
  double lambda = 0, holdout = 0.2;
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
      out_ += step_id_csv(step_id);
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
  bool csv_;
  std::FILE *file_;
  std::string out_;
};

std::string human_seconds(double us) {
  char text[48];
  std::snprintf(text, sizeof text, "%.6g s", us / 1e6);
  return text;
}

// "TP 4", or "TP 1, 2 and 8 (per line)" when whole-request lines differ; "" without steps.
std::string tp_text(const std::vector<int64_t> &tps) {
  std::string text;
  for (std::size_t i = 0; i < tps.size(); ++i) {
    text += i == 0 ? "TP " : i + 1 == tps.size() ? " and " : ", ";
    text += std::to_string(tps[i]);
  }
  return tps.size() > 1 ? text + " (per line)" : text;
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
  const std::string tp = tp_text(summary.tps);
  std::fprintf(stderr, "trace: %lld steps, %lld skipped; %s%spredicted total %s\n",
               static_cast<long long>(summary.steps), static_cast<long long>(summary.skipped),
               tp.c_str(), tp.empty() ? "" : "; ", human_seconds(summary.predicted_us).c_str());
  if (summary.steps > 0) std::fprintf(stderr, "trace: dominant term by steps: %s\n", shares.c_str());
  if (summary.timed > 0) {
    std::fprintf(stderr, "trace: against %lld measured durations: MAPE %.3g%%, RMSE %.6g us, MAE %.6g us\n",
                 static_cast<long long>(summary.timed), json["mape_pct"].get<double>(),
                 json["rmse_us"].get<double>(), json["mae_us"].get<double>());
  }
}

// A number option's value in [min, max].
bool number_option(std::string_view name, const std::string &text, double min, double max,
                   double &out, std::string &error) {
  double value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc() || end != text.data() + text.size() || !(value >= min && value <= max)) {
    char range[64];
    std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
    error = std::string(name) + ": must be " + range + ", got \"" + text + "\"";
    return false;
  }
  out = value;
  return true;
}

// `fit` takes any number of FILEs and --lambda, --holdout; `trace` one FILE, --format, -o.
bool parse_options(int argc, char **argv, Options &options, std::string &error, bool fit) {
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
    } else if (fit && arg == "--lambda") {
      if (!value(text) || !number_option(arg, text, 0, 1e30, options.lambda, error)) return false;
    } else if (fit && arg == "--holdout") {
      if (!value(text) || !number_option(arg, text, 0, 0.9, options.holdout, error)) return false;
    } else if (!fit && arg == "--format") {
      if (!value(text)) return false;
      if (text != "jsonl" && text != "csv") {
        error = "--format: expected jsonl or csv, got \"" + text + "\"";
        return false;
      }
      options.csv = text == "csv";
    } else if (!fit && (arg == "-o" || arg == "--output")) {
      if (!value(text)) return false;
      options.output = text;
    } else if (arg == "--skip-bad") {
      options.skip_bad = true;
    } else if (arg.size() > 1 && arg.front() == '-' && arg != "-") {
      error = "arguments: unknown option " + std::string(arg) + " (see stepcalc " +
              (fit ? "fit" : "trace") + " --help)";
      return false;
    } else {
      options.files.emplace_back(arg);
    }
  }
  if (options.files.empty()) options.files.emplace_back("-");
  if (!fit && options.files.size() > 1) {
    error = "arguments: trace takes one FILE";
    return false;
  }
  return true;
}

// A splitter's source over a stream.
TraceSplitter::Source read_from(std::istream &in) {
  return [&in](char *data, std::size_t size) {
    in.read(data, static_cast<std::streamsize>(size));
    return static_cast<std::size_t>(in.gcount());
  };
}

// The request header of steps in the training format, from the options.
TraceBaseScenario base_scenario(const Options &options) {
  nlohmann::json header = nlohmann::json::object();
  if (options.model) header["model"] = preset_or_file(*options.model, "--model");
  if (options.gpu) header["gpu"] = preset_or_file(*options.gpu, "--gpu");
  if (options.coefficients) header["coefficients"] = preset_or_file(*options.coefficients, "--coefficients");
  return TraceBaseScenario(header, options.tp, "--model and --gpu");
}

// Every step of one trace, evaluated, to use(read). A bad step throws, or is
// skipped (named on stderr, counted) with --skip-bad; a file that cannot be cut throws.
template <typename Use>
void read_trace(std::istream &in, const Options &options, TraceSummary &summary, Use &&use) {
  TraceSplitter splitter(read_from(in));
  splitter.read_steps();
  TraceBaseScenario base = base_scenario(options);
  TraceText text;
  const auto skip = [&summary](const InputError &error) {
    if (++summary.skipped <= kSkippedShown) std::cerr << "skipped: " << error.what() << '\n';
  };
  try {
    while (splitter.next(text)) {
      try {
        const TraceStepRead read = read_trace_text(text, splitter, base);
        use(read);
        summary.add(read);
      } catch (const InputError &error) {
        if (!options.skip_bad) throw;
        skip(error);
      }
    }
  } catch (const TraceCutOff &error) { // the steps before it stand
    if (!options.skip_bad) throw;
    skip(error);
  }
}

void report_skipped(const TraceSummary &summary) {
  if (summary.skipped > kSkippedShown) {
    std::cerr << "skipped: ... and " << summary.skipped - kSkippedShown << " more\n";
  }
}

int trace(std::istream &in, const Options &options, std::FILE *out) {
  RecordWriter writer(options.csv, out);
  TraceSummary summary;
  try {
    read_trace(in, options, summary, [&](const TraceStepRead &read) {
      writer.write(read.id, read.result, read.duration_us);
    });
  } catch (const InputError &) {
    writer.flush();
    print_summary(summary);
    throw;
  }
  writer.flush();
  report_skipped(summary);
  print_summary(summary);
  return kExitOk;
}

// Opens FILE ("-" is stdin) and runs `body` on it.
template <typename Body> void with_input(const std::string &path, Body &&body) {
  if (path == "-") return body(std::cin);
  std::error_code status;
  if (std::filesystem::is_directory(path, status)) {
    throw InputError(path, "is a directory, not a trace file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(path, "cannot open the file");
  body(file);
}

} // namespace

int run_trace(int argc, char **argv) {
  if (argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
    std::cout << kTraceUsage;
    return kExitOk;
  }
  Options options;
  std::string error;
  if (!parse_options(argc, argv, options, error, false)) return bad_input(error);
  std::FILE *out = stdout;
  if (options.output) {
    out = std::fopen(options.output->c_str(), "wb");
    if (out == nullptr) return bad_input(*options.output + ": cannot write the file");
  }
  // Closes OUT on every way out of the run.
  const std::unique_ptr<std::FILE, int (*)(std::FILE *)> closer(out == stdout ? nullptr : out, &std::fclose);
  try {
    int status = kExitOk;
    with_input(options.files.front(), [&](std::istream &in) { status = trace(in, options, out); });
    return status;
  } catch (const InputError &input_error) {
    return bad_input(input_error.what());
  } catch (const std::exception &internal) {
    std::cerr << "error: internal: " << internal.what() << '\n';
    return kExitInternal;
  }
}

int run_fit(int argc, char **argv) {
  if (argc >= 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
    std::cout << kFitUsage;
    return kExitOk;
  }
  Options options;
  std::string error;
  if (!parse_options(argc, argv, options, error, true)) return bad_input(error);
  try {
    FitData data;
    TraceSummary summary;
    int64_t untimed = 0;
    for (const std::string &path : options.files) {
      with_input(path, [&](std::istream &in) {
        read_trace(in, options, summary, [&](const TraceStepRead &read) {
          if (!read.duration_us || !(*read.duration_us > 0)) {
            ++untimed;
            return;
          }
          data.add({read.result.prediction.features, *read.duration_us, read.result.prediction.step_time_us},
                   holdout_position(read.id) < options.holdout);
        });
      });
    }
    report_skipped(summary);
    std::cout << fit_report(data, options.lambda, untimed, summary.skipped).dump(2) << '\n';
    return kExitOk;
  } catch (const InputError &input_error) {
    return bad_input(input_error.what());
  } catch (const std::exception &internal) {
    std::cerr << "error: internal: " << internal.what() << '\n';
    return kExitInternal;
  }
}

} // namespace stepcalc::cli
