"""The seed's algorithm, as the yardstick for the benchmarks (wasm/bench/bench.mjs,
core/bench/trace_bench.mjs).

The seed (the crossmodel basis functions this project ports) builds frozen dataclasses
once and runs one function per roofline term, each looping over the step's requests in
Python; compute_experiment_basis maps compute_step_basis over an experiment's steps.
This module keeps that structure, with the same formulas.

    python3 core/bench/seed_algorithm.py step '<step json>' <calls>
        microseconds per step for one step, the mean over `calls`
    python3 core/bench/seed_algorithm.py experiment FILE '<model config json>' '<gpu json>'
        json.load of an experiment document, its steps as dataclasses, and
        compute_experiment_basis over them: seconds for each part
"""
import json
import sys
import time
from dataclasses import dataclass

BYTES = 2


@dataclass(frozen=True)
class Arch:
    L: int
    d: int
    H: int
    kv_heads: int
    d_h: int
    d_kv: int
    d_ff: int
    N: int
    k: int
    k_eff: int
    is_moe: bool


@dataclass(frozen=True)
class Hardware:
    flops_peak: float
    bw_hbm: float
    bw_nvlink: float


@dataclass(frozen=True)
class PrefillEntry:
    tokens_this_step: int
    prompt_tokens: int


@dataclass(frozen=True)
class DecodeEntry:
    context_length: int


@dataclass(frozen=True)
class Step:
    prefill_reqs: tuple
    decode_reqs: tuple
    total_prefill_tokens: int
    total_decode_tokens: int
    batch_size: int


@dataclass(frozen=True)
class Basis:
    t_pf_compute: float
    t_pf_kv: float
    t_dc_compute: float
    t_dc_kv: float
    t_weight: float
    t_tp: float
    num_layers: int
    batch_size: int


def t_pf_compute(step, a, hw, tp):
    if not step.prefill_reqs:
        return 0.0
    T = step.total_prefill_tokens
    proj = a.L * 2 * T * a.d * (2 * a.d + 2 * a.d_kv) / tp
    heads = a.H // tp
    attn = 0.0
    for e in step.prefill_reqs:
        attn += 4 * heads * e.tokens_this_step * (e.prompt_tokens + e.tokens_this_step / 2) * a.d_h
    attn *= a.L
    ffn = a.L * T * a.k_eff * 6 * a.d * a.d_ff / tp
    return (proj + attn + ffn) / (hw.flops_peak * 1e6)


def t_pf_kv(step, a, hw, tp):
    if not step.prefill_reqs:
        return 0.0
    return a.L * 2 * (a.kv_heads // tp) * a.d_h * step.total_prefill_tokens * BYTES / (hw.bw_hbm * 1e6)


def t_dc_compute(step, a, hw, tp):
    if not step.decode_reqs:
        return 0.0
    T = step.total_decode_tokens
    proj = a.L * 2 * T * a.d * (2 * a.d + 2 * a.d_kv) / tp
    ctx = sum(e.context_length for e in step.decode_reqs)
    attn = a.L * 4 * (a.H // tp) * ctx * a.d_h
    ffn = a.L * T * a.k_eff * 6 * a.d * a.d_ff / tp
    return (proj + attn + ffn) / (hw.flops_peak * 1e6)


def t_dc_kv(step, a, hw, tp):
    if not step.decode_reqs:
        return 0.0
    ctx = sum(e.context_length for e in step.decode_reqs)
    return a.L * 2 * (a.kv_heads // tp) * a.d_h * BYTES * (ctx + step.total_decode_tokens) / (hw.bw_hbm * 1e6)


def t_weight(step, a, hw, tp):
    if a.is_moe:
        B = step.total_prefill_tokens + step.total_decode_tokens
        n_eff = min(a.N, max(a.k, B * a.k))
    else:
        n_eff = 1
    attn = a.L * a.d * (2 * a.d + 2 * a.d_kv) * BYTES / tp
    ffn = a.L * n_eff * 3 * a.d * a.d_ff * BYTES / tp
    return (attn + ffn) / (hw.bw_hbm * 1e6)


def t_tp(step, a, hw, tp):
    if tp <= 1:
        return 0.0
    T = step.total_prefill_tokens + step.total_decode_tokens
    if T == 0:
        return 0.0
    msg = T * a.d * BYTES
    factor = 2 if tp == 2 else 4
    return a.L * factor * msg / (hw.bw_nvlink * 1e3)


def compute_step_basis(step, a, hw, tp):
    return Basis(t_pf_compute(step, a, hw, tp), t_pf_kv(step, a, hw, tp),
                 t_dc_compute(step, a, hw, tp), t_dc_kv(step, a, hw, tp),
                 t_weight(step, a, hw, tp), t_tp(step, a, hw, tp), a.L, step.batch_size)


def load_arch(c):
    d, H = c["hidden_size"], c["num_attention_heads"]
    kv = c.get("num_key_value_heads", H)
    k = c.get("num_experts_per_tok", 0)
    return Arch(c["num_hidden_layers"], d, H, kv, d // H, kv * (d // H), c["intermediate_size"],
                c.get("num_local_experts", 0), k, max(1, k), c.get("num_local_experts", 0) > 0)


def load_hardware(ds):
    return Hardware(ds["compute"]["fp16_tensor_core"] / 2, ds["memory"]["bandwidth_tb_s"],
                    ds["interconnect"]["nvlink_bandwidth_gb_s"])


def compute_experiment_basis(steps, arch, hw, tp):
    return [compute_step_basis(step, arch, hw, tp) for step in steps]


def experiment(path, config, datasheet):
    t0 = time.perf_counter()
    with open(path) as f:
        doc = json.load(f)
    t1 = time.perf_counter()
    steps = [Step(tuple(PrefillEntry(e["tokens_this_step"], e["prompt_tokens"]) for e in s["prefill_reqs"]),
                  tuple(DecodeEntry(e["context_length"]) for e in s["decode_reqs"]),
                  s["total_prefill_tokens"], s["total_decode_tokens"], s["batch_size"])
             for s in doc["steps"]]
    t2 = time.perf_counter()
    basis = compute_experiment_basis(steps, load_arch(config), load_hardware(datasheet), doc["tensor_parallelism"])
    t3 = time.perf_counter()
    print(json.dumps({"load_s": t1 - t0, "dataclasses_s": t2 - t1, "compute_s": t3 - t2,
                      "total_s": t3 - t0, "steps": len(basis), "last_t_dc_kv": basis[-1].t_dc_kv}))


def step(spec_text, calls):
    spec = json.loads(spec_text)
    arch = load_arch(spec["config"])
    hw = Hardware(spec["tflops_sparse"] / 2, spec["hbm_tb_s"], spec["nvlink_gb_s"])
    prefill = tuple(PrefillEntry(r["tokens_this_step"], r["prompt_tokens"]) for r in spec["prefill"])
    decode = tuple(DecodeEntry(r["context_length"]) for r in spec["decode"])
    one = Step(prefill, decode, sum(e.tokens_this_step for e in prefill), len(decode),
               len(prefill) + len(decode))
    basis = compute_step_basis(one, arch, hw, spec["tp"])
    start = time.perf_counter()
    for _ in range(calls):
        compute_step_basis(one, arch, hw, spec["tp"])
    elapsed = time.perf_counter() - start
    print(json.dumps({"us_per_step": elapsed / calls * 1e6, "t_dc_kv": basis.t_dc_kv}))


if __name__ == "__main__":
    if sys.argv[1] == "step":
        step(sys.argv[2], int(sys.argv[3]))
    else:
        experiment(sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4]))
