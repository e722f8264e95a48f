// The memory fit: weights and KV cache per GPU against the usable capacity, checked
// against values computed by hand.

#include "stepcalc/calculator.hpp"

#include "stepcalc/input_error.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;
using stepcalc::test::compute;
using stepcalc::test::has_note;
using stepcalc::test::toy_request;

TEST_CASE("the toy dense model: weights, KV cache, headroom and decode capacity by hand") {
  // L 2, d 8, H 2, kv 1 (d_h 4, q_dim 8, d_kv 4), d_ff 16, vocab 32, untied.
  // Parameters: L*(d*(2*8 + 2*4) + 3*d*d_ff) + 2*vocab*d = 2*(192 + 384) + 512 = 1664.
  // KV per token: 2 (K, V) * L * 1 head * d_h * 2 bytes = 32 bytes.
  // Tokens held: a prefill chunk of a 4-token prompt and 2 decodes at context 10: 24.
  const json memory = compute(toy_request())["memory"];
  CHECK(memory["weight_bytes"].get<double>() == 1664 * 2);
  CHECK(memory["kv_cache_bytes"].get<double>() == 24 * 32);
  CHECK(memory["capacity_bytes"].get<double>() == 1e9); // capacity_gb 1
  CHECK(memory["utilization"].get<double>() == 0.9);
  CHECK(memory["usable_bytes"].get<double>() == 0.9e9);
  CHECK(memory["headroom_bytes"].get<double>() == 0.9e9 - 3328 - 768);
  CHECK(memory["fits"] == true);
  // (usable - weights - the prefill's 4 tokens of KV) / (32 bytes * mean context 10)
  CHECK(memory["max_decode_requests"] == 2812489); // floor(899996544 / 320)
}

TEST_CASE("a MoE model holds every expert and the router") {
  auto request = toy_request();
  request["model"]["num_local_experts"] = 4;
  request["model"]["num_experts_per_tok"] = 2;
  // L*(d*24 + N*3*d*d_ff + d*N) + 2*vocab*d = 2*(192 + 1536 + 32) + 512 = 4032 parameters.
  CHECK(compute(request)["memory"]["weight_bytes"].get<double>() == 4032 * 2);
}

TEST_CASE("TP shards the weights; KV heads fewer than TP are replicated, with a note") {
  auto request = toy_request(2);
  const json response = compute(request);
  CHECK(response["memory"]["weight_bytes"].get<double>() == 3328.0 / 2);
  // One KV head, two GPUs: each keeps the head, so the KV cache does not halve.
  CHECK(response["memory"]["kv_cache_bytes"].get<double>() == 24 * 32);
  CHECK(response["sharding"]["kv_heads_per_gpu"] == 0);
  CHECK(response["sharding"]["kv_heads_stored_per_gpu"] == 1);
  CHECK(has_note(response, "kv_heads_replicated"));
  CHECK_FALSE(has_note(compute(toy_request(1)), "kv_heads_replicated"));
}

TEST_CASE("a step that does not fit still computes, with a does_not_fit note in GB") {
  auto request = toy_request();
  request["step"]["decode"] = {{{"context_length", 10000}, {"count", 10000}}};
  const json response = compute(request);
  CHECK(response["step_time_us"].get<double>() > 0);
  CHECK(response["memory"]["fits"] == false);
  CHECK(response["memory"]["headroom_bytes"].get<double>() < 0);
  // weights 3,328 B + KV 32 * (4 + 10,000 * 10,000) B = 3,200,003,456 B
  std::string message;
  for (const auto &note : response["notes"])
    if (note["code"] == "does_not_fit") message = note["message"];
  CHECK(message == "The step needs 3.2 GB per GPU (weights 3.328 kB, KV cache 3.2 GB) but only "
                   "900 MB are usable (90% of 1 GB); the predicted time is for a step that "
                   "cannot run as given.");
  // Even the decodes alone exceed it, but the weights fit: room for
  // floor((0.9e9 - 3328 - 128) / (32 * 10000)) = 2812 such decodes.
  CHECK(response["memory"]["max_decode_requests"] == 2812);
}

