// Trace mode: cutting files into steps, reading steps, the quick reader against the
// exact one, and the summary.

#include "stepcalc/trace.hpp"

#include <sstream>

#include "stepcalc/calculator.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/trace_quick.hpp"
#include "stepcalc/trace_run.hpp"
#include "entry_points.hpp"
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

TEST_CASE("a first line that is not valid JSON is JSON Lines' bad line 1, however long") {
  // Longer than the reader's 1 MiB chunks, after a blank line: the bytes of line 2 are
  // kept while the first object is read, so it can be read again as a record.
  const std::string bad = "{\"step_id\": 0, \"s\": \"" + std::string(3 << 20, 'x') + "\", oops}";
  TraceFormat format;
  const auto lines = split("\n" + bad + "\n{\"step_id\": 1}\n", &format);
  CHECK(format == TraceFormat::JsonLines);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].line == 2);
  CHECK(lines[0].text == bad);
  CHECK(lines[1].line == 3);
  CHECK(lines[1].text == "{\"step_id\": 1}");
  // Past its first line a file is a document, and the error is the document's; so is a
  // bad value in a document on one line.
  CHECK(split_error("{\n \"experiment\": \"x\", oops\n \"steps\": []}") ==
        "trace: expected a field name in the document, got oops");
  CHECK(split_error("{\"tensor_parallelism\": 0, \"steps\": [{\"step_id\": 1}]}\n") ==
        "tensor_parallelism: must be an integer from 1 to 4096, got 0");
}

TEST_CASE("a bad JSON Lines record is named by its line, then by its place within the line") {
  // Skipped-step messages of a run over `file`, fed whole.
  const auto skipped = [](const std::string &file) {
    TraceOptions options;
    options.header = {{"model", "llama-2-7b-hf"}, {"gpu", "h100-sxm"}};
    options.skip_bad = true;
    TraceRun run(options);
    run.feed(file);
    run.finish();
    return run.skipped_messages();
  };
  const std::string good = R"({"step_id": 1, "decode_reqs": [{"request_id": "a", "context_length": 9}]})";
  const auto messages = skipped(
      "\n\n" + std::string(R"({"model": "nope", "gpu": "h100-sxm", "step": {}})") + "\n" + good + "\n" +
      R"({"model": "llama-2-7b-hf", "gpu": "h100-sxm", "step": {"decode": [{"context_length": 10, "count": 0}]}})" +
      "\n" + R"({"step_id": 5, "prefill_reqs": [}  )" + "\n" +
      R"({"step_id": 6, "decode_reqs": [{"request_id": "a", "context_length": 0}]})" + "\n[1]\n");
  REQUIRE(messages.size() == 5);
  // The first record is on line 3 (after two blank lines), and is read as it is in the file.
  CHECK(messages[0].rfind("line 3, model: unknown preset \"nope\"", 0) == 0);
  // A request's own path continues the line's: not line 5["step.decode[0].count"].
  CHECK(messages[1] == "line 5, step.decode[0].count: must be an integer from 1 to 1000000, got 0");
  CHECK(messages[2] == "line 6, column 33: invalid JSON: syntax error while parsing value - unexpected "
                       "'}'; expected '[', '{', or a literal");
  CHECK(messages[3] == "line 7, decode_reqs[0].context_length: must be an integer from 1 to 100000000, got 0");
  CHECK(messages[4] == "line 8: expected an object, got an array");
  // A bad first line counts the bytes before its object: a byte-order mark and spaces.
  CHECK(skipped("\xef\xbb\xbf  {\"a\": }\n" + good) ==
        std::vector<std::string>{"line 1, column 12: invalid JSON: syntax error while parsing value - "
                                 "unexpected '}'; expected '[', '{', or a literal"});
  CHECK(skipped("\n   {\"step_id\": 0, oops\n" + good) ==
        std::vector<std::string>{"line 2, column 19: invalid JSON: syntax error while parsing object "
                                 "key - invalid literal; last read: '0, o'; expected string literal"});
}

