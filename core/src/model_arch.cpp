#include "stepcalc/model_arch.hpp"

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "stepcalc/input_error.hpp"
#include "stepcalc/limits.hpp"

namespace stepcalc {

using nlohmann::json;
namespace jf = json_fields;

namespace {

// Multimodal configs keep the language model's fields under text_config; the
// top level fills whatever text_config lacks.
class ConfigView {
public:
  ConfigView(const json &config, std::string where) : config_(config), where_(std::move(where)) {
    text_ = jf::find(config, "text_config");
    if (text_ != nullptr) jf::require_object(*text_, jf::field_path(where_, "text_config"));
  }

  bool has_text_config() const { return text_ != nullptr; }

  // The field and the path to name in messages, or nullptr when absent.
  const json *find(std::string_view key, std::string *path) const {
    if (text_ != nullptr) {
      if (const json *value = jf::find(*text_, key)) {
        *path = jf::field_path(jf::field_path(where_, "text_config"), key);
        return value;
      }
    }
    *path = jf::field_path(where_, key);
    return jf::find(config_, key);
  }

  bool has(std::string_view key) const {
    std::string path;
    return find(key, &path) != nullptr;
  }

  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) const {
    std::string path;
    const json *value = find(key, &path);
    if (value == nullptr) return std::nullopt;
    return jf::to_integer(*value, path, min, max);
  }

  int64_t required_integer(std::string_view key, int64_t min, int64_t max, const char *why) const {
    if (auto value = integer(key, min, max)) return *value;
    if (text_ != nullptr) {
      throw InputError(jf::field_path(jf::field_path(where_, "text_config"), key),
                       std::string("missing (neither text_config nor the top level has it); ") +
                           why);
    }
    throw InputError(jf::field_path(where_, key), std::string("missing; ") + why);
  }

  // The first present alias: its value and name.
  std::optional<std::pair<int64_t, std::string_view>>
  first_integer(std::initializer_list<std::string_view> aliases, int64_t min, int64_t max) const {
    for (const auto alias : aliases) {
      if (auto value = integer(alias, min, max)) return std::make_pair(*value, alias);
    }
    return std::nullopt;
  }

  const std::string &where() const { return where_; }

private:
  const json &config_;
  const json *text_ = nullptr;
  std::string where_;
};

void add_note(Notes &notes, std::string code, std::string message,
              std::vector<std::string> affects) {
  notes.push_back({std::move(code), std::move(message), std::move(affects)});
}

void add_config_typo_notes(const json &object, const std::string &where, Notes &notes) {
  const Notes typos = jf::possible_typo_notes(object, where,
                                              {"num_hidden_layers",
                                               "hidden_size",
                                               "num_attention_heads",
                                               "num_key_value_heads",
                                               "num_kv_heads",
                                               "multi_query_group_num",
                                               "head_dim",
                                               "intermediate_size",
                                               "moe_intermediate_size",
                                               "num_local_experts",
                                               "num_experts",
                                               "n_routed_experts",
                                               "num_experts_per_tok",
                                               "experts_per_token",
                                               "text_config",
                                               "vocab_size",
                                               "tie_word_embeddings",
                                               "kv_lora_rank",
                                               "n_shared_experts",
                                               "num_shared_experts",
                                               "shared_expert_intermediate_size",
                                               "first_k_dense_replace",
                                               "sliding_window",
                                               "use_sliding_window",
                                               "attention_chunk_size"});
  notes.insert(notes.end(), typos.begin(), typos.end());
}

const std::vector<std::string> kAttentionTerms = {"t_pf_compute", "t_pf_kv", "t_dc_compute",
                                                  "t_dc_kv", "t_weight"};
const std::vector<std::string> kFfnTerms = {"t_pf_compute", "t_dc_compute", "t_weight"};
const std::vector<std::string> kKvTerms = {"t_pf_kv", "t_dc_kv"};

// Notes for features of the model that the roofline formulas do not model.
void add_unmodelled_feature_notes(const ConfigView &view, Notes &notes) {
  if (view.has("kv_lora_rank")) {
    add_note(notes, "multi_head_latent_attention",
             "The config uses multi-head latent attention (kv_lora_rank); the formulas treat it "
             "as ordinary attention with the listed heads, so KV bytes and projection FLOPs are "
             "not those of the compressed latent cache.",
             kAttentionTerms);
  }
  if (view.has("n_shared_experts") || view.has("shared_expert_intermediate_size") ||
      view.has("num_shared_experts")) {
    add_note(notes, "shared_experts",
             "The config has shared experts; the formulas count only routed experts, so FFN "
             "FLOPs and weight bytes are low by the shared experts' share.",
             kFfnTerms);
  }
  if (view.has("first_k_dense_replace")) {
    add_note(notes, "dense_first_layers",
             "The first layers are dense (first_k_dense_replace); the formulas treat every layer "
             "as MoE.",
             kFfnTerms);
  }
  std::string path;
  const json *sliding = view.find("sliding_window", &path);
  const json *use_sliding = view.find("use_sliding_window", &path);
  const bool sliding_disabled =
      use_sliding != nullptr && use_sliding->is_boolean() && !use_sliding->get<bool>();
  const bool window_set = sliding != nullptr && sliding->is_number() && sliding->get<double>() > 0;
  if (window_set && !sliding_disabled) {
    add_note(notes, "sliding_window",
             "The config enables sliding-window attention; the formulas attend over the full "
             "context, so attention FLOPs and KV reads are upper bounds for long contexts.",
             {"t_pf_compute", "t_dc_compute", "t_dc_kv"});
  }
  if (view.has("attention_chunk_size")) {
    add_note(notes, "chunked_attention",
             "The config uses chunked attention (attention_chunk_size); the formulas attend over "
             "the full context.",
             {"t_pf_compute", "t_dc_compute", "t_dc_kv"});
  }
}

// The vocabulary and whether the LM head is tied: they size the weights in memory,
// not the step time.
void read_embeddings(const ConfigView &view, ModelArch &arch, Notes &notes) {
  arch.vocab = view.integer("vocab_size", 1, limits::kMaxVocab).value_or(0);
  if (arch.vocab == 0) {
    add_note(notes, "no_vocab_size",
             "The config has no vocab_size, so the weights in memory leave out the embedding "
             "and LM-head matrices.",
             {"memory"});
  }
  std::string path;
  const json *tied = view.find("tie_word_embeddings", &path);
  if (tied != nullptr && !tied->is_boolean()) {
    throw InputError(path, "must be true or false, got " + jf::describe(*tied));
  }
  // Absent means tied: the default of the transformers library's base config.
  arch.tied_embeddings = tied == nullptr || tied->get<bool>();
}

} // namespace

