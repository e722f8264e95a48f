// Trace mode: cutting files into steps, reading steps, the quick reader against the
// exact one, and the summary.

#include "stepcalc/trace.hpp"

#include <sstream>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/trace_fast.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;

namespace {

std::vector<TraceText> split(const std::string &file, TraceFormat *format = nullptr,
                             std::optional<int64_t> *tp = nullptr) {
  std::istringstream in(file);
  TraceSplitter splitter([&in](char *data, std::size_t size) {
    in.read(data, static_cast<std::streamsize>(size));
    return static_cast<std::size_t>(in.gcount());
  });
  std::vector<TraceText> out;
  TraceText text;
  while (splitter.next(text))
    out.push_back(text);
  if (format) *format = splitter.format();
  if (tp) *tp = splitter.tensor_parallelism();
  return out;
}

std::string split_error(const std::string &file) {
  try {
    split(file);
  } catch (const InputError &error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("an experiment document is cut into its steps, whatever the strings hold") {
  const std::string doc =
      "\xef\xbb\xbf{\"experiment\": \"a [tricky] {name} \\\" \\\\\", \"tensor_parallelism\": 4,\n"
      " \"steps\": [ {\"step_id\": 1, \"note\": \"]}\\\"[{\"},\n"
      "  {\"step_id\": 2, \"decode_reqs\": [{\"context_length\": 5}]} ],\n"
      " \"requests\": [{\"id\": \"[\"}]}\n";
  TraceFormat format;
  std::optional<int64_t> tp;
  const auto steps = split(doc, &format, &tp);
  CHECK(format == TraceFormat::Experiment);
  CHECK(tp == 4);
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].text == "{\"step_id\": 1, \"note\": \"]}\\\"[{\"}");
  CHECK(steps[1].text == "{\"step_id\": 2, \"decode_reqs\": [{\"context_length\": 5}]}");
  CHECK(steps[1].index == 1);
  CHECK(split("{\"steps\": []}").empty());
}

TEST_CASE("strings that cross the reader's 1 MiB chunks keep their escapes") {
  // A backslash run just before and after the chunk boundary, in every alignment.
  for (int shift = -4; shift <= 4; ++shift) {
    CAPTURE(shift);
    const std::string head = "{\"steps\": [{\"pad\": \"";
    const std::size_t fill = (1u << 20) - head.size() + static_cast<std::size_t>(shift + 4) - 4;
    const std::string step1 = "{\"pad\": \"" + std::string(fill, 'x') + "\\\\\\\"]\\\\\"}";
    const std::string doc = "{\"steps\": [" + step1 + ", {\"step_id\": 2}]}";
    const auto steps = split(doc);
    REQUIRE(steps.size() == 2);
    CHECK(steps[0].text == step1);
    CHECK(steps[1].text == "{\"step_id\": 2}");
  }
}

TEST_CASE("JSON Lines: one record per line, blank lines and CRLF allowed, lines numbered") {
  TraceFormat format;
  const auto lines = split("{\"step_id\": 1}\r\n\n  \n{\"step_id\": 2, \"s\": \"}\"}\n{bad json\n", &format);
  CHECK(format == TraceFormat::JsonLines);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].line == 1);
  CHECK(lines[1].line == 4);
  CHECK(lines[1].text == "{\"step_id\": 2, \"s\": \"}\"}");
  CHECK(lines[2].line == 5); // cut at the newline: a broken record does not swallow the next
  CHECK(lines[2].text == "{bad json");
}

TEST_CASE("files that cannot be cut are errors that say why") {
  CHECK(split_error("") == "trace: the file is empty; expected an experiment document or JSON Lines");
  CHECK(split_error("[1, 2]") == "trace: expected a JSON object (an experiment document or JSON Lines), got '['");
  CHECK(split_error("{\"steps\": [{\"step_id\": 1}, {\"step_id\": 2, \"decode_reqs\": [") ==
        "trace: the file ends inside a step (cut off mid-step?)");
  CHECK(split_error("{\"steps\": [{\"step_id\": 1}") == "trace: the file ends inside steps (cut off mid-step?)");
  CHECK(split_error("{\"steps\": [{\"step_id\": 1} {\"step_id\": 2}]}") ==
        "steps[1]: expected , between steps, got '{'");
  CHECK(split_error("{\"a\": 1,\n\"b\": 2}\n") ==
        "line 1: a JSON Lines record must be one line (a document without a \"steps\" array is "
        "read as JSON Lines)");
  CHECK(split_error("{\"steps\": []} {\"x\": 1}") == "trace: text after the document's end");
}

