// Reading HF configs: the seed's convention, real-world generalizations and notes.

#include "stepcalc/model_arch.hpp"

#include <algorithm>

#include "stepcalc/input_error.hpp"
#include "test_support.hpp"

using namespace stepcalc;
using nlohmann::json;
using stepcalc::test::compute;
using stepcalc::test::toy_config;
using stepcalc::test::toy_request;
using stepcalc::test::has_note;

namespace {

bool has_note(const Notes &notes, const std::string &code) {
  return std::any_of(notes.begin(), notes.end(),
                     [&](const Note &note) { return note.code == code; });
}

} // namespace

TEST_CASE("the seed's reading: d_h = d // H, kv_heads defaults to H, dense k_eff = 1") {
  json config = toy_config();
  config.erase("num_key_value_heads");
  const auto resolved = resolve_model_arch(config, "model");
  CHECK(resolved.arch.kv_heads == 2);
  CHECK(resolved.arch.d_h == 4);
  CHECK(resolved.arch.q_dim == 8);
  CHECK(resolved.arch.d_kv == 8);
  CHECK(resolved.arch.k_eff == 1);
  CHECK_FALSE(resolved.arch.is_moe);
  CHECK(resolved.notes.empty());
}

TEST_CASE("text_config holds the language model; the top level fills the gaps") {
  json config = {{"intermediate_size", 16},
                 {"text_config",
                  {{"num_hidden_layers", 2},
                   {"hidden_size", 8},
                   {"num_attention_heads", 2},
                   {"num_key_value_heads", 1}}},
                 {"num_hidden_layers", 99}};
  const auto resolved = resolve_model_arch(config, "model");
  CHECK(resolved.arch.L == 2);
  CHECK(resolved.arch.d_ff == 16);
  CHECK(has_note(resolved.notes, "text_config"));
  auto request = toy_request();
  request["model"] = config;
  CHECK(compute(request)["basis"] == compute(toy_request())["basis"]);
  config["text_config"].erase("hidden_size");
  CHECK_THROWS_WITH_AS(resolve_model_arch(config, "model"),
                       "model.text_config.hidden_size: missing (neither text_config nor the top "
                       "level has it); the model width is required",
                       InputError);
  config["text_config"]["hidden_size"] = "8";
  CHECK_THROWS_WITH_AS(
      resolve_model_arch(config, "model"),
      "model.text_config.hidden_size: must be an integer from 1 to 10000000, got a string",
      InputError);
}

TEST_CASE("kv head aliases, in order") {
  json config = toy_config();
  config.erase("num_key_value_heads");
  config["multi_query_group_num"] = 1;
  auto resolved = resolve_model_arch(config, "model");
  CHECK(resolved.arch.kv_heads == 1);
  CHECK(has_note(resolved.notes, "kv_heads_alias"));
  config["num_kv_heads"] = 2;
  CHECK(resolve_model_arch(config, "model").arch.kv_heads == 2);
  config["num_key_value_heads"] = 1;
  resolved = resolve_model_arch(config, "model");
  CHECK(resolved.arch.kv_heads == 1);
  CHECK_FALSE(has_note(resolved.notes, "kv_heads_alias"));
}

TEST_CASE("expert aliases and moe_intermediate_size") {
  json config = toy_config();
  config["n_routed_experts"] = 8;
  config["experts_per_token"] = 2;
  config["moe_intermediate_size"] = 4;
  auto resolved = resolve_model_arch(config, "model");
  CHECK(resolved.arch.N == 8);
  CHECK(resolved.arch.k == 2);
  CHECK(resolved.arch.d_ff == 4);
  CHECK(has_note(resolved.notes, "experts_alias"));
  CHECK(has_note(resolved.notes, "active_experts_alias"));
  CHECK(has_note(resolved.notes, "moe_intermediate_size"));
  config["num_experts"] = 16;
  CHECK(resolve_model_arch(config, "model").arch.N == 16);
  config["num_local_experts"] = 4;
  CHECK(resolve_model_arch(config, "model").arch.N == 4);
  SUBCASE("a dense model ignores moe_intermediate_size") {
    json dense = toy_config();
    dense["moe_intermediate_size"] = 4;
    CHECK(resolve_model_arch(dense, "model").arch.d_ff == 16);
  }
}

TEST_CASE("head_dim sets d_h and the query width q_dim = H * d_h") {
  auto request = toy_request();
  request["model"]["head_dim"] = 8; // q_dim 16, d_kv 8, unlike d // H = 4
  const auto result = compute(request);
  CHECK(result["arch"]["d_h"] == 8);
  CHECK(result["arch"]["q_dim"] == 16);
  CHECK(result["arch"]["d_kv"] == 8);
  // prefill proj: L*2*T*d*(2*16 + 2*8) = 2*2*4*8*48 = 6144
  CHECK(result["work"]["prefill"]["flops_proj"].get<double>() == 6144);
  // weight attention bytes: L*d*(2*16+2*8)*2 = 2*8*48*2 = 1536
  CHECK(result["work"]["weight"]["bytes_attn"].get<double>() == 1536);
  CHECK(has_note(result, "head_dim"));
  SUBCASE("head_dim equal to d // H changes nothing and needs no note") {
    auto same = toy_request();
    same["model"]["head_dim"] = 4;
    const auto plain = compute(same);
    CHECK(plain["basis"] == compute(toy_request())["basis"]);
    CHECK(plain["notes"].empty());
  }
}