ResolvedModel resolve_model_arch(const json &config, const std::string &where) {
  if (!config.is_object()) {
    throw InputError(where, "expected a HF config.json object, got " + jf::describe(config));
  }
  const ConfigView view(config, where);
  ResolvedModel resolved;
  ModelArch &arch = resolved.arch;
  Notes &notes = resolved.notes;
  if (view.has_text_config()) {
    add_note(notes, "text_config",
             "Architecture fields were read from text_config (the language model of a "
             "multimodal config); top-level fields fill what it lacks.",
             {});
  }

  arch.L = view.required_integer("num_hidden_layers", 1, limits::kMaxLayers,
                                 "the number of transformer layers is required");
  arch.d =
      view.required_integer("hidden_size", 1, limits::kMaxWidth, "the model width is required");
  arch.H = view.required_integer("num_attention_heads", 1, limits::kMaxHeads,
                                 "the number of attention heads is required");

  const auto kv = view.first_integer(
      {"num_key_value_heads", "num_kv_heads", "multi_query_group_num"}, 1, limits::kMaxHeads);
  arch.kv_heads = kv ? kv->first : arch.H;
  if (kv && kv->second != "num_key_value_heads") {
    add_note(notes, "kv_heads_alias",
             "Key/value heads were read from " + std::string(kv->second) +
                 " (the seed reads num_key_value_heads).",
             {});
  }
  if (arch.kv_heads > arch.H) {
    std::string path;
    view.find(kv->second, &path);
    throw InputError(path, std::to_string(arch.kv_heads) + " key/value heads exceed the " +
                               std::to_string(arch.H) + " attention heads");
  }

  const auto head_dim = view.integer("head_dim", 1, limits::kMaxWidth);
  if (head_dim) {
    arch.d_h = *head_dim;
    if (*head_dim * arch.H != arch.d) {
      add_note(notes, "head_dim",
               "head_dim " + std::to_string(*head_dim) +
                   " is used as the head dimension and the "
                   "query width is H x head_dim = " +
                   std::to_string(*head_dim * arch.H) + ", not hidden_size " +
                   std::to_string(arch.d) + " (the seed uses hidden_size // heads).",
               kAttentionTerms);
    }
  } else {
    arch.d_h = arch.d / arch.H;
    if (arch.d_h == 0) {
      std::string path;
      view.find("hidden_size", &path);
      throw InputError(path, "hidden_size " + std::to_string(arch.d) + " is smaller than the " +
                                 std::to_string(arch.H) +
                                 " attention heads, so the head dimension would be 0");
    }
    if (arch.d % arch.H != 0) {
      add_note(notes, "head_dim_floor",
               "hidden_size " + std::to_string(arch.d) + " is not divisible by " +
                   std::to_string(arch.H) + " heads; the head dimension is floored to " +
                   std::to_string(arch.d_h) + " as the seed does.",
               kAttentionTerms);
    }
  }
  arch.q_dim = head_dim ? arch.H * arch.d_h : arch.d;
  arch.d_kv = arch.kv_heads * arch.d_h;

  const auto experts = view.first_integer({"num_local_experts", "num_experts", "n_routed_experts"},
                                          0, limits::kMaxExperts);
  arch.N = experts ? experts->first : 0;
  arch.is_moe = arch.N > 0;
  if (experts && experts->second != "num_local_experts" && arch.is_moe) {
    add_note(notes, "experts_alias",
             "Routed experts were read from " + std::string(experts->second) +
                 " (the seed reads num_local_experts).",
             {});
  }
  const auto active =
      view.first_integer({"num_experts_per_tok", "experts_per_token"}, 0, limits::kMaxExperts);
  arch.k = active ? active->first : 0;
  if (active && active->second != "num_experts_per_tok" && arch.is_moe) {
    add_note(notes, "active_experts_alias",
             "Experts per token were read from " + std::string(active->second) +
                 " (the seed reads num_experts_per_tok).",
             {});
  }
  if (arch.is_moe && arch.k > arch.N) {
    std::string path;
    view.find(active->second, &path);
    throw InputError(path, std::to_string(arch.k) + " experts per token exceed the " +
                               std::to_string(arch.N) + " routed experts");
  }
  if (arch.is_moe && arch.k == 0) {
    add_note(notes, "no_active_experts",
             "The config has routed experts but no experts per token; as in the seed, FFN FLOPs "
             "count one expert and weight loading counts none.",
             kFfnTerms);
  }
  arch.k_eff = std::max<int64_t>(1, arch.k);

  const auto moe_width =
      arch.is_moe ? view.integer("moe_intermediate_size", 1, limits::kMaxWidth) : std::nullopt;
  if (moe_width) {
    arch.d_ff = *moe_width;
    add_note(notes, "moe_intermediate_size",
             "The per-expert FFN width is moe_intermediate_size " + std::to_string(*moe_width) +
                 " (the seed reads intermediate_size).",
             kFfnTerms);
  } else {
    arch.d_ff = view.required_integer("intermediate_size", 1, limits::kMaxWidth,
                                      "the FFN width is required");
  }

  read_embeddings(view, arch, notes);
  add_unmodelled_feature_notes(view, notes);
  add_config_typo_notes(config, where, notes);
  if (const json *text = jf::find(config, "text_config")) {
    add_config_typo_notes(*text, jf::field_path(where, "text_config"), notes);
  }
  return resolved;
}