TEST_CASE("files that cannot be cut are errors that say why") {
  CHECK(split_error("") == "trace: the file is empty; expected an experiment document or JSON Lines");
  CHECK(split_error("[1, 2]") == "trace: expected a JSON object (an experiment document or JSON Lines), got '['");
  CHECK(split_error("{\"steps\": [{\"step_id\": 1}, {\"step_id\": 2, \"decode_reqs\": [") ==
        "steps[1]: the file ends inside this step (cut off mid-step?)");
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

TEST_CASE("the quick reader reads the common steps exactly as the exact reader does") {
  const std::string decodes = [] {
    std::string rows;
    for (int i = 1; i <= limits::kMaxRows; ++i)
      rows += (i > 1 ? "," : "") + std::string("{\"context_length\": ") + std::to_string(i) + "}";
    return rows;
  }();
  const std::vector<std::string> texts = {
      R"({"step_id": 3, "prefill_reqs": [{"request_id": "req-1", "tokens_this_step": 5, "prompt_tokens": 9}], "decode_reqs": [{"request_id": "req-0", "context_length": 7}], "total_prefill_tokens": 5, "total_decode_tokens": 1, "batch_size": 2, "duration_us": 12})",
      R"({"decode_reqs": [{"context_length": 7}, {"context_length": 100000000}], "duration_us": 12.345678901234567})",
      R"({"step_id": "a7", "decode_reqs": [], "duration_us": 1.5e3})",       // a text id; an exponent
      R"({"step_id": 123456789012345678, "decode_reqs": [], "duration_us": 0.1})", // 18 digits
      R"({"step_id": 0, "prefill_reqs": [], "duration_us": 999999999999999.9})",  // just under 1e15
      R"({"x": [true, false, null, -0.25e-3, {"y": [[]], "z": {}}], "w": "~ !#$%&'()*+,-./", "decode_reqs": []})",
      " \t\r\n{\"prefill_reqs\": []}\n",
      "{\"step_id\": 1, \"decode_reqs\": [" + decodes + "]}", // kMaxRows rows
      // Keys that begin as the known ones do, in any order, and "request_id" anywhere.
      R"({"prefill_reqs": [{"prompt_tokens": 9, "request_id": 1, "tokens_this_stepX": 0, "tokens_this_step": 5, "prompt_token": 0}], "decode_reqs": [{"context_lengt": 0, "context_length": 7, "request_idX": "a", "context_length2": 0}]})",
  };
  for (const std::string &text : texts) {
    CAPTURE(text);
    const auto quick = read_trace_step_quick(text);
    REQUIRE(quick.has_value());
    const auto exact = fuzz::read_exactly(text);
    REQUIRE(exact.has_value());
    CHECK(fuzz::same_step(*quick, *exact));
  }
  const auto step = read_trace_step_quick(texts[0]);
  CHECK(step->step_id == "3");
  CHECK(step->numeric_id == 3);
  CHECK(step->prefill[0].tokens_this_step == 5);
  CHECK(step->prefill[0].prompt_tokens == 9);
  CHECK(step->decode[0].context_length == 7);
  CHECK(step->duration_us == 12);
  CHECK(read_trace_step_quick(texts[2])->step_id == "\"a7\"");
  CHECK(!read_trace_step_quick(texts[2])->numeric_id);
  CHECK(read_trace_step_quick(texts[1])->duration_us == 12.345678901234567);
}

TEST_CASE("plain strings are read eight bytes at a time, and a byte it does not take anywhere in them stops it") {
  // Ids of 0 to 24 bytes, each starting at each place in an 8-byte word (the padding key
  // shifts them), then the same ids with one byte the quick reader leaves to the exact
  // reader at each of their places.
  const std::string plain = "abcdefghijklmnopqrstuvwx ~!#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}";
  for (std::size_t shift = 0; shift < 8; ++shift) {
    for (std::size_t length = 0; length <= 24; ++length) {
      const std::string id = plain.substr((shift * 7 + length) % 40, length);
      const std::string head = "{\"decode_reqs\": [], \"p\": \"" + std::string(shift, 'p') + "\", \"step_id\": \"";
      CAPTURE(head + id);
      const auto quick = read_trace_step_quick(head + id + "\"}");
      REQUIRE(quick.has_value());
      CHECK(quick->step_id == "\"" + id + "\"");
      for (std::size_t at = 0; at < length; ++at) {
        for (const std::string stop : {"\\\"", "\\\\", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xff"}) {
          std::string changed = id;
          changed.replace(at, 1, stop);
          CAPTURE(changed);
          CHECK(!read_trace_step_quick(head + changed + "\"}").has_value());
        }
      }
    }
  }
}

TEST_CASE("the quick reader leaves everything else to the exact reader") {
  const std::string too_many = [] {
    std::string rows;
    for (int i = 0; i <= limits::kMaxRows; ++i) rows += (i > 0 ? "," : "") + std::string("{\"context_length\": 1}");
    return "{\"decode_reqs\": [" + rows + "]}";
  }();
  const std::vector<std::string> texts = {
      R"({"model": "llama-2-7b-hf", "gpu": "l4", "step": {}})",      // a whole request
      R"({"step": {"decode": []}})",
      R"({"step_id": "a\"7"})",                                     // an escape
      "{\"step_id\": \"\xc3\xa9\"}",                                // a byte above 0x7f
      "{\"step_id\": \"a\x01\"}",                                   // a control character
      std::string("{\"step_id\": \"a\0b\"}", 16),                   // a NUL byte
      R"({"step_id": 1, "step_id": 2})",                            // a duplicate key
      R"({"decode_reqs": [{"context_length": 7, "context_length": 8}]})",
      R"({"x": {"a": 1, "a": 2}})",                                 // anywhere
      R"({"step_id": -1})", R"({"step_id": 1.5})", R"({"step_id": 1234567890123456789})",
      R"({"step_id": null})", R"({"step_id": [1]})",
      R"({"decode_reqs": [{"context_length": 0}]})",                // out of range
      R"({"decode_reqs": [{"context_length": 100000001}]})",
      R"({"decode_reqs": [{"context_length": 7.0}]})",              // integral, but written as a float
      R"({"decode_reqs": [{"context_length": 7e0}]})",
      R"({"decode_reqs": [{}]})",                                   // a missing field
      R"({"prefill_reqs": [{"tokens_this_step": 5}]})",
      R"({"prefill_reqs": [{"tokens_this_step": 10, "prompt_tokens": 9}]})",
      R"({"decode_reqs": {"context_length": 7}})", R"({"decode_reqs": null})", R"({"decode_reqs": [7]})",
      R"({"total_decode_tokens": 2, "decode_reqs": [{"context_length": 7}]})", // wrong totals
      R"({"total_prefill_tokens": 4, "prefill_reqs": [{"tokens_this_step": 5, "prompt_tokens": 9}]})",
      R"({"batch_size": 0, "decode_reqs": [{"context_length": 7}]})",
      R"({"total_decode_tokens": 1.0, "decode_reqs": [{"context_length": 7}]})",
      R"({"duration_us": -1})", R"({"duration_us": -0})", R"({"duration_us": 1e16})",
      R"({"duration_us": 1e400})", R"({"duration_us": "12"})",
      R"({"x": 1e400})",                                            // nlohmann refuses it
      R"({"x": 012})", R"({"x": 1.})", R"({"x": -})", R"({"x": .5})", R"({"x": tru})", R"({"x": 1e})",
      R"({"decode_reqs": [{"context_length": 7}]} trailing)",
      R"({"decode_reqs": [{"context_length": 7}],})", R"({"a": 1)", R"({"a" 1})", "[]", "", "{",
      R"({"x": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]})",             // deeper than it reads
      too_many,
  };
  for (const std::string &text : texts) {
    CAPTURE(text);
    CHECK(!read_trace_step_quick(text).has_value());
  }
}

