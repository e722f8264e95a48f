// The basis functions against the seed's worked examples and hand-derived cases.

#include "stepcalc/basis.hpp"

#include "test_support.hpp"

using namespace stepcalc;
using stepcalc::test::compute;
using stepcalc::test::toy_request;

namespace {

// Builds a request from a worked example ("count" absent means 1).
nlohmann::json request_of(const nlohmann::json &example) {
  nlohmann::json step = example["step"];
  return {
      {"model", example["model"]}, {"gpu", example["gpu"]}, {"tp", example["tp"]}, {"step", step}};
}

} // namespace

TEST_CASE("the seed's six worked examples are reproduced to 1e-12") {
  const auto examples = stepcalc::test::load_test_json("worked-examples.json");
  REQUIRE(examples.size() == 6);
  for (const auto &example : examples) {
    CAPTURE(example["model"].get<std::string>());
    CAPTURE(example["step"].dump());
    const auto result = compute(request_of(example));
    for (const char *term :
         {"t_pf_compute", "t_pf_kv", "t_dc_compute", "t_dc_kv", "t_weight", "t_tp"}) {
      CAPTURE(term);
      CHECK_REL(result["basis"][term].get<double>(), example["basis"][term].get<double>());
    }
    CHECK(result["basis"]["num_layers"] == example["basis"]["num_layers"]);
    CHECK(result["basis"]["batch_size"] == example["basis"]["batch_size"]);
    CHECK_REL(result["step_time_us"].get<double>(), example["step_time_us_fitted"].get<double>());
  }
}

TEST_CASE("a toy model, derived by hand") {
  // L=2, d=8, H=2, kv=1, d_ff=16 -> d_h=4, d_kv=4; 1e6 FLOPs/us, 1e6 B/us HBM, 1e3 B/us link.
  // Prefill T=4, S=4; decode 2 requests at context 10.
  const auto result = compute(toy_request());
  const auto &basis = result["basis"];
  // proj 2*2*4*8*(16+8)=3072, attn 2*4*2*4*(4+2)*4=1536, ffn 2*4*6*8*16=6144 -> 10752 FLOPs
  CHECK_REL(basis["t_pf_compute"].get<double>(), 10752e-6);
  // 2*2*1*4*4*2 = 128 bytes
  CHECK_REL(basis["t_pf_kv"].get<double>(), 128e-6);
  // proj 2*2*2*8*24=1536, attn 2*4*2*20*4=1280, ffn 2*2*6*8*16=3072 -> 5888 FLOPs
  CHECK_REL(basis["t_dc_compute"].get<double>(), 5888e-6);
  // 2*2*1*4*2*(20+2) = 704 bytes
  CHECK_REL(basis["t_dc_kv"].get<double>(), 704e-6);
  // attention 2*8*24*2=768 + FFN 2*3*8*16*2=1536 = 2304 bytes
  CHECK_REL(basis["t_weight"].get<double>(), 2304e-6);
  CHECK(basis["t_tp"].get<double>() == 0);
  CHECK(basis["num_layers"] == 2);
  CHECK(basis["batch_size"] == 3);
  CHECK(result["work"]["prefill"]["flops_attn"].get<double>() == 1536);
  CHECK(result["work"]["decode"]["context_tokens"] == 20);
  CHECK(result["bottleneck"]["prefill"] == "compute");
  CHECK(result["bottleneck"]["decode"] == "compute");
  // beta = [1,1,1,1,0,0,0]: the sum of the four time features
  CHECK_REL(result["step_time_us"].get<double>(), (10752 + 5888 + 2304) * 1e-6);
}

TEST_CASE("t_tp: zero at TP 1, point-to-point at TP 2, ring from TP 3 on") {
  // 6 tokens * d 8 * 2 bytes = 96-byte messages, 2 per layer, 2 layers, 1e3 B/us.
  CHECK(compute(toy_request(1))["basis"]["t_tp"].get<double>() == 0);
  CHECK_REL(compute(toy_request(2))["basis"]["t_tp"].get<double>(), 0.384);
  CHECK_REL(compute(toy_request(3))["basis"]["t_tp"].get<double>(), 0.768);
  CHECK_REL(compute(toy_request(4))["basis"]["t_tp"].get<double>(), 0.768);
  CHECK_REL(compute(toy_request(16))["basis"]["t_tp"].get<double>(), 0.768);
}