namespace {

// "1 key/value head", "8 key/value heads", "1 head".
std::string heads(int64_t count, const std::string &kind) {
  return std::to_string(count) + (kind.empty() ? "" : " ") + kind + (count == 1 ? " head" : " heads");
}
const char *are(int64_t count) { return count == 1 ? " is" : " are"; }

} // namespace

Notes tp_sharding_notes(const ModelArch &arch, int64_t tp) {
  Notes notes;
  if (tp <= 1) return notes;
  const std::string tp_text = std::to_string(tp);
  if (arch.H % tp != 0) {
    add_note(notes, "heads_not_divisible",
             heads(arch.H, "attention") + are(arch.H) + " not divisible by TP " + tp_text +
                 "; attention FLOPs use floor(H/TP) = " + heads(arch.H / tp, "") +
                 " per GPU, as the seed does.",
             {"t_pf_compute", "t_dc_compute"});
  }
  if (arch.kv_heads < tp) {
    add_note(notes, "kv_heads_below_tp",
             heads(arch.kv_heads, "key/value") + are(arch.kv_heads) + " fewer than TP " + tp_text +
                 "; floor(kv_heads/TP) = 0, so the KV terms vanish, whereas real engines "
                 "replicate KV heads across GPUs.",
             kKvTerms);
  } else if (arch.kv_heads % tp != 0) {
    add_note(notes, "kv_heads_not_divisible",
             heads(arch.kv_heads, "key/value") + are(arch.kv_heads) + " not divisible by TP " +
                 tp_text + "; KV bytes use floor(kv_heads/TP) = " + heads(arch.kv_heads / tp, "") +
                 " per GPU, as the seed does.",
             kKvTerms);
  }
  return notes;
}

} // namespace stepcalc