TEST_CASE("a step without prefill_reqs or decode_reqs is an error, not an empty step") {
  // A misspelt list, or a record that is not a step at all.
  for (const std::string text : {R"({"step_id": 4, "prefil_reqs": [], "duration_us": 9})", R"({"a": 1})", "{}"}) {
    CAPTURE(text);
    CHECK(!read_trace_step_quick(text));
    CHECK_THROWS_WITH_AS(read_trace_step(json::parse(text), "line 4"),
                         "line 4: expected prefill_reqs or decode_reqs (a step in the training format), "
                         "or model and step (a whole request)",
                         InputError);
  }
}

TEST_CASE("read at the start of a longer text, the quick reader says where the step ends") {
  const std::string text = R"({"step_id": 1, "s": "}]", "decode_reqs": []} , {"step_id": 2})";
  std::size_t length = 0;
  const auto step = read_trace_step_quick(text, &length);
  REQUIRE(step.has_value());
  CHECK(text.substr(0, length) == R"({"step_id": 1, "s": "}]", "decode_reqs": []})");
  CHECK(step->step_id == "1");
  CHECK(!read_trace_step_quick(text)); // alone, the rest is not whitespace
  CHECK(!read_trace_step_quick(R"({"step_id": 1, "decode_reqs": [)", &length)); // cut off
}