TEST_CASE("integer floor of H/TP and kv_heads/TP, as in the seed") {
  // TP 2: kv_heads 1 // 2 = 0, so both KV terms vanish; H 2 // 2 = 1.
  const auto tp2 = compute(toy_request(2));
  CHECK(tp2["basis"]["t_pf_kv"].get<double>() == 0);
  CHECK(tp2["basis"]["t_dc_kv"].get<double>() == 0);
  // prefill attn at TP 2: 2 * 4*1*4*6*4 = 768
  CHECK(tp2["work"]["prefill"]["flops_attn"].get<double>() == 768);
  // TP 3: H 2 // 3 = 0, attention FLOPs vanish; projections divide by 3 exactly.
  const auto tp3 = compute(toy_request(3));
  CHECK(tp3["work"]["prefill"]["flops_attn"].get<double>() == 0);
  CHECK_REL(tp3["work"]["prefill"]["flops_proj"].get<double>(), 3072.0 / 3);
}

TEST_CASE("an empty phase gives zeros, and bottleneck none") {
  auto request = toy_request();
  request["step"]["prefill"] = nlohmann::json::array();
  const auto decode_only = compute(request);
  CHECK(decode_only["basis"]["t_pf_compute"].get<double>() == 0);
  CHECK(decode_only["basis"]["t_pf_kv"].get<double>() == 0);
  CHECK(decode_only["bottleneck"]["prefill"] == "none");
  request = toy_request();
  request["step"].erase("decode");
  const auto prefill_only = compute(request);
  CHECK(prefill_only["basis"]["t_dc_compute"].get<double>() == 0);
  CHECK(prefill_only["basis"]["t_dc_kv"].get<double>() == 0);
  CHECK(prefill_only["bottleneck"]["decode"] == "none");
}

TEST_CASE("MoE: N_eff = min(N, max(k, B*k)) with B the step's tokens") {
  auto request = toy_request();
  request["model"]["num_local_experts"] = 4;
  request["model"]["num_experts_per_tok"] = 2;
  SUBCASE("6 tokens activate all 4 experts") {
    const auto result = compute(request);
    CHECK(result["work"]["weight"]["active_experts"] == 4);
    // FFN FLOPs count k_eff = 2 experts per token: prefill 2*4*2*6*8*16
    CHECK(result["work"]["prefill"]["flops_ffn"].get<double>() == 12288);
    // weight bytes: 768 + 2*4*3*8*16*2 = 768 + 6144
    CHECK_REL(result["basis"]["t_weight"].get<double>(), 6912e-6);
  }
  SUBCASE("one decode token activates k = 2 experts") {
    request["step"] = {{"decode", {{{"context_length", 10}}}}};
    CHECK(compute(request)["work"]["weight"]["active_experts"] == 2);
  }
  SUBCASE("an empty step still loads k experts, as the seed does") {
    request["step"] = nlohmann::json::object();
    CHECK(compute(request)["work"]["weight"]["active_experts"] == 2);
  }
}

TEST_CASE("MoE: B*k beyond int64 still saturates at N") {
  // 1e14 tokens * 1e5 experts per token = 1e19 > int64 max: N_eff must be N.
  const auto result = compute(nlohmann::json::parse(R"({"model": {"num_hidden_layers": 1,
    "hidden_size": 64, "num_attention_heads": 1, "intermediate_size": 64,
    "num_local_experts": 1000000, "num_experts_per_tok": 100000}, "gpu": "h100-sxm",
    "step": {"prefill": [{"tokens_this_step": 100000000, "prompt_tokens": 100000000,
                          "count": 1000000}]}})"));
  CHECK(result["work"]["weight"]["active_experts"] == 1000000);
}

TEST_CASE("count repeats a row: the same as listing it count times") {
  auto repeated = toy_request();
  repeated["step"]["prefill"][0]["count"] = 3;
  auto listed = toy_request();
  listed["step"]["prefill"] = nlohmann::json::array();
  for (int i = 0; i < 3; ++i)
    listed["step"]["prefill"].push_back({{"tokens_this_step", 4}, {"prompt_tokens", 4}});
  const auto a = compute(repeated);
  const auto b = compute(listed);
  CHECK(a["basis"] == b["basis"]);
  CHECK(a["basis"]["batch_size"] == 5);
}

TEST_CASE("FP16 sparse-to-dense halving of fp16_tensor_core") {
  auto request = toy_request();
  CHECK(compute(request)["hardware"]["flops_peak_tflops"].get<double>() == 1);
  request["gpu"]["compute"]["with_sparsity"] = false;
  const auto dense = compute(request);
  CHECK(dense["hardware"]["flops_peak_tflops"].get<double>() == 2);
  CHECK_REL(dense["basis"]["t_pf_compute"].get<double>(), 10752e-6 / 2);
}