TEST_CASE("the does_not_fit note writes its figures as the page's memory line does") {
  // Expected strings from web/src/format.mjs (bytes, pct) in Node 20: the shortest decimal
  // of each double rounded to 4 significant digits, halves up (9.9995 MB is "10 MB").
  MemoryFit fit;
  fit.weight_bytes = 34450000;
  fit.kv_cache_bytes = 9999500;
  fit.capacity_bytes = 3.355e22;
  fit.usable_bytes = 12125;
  fit.utilization = 0.12345;
  fit.fits = false;
  const Notes notes = memory_notes(fit);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].message == "The step needs 44.45 MB per GPU (weights 34.45 MB, KV cache 10 MB) but only "
                            "12.13 kB are usable (12.35% of 3.355e10 TB); the predicted time is for a "
                            "step that cannot run as given.");
  fit.weight_bytes = 141104775168; // digits grouped, and no 0.0 for a small figure
  fit.kv_cache_bytes = 1234567e9;
  fit.usable_bytes = 3328;
  fit.capacity_bytes = 9999999.6e12; // below 10^7 TB: plain digits, though it rounds to 10^7
  fit.utilization = 0.001;
  CHECK(memory_notes(fit)[0].message ==
        "The step needs 1,235 TB per GPU (weights 141.1 GB, KV cache 1,235 TB) but only 3.328 kB "
        "are usable (0.1% of 10,000,000 TB); the predicted time is for a step that cannot run as "
        "given.");
}

TEST_CASE("gpu_memory_utilization sets the usable share; out of range is an error") {
  auto request = toy_request();
  request["gpu_memory_utilization"] = 0.5;
  CHECK(compute(request)["memory"]["usable_bytes"].get<double>() == 0.5e9);
  CHECK(compute(request)["scenario"]["gpu_memory_utilization"].get<double>() == 0.5);
  request["gpu_memory_utilization"] = 0;
  CHECK_THROWS_WITH_AS(parse_request(request),
                       "gpu_memory_utilization: must be a number from 0.001 to 1, got 0",
                       InputError);
  request["gpu_memory_utilization"] = 1.5;
  CHECK_THROWS_WITH_AS(parse_request(request),
                       "gpu_memory_utilization: must be a number from 0.001 to 1, got 1.5",
                       InputError);
}

TEST_CASE("without memory.capacity_gb the fit is unknown: nulls and a memory_unknown note") {
  auto request = toy_request();
  request["gpu"]["memory"].erase("capacity_gb");
  const json response = compute(request);
  const json &memory = response["memory"];
  CHECK(memory["weight_bytes"].get<double>() == 3328);
  for (const char *field :
       {"capacity_bytes", "usable_bytes", "headroom_bytes", "fits", "max_decode_requests"}) {
    CAPTURE(field);
    CHECK(memory[field].is_null());
  }
  CHECK(has_note(response, "memory_unknown"));
  CHECK(response["hardware"]["capacity_gb"].is_null());
}

TEST_CASE("no decodes: max_decode_requests is null; a step without room: 0") {
  auto request = toy_request();
  request["step"]["decode"] = json::array();
  CHECK(compute(request)["memory"]["max_decode_requests"].is_null());
  request["step"]["decode"] = {{{"context_length", 10}}};
  request["step"]["prefill"] = {
      {{"tokens_this_step", 1}, {"prompt_tokens", 100000000}, {"count", 1}}}; // 3.2 GB of KV
  CHECK(compute(request)["memory"]["max_decode_requests"] == 0);
}

TEST_CASE("preset models: weights from their published configs, by hand") {
  const auto weights = [](const char *model) {
    return compute({{"model", model}, {"gpu", "h100-sxm"}, {"step", json::object()}})["memory"]
                  ["weight_bytes"]
                      .get<double>();
  };
  // Llama 3.1 70B: 80 * (8192*(2*8192 + 2*1024) + 3*8192*28672) + 2*128256*8192
  //   = 70,552,387,584 parameters (the published 70.6B), 2 bytes each.
  CHECK(weights("llama-3.1-70b-instruct") == 141'104'775'168.0);
  // Qwen3 30B-A3B: 48 * (2048*(2*4096 + 2*512) + 128*3*2048*768 + 2048*128)
  //   + 2*151936*2048 = 30,531,911,680 parameters (the published 30.5B).
  CHECK(weights("qwen3-30b-a3b") == 61'063'823'360.0);
}

TEST_CASE("Llama 3.1 70B at TP 1 does not fit an L4; at TP 8 on H100 SXM it does") {
  const json l4 = compute({{"model", "llama-3.1-70b-instruct"},
                           {"gpu", "l4"},
                           {"step", {{"decode", {{{"context_length", 1024}, {"count", 32}}}}}}});
  CHECK(l4["memory"]["fits"] == false);
  CHECK(l4["memory"]["max_decode_requests"] == 0);
  CHECK(has_note(l4, "does_not_fit"));
  const json h100 = compute({{"model", "llama-3.1-70b-instruct"},
                             {"gpu", "h100-sxm"},
                             {"tp", 8},
                             {"step", {{"decode", {{{"context_length", 1024}, {"count", 32}}}}}}});
  CHECK(h100["memory"]["fits"] == true);
  CHECK_FALSE(has_note(h100, "does_not_fit"));
}