TEST_CASE("a training-format step reads its entries, id and duration; totals must match") {
  const json step = json::parse(R"({"step_id": 7, "prefill_reqs": [{"request_id": "r1",
      "tokens_this_step": 100, "prompt_tokens": 400}], "decode_reqs": [{"request_id": "r2",
      "context_length": 50}, {"context_length": 60}], "total_prefill_tokens": 100,
      "total_decode_tokens": 2, "batch_size": 3, "duration_us": 1234.5, "extra": [1]})");
  const TraceStep read = read_trace_step(step, "steps[3]");
  CHECK(read.step_id == "7");
  CHECK(read.duration_us == 1234.5);
  REQUIRE(read.prefill.size() == 1);
  CHECK(read.prefill[0].tokens_this_step == 100);
  CHECK(read.prefill[0].prompt_tokens == 400);
  REQUIRE(read.decode.size() == 2);
  CHECK(read.decode[1].context_length == 60);

  json wrong = step;
  wrong["total_decode_tokens"] = 3;
  CHECK_THROWS_WITH_AS(read_trace_step(wrong, "steps[3]"),
                       "steps[3].total_decode_tokens: is 3 but the decode entries come to 2", InputError);
  wrong = step;
  wrong["batch_size"] = 2;
  CHECK_THROWS_WITH_AS(read_trace_step(wrong, "line 9"),
                       "line 9.batch_size: is 2 but the prefill and decode entries come to 3", InputError);
  wrong = step;
  wrong["prefill_reqs"][0]["tokens_this_step"] = 500;
  CHECK_THROWS_WITH_AS(read_trace_step(wrong, "steps[3]"),
                       "steps[3].prefill_reqs[0].tokens_this_step: 500 exceeds prompt_tokens 400", InputError);
  wrong = step;
  wrong["decode_reqs"][1].erase("context_length");
  CHECK_THROWS_WITH_AS(read_trace_step(wrong, "steps[3]"),
                       "steps[3].decode_reqs[1].context_length: missing; expected an integer from 1 to 100000000",
                       InputError);
}

TEST_CASE("a whole request as a JSON Lines record carries its own scenario") {
  const json line = json::parse(R"({"step_id": "a", "duration_us": 10, "model": "llama-2-7b-hf",
      "gpu": "h100-sxm", "tp": 2, "step": {"decode": [{"context_length": 100, "count": 3}]}})");
  const TraceStep read = read_trace_step(line, "line 1");
  REQUIRE(read.request.has_value());
  CHECK(read.request->tp == 2);
  CHECK(read.step_id == "\"a\"");
  CHECK(read.decode.at(0).count == 3);
  json bad = line;
  bad["tp"] = 0;
  CHECK_THROWS_WITH_AS(read_trace_step(bad, "line 4"), "line 4.tp: must be an integer from 1 to 4096, got 0",
                       InputError);
}

TEST_CASE("a trace step's numbers are the calculator's for the same batch") {
  const Scenario scenario = parse_request(json::parse(R"({"model": "mixtral-8x7b-v0.1",
      "gpu": "a100-sxm-80gb", "tp": 2, "step": {"prefill": [{"tokens_this_step": 300,
      "prompt_tokens": 900}], "decode": [{"context_length": 40}, {"context_length": 4000}]}})"));
  const StepResult full = evaluate(scenario);
  const TraceResult trace = evaluate_trace_step(scenario, scenario.step);
  CHECK(trace.prediction.step_time_us == full.prediction.step_time_us);
  CHECK(trace.basis.t_weight == full.basis.t_weight);
  CHECK(trace.prediction.features == full.prediction.features);
}

