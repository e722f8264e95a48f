"""The seed's step algorithm (compute_step_basis), as the yardstick for wasm/bench/bench.mjs.

The seed (the crossmodel basis functions this project ports) builds frozen dataclasses
once and runs one function per roofline term, each looping over the step's requests in
Python. This script keeps that structure, with the same formulas, and times it on the
benchmark's step. It prints one line: microseconds per step, the mean over `calls`.

    python3 wasm/bench/seed_algorithm.py '<step json>' <calls>
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


def main():
    spec = json.loads(sys.argv[1])
    calls = int(sys.argv[2])
    c = spec["config"]
    d, H = c["hidden_size"], c["num_attention_heads"]
    kv = c.get("num_key_value_heads", H)
    k = c.get("num_experts_per_tok", 0)
    arch = Arch(c["num_hidden_layers"], d, H, kv, d // H, kv * (d // H), c["intermediate_size"],
                c.get("num_local_experts", 0), k, max(1, k), c.get("num_local_experts", 0) > 0)
    hw = Hardware(spec["tflops_sparse"] / 2, spec["hbm_tb_s"], spec["nvlink_gb_s"])
    prefill = tuple(PrefillEntry(r["tokens_this_step"], r["prompt_tokens"]) for r in spec["prefill"])
    decode = tuple(DecodeEntry(r["context_length"]) for r in spec["decode"])
    step = Step(prefill, decode, sum(e.tokens_this_step for e in prefill), len(decode),
                len(prefill) + len(decode))
    basis = compute_step_basis(step, arch, hw, spec["tp"])
    start = time.perf_counter()
    for _ in range(calls):
        compute_step_basis(step, arch, hw, spec["tp"])
    elapsed = time.perf_counter() - start
    print(json.dumps({"us_per_step": elapsed / calls * 1e6, "t_dc_kv": basis.t_dc_kv}))


main()