TEST_CASE("steps read as the file is cut are the steps read from their texts") {
  const std::string steps[] = {
      R"({"step_id": 1, "decode_reqs": [{"context_length": 5}], "duration_us": 10.5})",
      R"({"step_id": "\u0061", "decode_reqs": [{"context_length": 6}]})", // an escape: as text
      R"({"step_id": 3, "prefill_reqs": [{"tokens_this_step": 2, "prompt_tokens": 3}]})",
      R"({"model": "llama-2-7b-hf", "gpu": "l4", "tp": 1, "step": {"decode": [{"context_length": 1}]}})",
      R"({"step_id": 5, "decode_reqs": [{"context_length": 0}]})",         // bad: as text
  };
  std::string doc = "{\"tensor_parallelism\": 2, \"steps\": [\n", lines;
  for (const std::string &step : steps) {
    doc += (doc.back() == '\n' ? "  " : ",\n  ") + step;
    lines += step + "\n";
  }
  doc += "\n]}\n";
  for (const std::string &file : {doc, lines}) {
    CAPTURE(file);
    const auto texts = split(file);
    REQUIRE(texts.size() == std::size(steps));
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}, file.size()}) {
      CAPTURE(piece);
      TraceSplitter splitter;
      splitter.read_steps();
      std::size_t fed = 0, i = 0, in_place = 0;
      TraceText text;
      for (;;) {
        const auto poll = splitter.poll(text);
        if (poll == TraceSplitter::Poll::End) break;
        if (poll == TraceSplitter::Poll::NeedMore) {
          if (fed >= file.size()) splitter.end_input();
          else splitter.feed(std::string_view(file).substr(fed, piece));
          fed += piece;
          continue;
        }
        REQUIRE(i < texts.size());
        CHECK(text.index == texts[i].index);
        CHECK(text.line == texts[i].line);
        if (text.text.empty()) ++in_place;
        else CHECK(text.text == texts[i].text);
        const auto exact = fuzz::read_exactly(texts[i].text);
        CHECK(text.step.has_value() == (i == 0 || i == 2)); // the quick reader's two
        if (text.step) CHECK(fuzz::same_step(*text.step, *exact));
        ++i;
      }
      CHECK(i == texts.size());
      // Whole, both are read in place; but JSON Lines' first record, read to tell the format.
      if (piece == file.size()) CHECK(in_place == (file == doc ? 2u : 1u));
    }
  }
}