TEST_CASE("the quick reader agrees with the exact one, or leaves the step to it") {
  FastTraceReader fast;
  const std::vector<std::string> texts = {
      R"({"step_id": 3, "prefill_reqs": [{"tokens_this_step": 5, "prompt_tokens": 9, "request_id": "x"}], "decode_reqs": [{"context_length": 7}], "total_prefill_tokens": 5, "total_decode_tokens": 1, "batch_size": 2, "duration_us": 12.5})",
      R"({"decode_reqs": [{"context_length": 7}, {"context_length": 100000000}]})",
      R"({"step_id": "s-1", "decode_reqs": []})",                   // a string id: left to the exact reader
      R"({"step_id": 1, "step_id": 2, "decode_reqs": []})",         // a duplicate key
      R"({"decode_reqs": [{"context_length": 0}]})",                // out of range
      R"({"decode_reqs": [{"context_length": 7.0}]})",              // integral, but a float
      R"({"total_decode_tokens": 2, "decode_reqs": [{"context_length": 7}]})", // wrong total
      R"({"model": "llama-2-7b-hf", "gpu": "l4", "step": {}})",     // a whole request
      R"({"decode_reqs": [{"context_length": 7}]} trailing)",       // not JSON
  };
  int quick = 0;
  for (std::string text : texts) {
    CAPTURE(text);
    const std::string original = text;
    const auto fast_step = fast.read(text);
    CHECK(text == original); // the padding is taken off again
    json parsed = json::parse(original, nullptr, false);
    std::optional<TraceStep> exact;
    if (!parsed.is_discarded()) {
      try {
        exact = read_trace_step(parsed, "steps[0]");
      } catch (const InputError &) {
      }
    }
    if (!fast_step) continue;
    ++quick;
    REQUIRE(exact.has_value());
    CHECK(fast_step->step_id == exact->step_id);
    CHECK(fast_step->duration_us == exact->duration_us);
    REQUIRE(fast_step->prefill.size() == exact->prefill.size());
    REQUIRE(fast_step->decode.size() == exact->decode.size());
    for (std::size_t i = 0; i < exact->decode.size(); ++i)
      CHECK(fast_step->decode[i].context_length == exact->decode[i].context_length);
  }
  CHECK(quick == 2); // the first two; every other text is the exact reader's
}

TEST_CASE("the summary: dominant terms by steps, and errors against durations by hand") {
  TraceSummary summary;
  TraceResult a, b;
  a.prediction.contributions_us = {5, 1, 0, 0, 0, 0, 0};
  a.prediction.step_time_us = 110;
  b.prediction.contributions_us = {0, 1, 9, 0, 0, 0, 0};
  b.prediction.step_time_us = 80;
  summary.add(a, 100.0); // +10 us, 10 %
  summary.add(b, 100.0); // -20 us, 20 %
  summary.add(b, std::nullopt);
  const auto out = summary.to_json();
  CHECK(out["steps"] == 3);
  CHECK(out["total_predicted_us"].get<double>() == 270);
  CHECK(out["dominant_share"]["prefill"].get<double>() == doctest::Approx(1.0 / 3));
  CHECK(out["dominant_share"]["weight"].get<double>() == doctest::Approx(2.0 / 3));
  CHECK(out["timed_steps"] == 2);
  CHECK(out["mape_pct"].get<double>() == doctest::Approx(15));
  CHECK(out["mae_us"].get<double>() == doctest::Approx(15));
  CHECK(out["rmse_us"].get<double>() == doctest::Approx(std::sqrt((100.0 + 400.0) / 2)));
}

TEST_CASE("pushed in pieces of any size, a trace cuts into the same steps as read whole") {
  const std::string doc =
      "{\"experiment\": \"e\", \"tensor_parallelism\": 2, \"steps\": [\n"
      " {\"step_id\": 1, \"s\": \"a]\\\\\\\"}\", \"decode_reqs\": [{\"context_length\": 5}]},\n"
      " {\"step_id\": 2, \"prefill_reqs\": []}\n], \"requests\": [{\"x\": \"}\"}]}\n";
  const std::string lines = "{\"step_id\": 1}\n\n{\"step_id\": 2, \"t\": \"\\\\\"}\r\n{\"step_id\": 3}";
  for (const std::string &file : {doc, lines}) {
    const auto whole = split(file);
    for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
      CAPTURE(piece);
      TraceSplitter splitter;
      std::vector<TraceText> got;
      std::size_t fed = 0;
      TraceText text;
      for (;;) {
        const auto poll = splitter.poll(text);
        if (poll == TraceSplitter::Poll::Step) {
          got.push_back(text);
        } else if (poll == TraceSplitter::Poll::End) {
          break;
        } else if (fed < file.size()) {
          splitter.feed(std::string_view(file).substr(fed, piece));
          fed += piece;
        } else {
          splitter.end_input();
        }
      }
      REQUIRE(got.size() == whole.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].text == whole[i].text);
        CHECK(got[i].line == whole[i].line);
        CHECK(got[i].index == whole[i].index);
      }
    }
  }
  // Cut off: the end of input inside a step is the same error as in a file.
  TraceSplitter cut;
  cut.feed("{\"steps\": [{\"step_id\": 1, \"decode_reqs\": [");
  TraceText text;
  CHECK(cut.poll(text) == TraceSplitter::Poll::NeedMore);
  cut.end_input();
  CHECK_THROWS_WITH_AS(cut.poll(text), "trace: the file ends inside a step (cut off mid-step?)", InputError);
}