TEST_CASE("notes for what the formula cannot see") {
  json config = toy_config();
  config["kv_lora_rank"] = 512;
  config["n_shared_experts"] = 1;
  config["first_k_dense_replace"] = 1;
  config["sliding_window"] = 4096;
  config["attention_chunk_size"] = 8192;
  const auto notes = resolve_model_arch(config, "model").notes;
  for (const char *code : {"multi_head_latent_attention", "shared_experts", "dense_first_layers",
                           "sliding_window", "chunked_attention"}) {
    CAPTURE(code);
    CHECK(has_note(notes, code));
  }
  config["use_sliding_window"] = false;
  CHECK_FALSE(has_note(resolve_model_arch(config, "model").notes, "sliding_window"));
  config.erase("use_sliding_window");
  config["sliding_window"] = 0; // no window
  CHECK_FALSE(has_note(resolve_model_arch(config, "model").notes, "sliding_window"));
}

TEST_CASE("a misspelt field gets a possible_typo note instead of passing in silence") {
  json config = toy_config();
  config.erase("num_key_value_heads");
  config["num_key_value_head"] = 1; // would silently make kv_heads = H
  config["hiden_size"] = 8;         // a swapped or dropped letter
  auto notes = resolve_model_arch(config, "model").notes;
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].code == "possible_typo");
  CHECK(notes[0].message == "model.hiden_size is not a field the core reads; if hidden_size was "
                            "meant, correct the name (the field was ignored).");
  CHECK(notes[1].message.find("num_key_value_heads was meant") != std::string::npos);
  config = toy_config();
  config["text_config"] = {{"num_atention_heads", 2}};
  notes = resolve_model_arch(config, "model").notes;
  CHECK(notes.back().message.rfind("model.text_config.num_atention_heads", 0) == 0);
  // Real fields one edit from a read field are not flagged when they are read fields too.
  config = toy_config();
  config["num_experts"] = 0;
  config["num_local_experts"] = 0;
  CHECK_FALSE(has_note(resolve_model_arch(config, "model").notes, "possible_typo"));
}

TEST_CASE("TP sharding notes: heads not divisible, kv heads below TP") {
  json config = toy_config();
  config["num_attention_heads"] = 4;
  config["num_key_value_heads"] = 3;
  const auto arch = resolve_model_arch(config, "model").arch;
  CHECK(tp_sharding_notes(arch, 1).empty());
  const auto tp2 = tp_sharding_notes(arch, 2);
  CHECK_FALSE(has_note(tp2, "heads_not_divisible"));
  CHECK(has_note(tp2, "kv_heads_not_divisible"));
  const auto tp8 = tp_sharding_notes(arch, 8);
  CHECK(has_note(tp8, "heads_not_divisible"));
  CHECK(has_note(tp8, "kv_heads_below_tp"));
  CHECK_FALSE(has_note(tp8, "kv_heads_not_divisible"));
  // Head counts are singular when there is one.
  const auto message = [](const Notes &notes, const std::string &code) {
    for (const Note &note : notes)
      if (note.code == code) return note.message;
    return std::string("(no note)");
  };
  CHECK(message(tp2, "kv_heads_not_divisible") ==
        "3 key/value heads are not divisible by TP 2; KV bytes use floor(kv_heads/TP) = 1 head per GPU, "
        "as the seed does.");
  CHECK(message(tp_sharding_notes(arch, 3), "heads_not_divisible") ==
        "4 attention heads are not divisible by TP 3; attention FLOPs use floor(H/TP) = 1 head per GPU, "
        "as the seed does.");
  config["num_key_value_heads"] = 1;
  CHECK(message(tp_sharding_notes(resolve_model_arch(config, "model").arch, 2), "kv_heads_below_tp") ==
        "1 key/value head is fewer than TP 2; floor(kv_heads/TP) = 0, so the KV terms vanish, whereas "
        "real engines replicate KV heads across GPUs.");
}

TEST_CASE("config errors name the field") {
  SUBCASE("no layers") {
    json config = toy_config();
    config["num_hidden_layers"] = 0;
    CHECK_THROWS_WITH_AS(resolve_model_arch(config, "model"),
                         "model.num_hidden_layers: must be an integer from 1 to 10000, got 0",
                         InputError);
    config.erase("num_hidden_layers");
    CHECK_THROWS_WITH_AS(
        resolve_model_arch(config, "model"),
        "model.num_hidden_layers: missing; the number of transformer layers is required",
        InputError);
  }
  SUBCASE("kv_heads > H") {
    json config = toy_config();
    config["num_key_value_heads"] = 3;
    CHECK_THROWS_WITH_AS(
        resolve_model_arch(config, "model"),
        "model.num_key_value_heads: 3 key/value heads exceed the 2 attention heads", InputError);
  }
  SUBCASE("fractional width") {
    json config = toy_config();
    config["hidden_size"] = 8.5;
    CHECK_THROWS_WITH_AS(resolve_model_arch(config, "model"),
                         "model.hidden_size: must be an integer from 1 to 10000000, got 8.5",
                         InputError);
  }
  SUBCASE("hidden_size smaller than the head count") {
    json config = toy_config();
    config["hidden_size"] = 1;
    CHECK_THROWS_WITH_AS(
        resolve_model_arch(config, "model"),
        "model.hidden_size: hidden_size 1 is smaller than the 2 attention heads, so the "
        "head dimension would be 0",
        InputError);
  }
  SUBCASE("more active experts than experts") {
    json config = toy_config();
    config["num_local_experts"] = 2;
    config["num_experts_per_tok"] = 3;
    CHECK_THROWS_WITH_AS(
        resolve_model_arch(config, "model"),
        "model.num_experts_per_tok: 3 experts per token exceed the 2 routed experts", InputError);
  }
  SUBCASE("not an object") {
    CHECK_THROWS_WITH_AS(resolve_model_arch(json::array(), "model"),
                         "model: expected a HF config.json object, got an array", InputError);
  }
}