TEST_CASE("the summary: dominant terms by steps, and errors against durations by hand") {
  TraceSummary summary;
  TraceResult a, b;
  a.prediction.contributions_us = {5, 1, 0, 0, 0, 0, 0};
  a.prediction.step_time_us = 110;
  b.prediction.contributions_us = {0, 1, 9, 0, 0, 0, 0};
  b.prediction.step_time_us = 80;
  // A step as read from a trace: its result, duration, TP and whether it was a request.
  const auto step = [](const TraceResult &result, std::optional<double> duration, int64_t tp,
                       bool request = false) {
    TraceStepRead read;
    read.result = result;
    read.duration_us = duration;
    read.tp = tp;
    read.own_header = request;
    return read;
  };
  CHECK(summary.to_json()["tp"].is_null()); // no step, no TP
  CHECK(summary.to_json()["tps"].get<std::vector<int64_t>>().empty());
  summary.add(step(a, 100.0, 4)); // +10 us, 10 %
  summary.add(step(b, 100.0, 4)); // -20 us, 20 %
  summary.add(step(b, std::nullopt, 4));
  const auto out = summary.to_json();
  CHECK(out["tp"] == 4);
  CHECK(out["tps"].get<std::vector<int64_t>>() == std::vector<int64_t>{4});
  CHECK(out["steps"] == 3);
  CHECK(out["request_steps"] == 0);
  CHECK(out["total_predicted_us"].get<double>() == 270);
  CHECK(out["dominant_share"]["prefill"].get<double>() == doctest::Approx(1.0 / 3));
  CHECK(out["dominant_share"]["weight"].get<double>() == doctest::Approx(2.0 / 3));
  CHECK(out["timed_steps"] == 2);
  CHECK(out["mape_pct"].get<double>() == doctest::Approx(15));
  CHECK(out["mae_us"].get<double>() == doctest::Approx(15));
  CHECK(out["rmse_us"].get<double>() == doctest::Approx(std::sqrt((100.0 + 400.0) / 2)));
  // Whole-request lines at other TPs: no one TP, and every TP once, ascending.
  summary.add(step(a, std::nullopt, 8, true));
  summary.add(step(a, std::nullopt, 1, true));
  summary.add(step(a, std::nullopt, 8, true));
  CHECK(summary.to_json()["tp"].is_null());
  CHECK(summary.to_json()["tps"].get<std::vector<int64_t>>() == std::vector<int64_t>{1, 4, 8});
  CHECK(summary.to_json()["request_steps"] == 3);
}

TEST_CASE("pushed in pieces of any size, a trace cuts into the same steps as read whole") {
  const std::string doc =
      "{\"experiment\": \"e\", \"tensor_parallelism\": 2, \"steps\": [\n"
      " {\"step_id\": 1, \"s\": \"a]\\\\\\\"}\", \"decode_reqs\": [{\"context_length\": 5}]},\n"
      " {\"step_id\": 2, \"prefill_reqs\": []}\n], \"requests\": [{\"x\": \"}\"}]}\n";
  const std::string lines = "{\"step_id\": 1}\n\n{\"step_id\": 2, \"t\": \"\\\\\"}\r\n{\"step_id\": 3}";
  const std::string bad_first = "{\"step_id\": 0, oops\n{\"step_id\": 1}\n";
  for (const std::string &file : {doc, lines, bad_first}) {
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
  CHECK_THROWS_WITH_AS(cut.poll(text), "steps[0]: the file ends inside this step (cut off mid-step?)", TraceCutOff);
}

TEST_CASE("a document cut off inside a step: the steps before it stand when bad steps are skipped") {
  const std::string step = R"({"step_id": 1, "decode_reqs": [{"request_id": "a", "context_length": 9}]})";
  const std::string cut = "{\"tensor_parallelism\": 2, \"steps\": [" + step + ", " + step + ", {\"step_id\": 3, \"decode_reqs\": [";
  TraceOptions options;
  options.header = {{"model", "llama-2-7b-hf"}, {"gpu", "h100-sxm"}};
  TraceRun strict(options);
  strict.feed(cut);
  CHECK_THROWS_WITH_AS(strict.finish(), "steps[2]: the file ends inside this step (cut off mid-step?)", TraceCutOff);
  options.skip_bad = true;
  TraceRun lenient(options);
  lenient.feed(cut);
  lenient.finish();
  CHECK(lenient.summary().steps == 2);
  CHECK(lenient.summary().skipped == 1);
  CHECK(lenient.skipped_messages() == std::vector<std::string>{"steps[2]: the file ends inside this step (cut off mid-step?)"});
  // Cut inside the document's head, there is no step to skip: an error either way.
  TraceRun head(options);
  head.feed("{\n\"experiment\": \"cut");
  CHECK_THROWS_WITH_AS(head.finish(), "trace: the file ends inside its first object", InputError);
}
