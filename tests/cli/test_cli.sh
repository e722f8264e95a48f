#!/usr/bin/env bash
# The CLI's contract: exit codes, stdout only on success, one error line on stderr.
source "$(dirname "$0")/contract.sh"

request='{"model": "llama-2-70b-hf", "gpu": "h100-sxm", "tp": 4,
  "step": {"prefill": [{"tokens_this_step": 512, "prompt_tokens": 512}],
           "decode": [{"context_length": 1000, "count": 32}]}}'

out=$(printf '%s' "$request" | "$cli" compute - 2>"$err"); code=$?
[ "$code" -eq 0 ] || fail "compute from stdin exited $code"
[ ! -s "$err" ] || fail "compute wrote to stderr: $(cat "$err")"
# The seed's worked example 4: t_tp 3169.029688888889, fitted step time 31035.4792750...
[[ "$out" == *'"t_tp":3169.02968888888'* ]] || fail "compute output lacks the seed's t_tp: $out"
[[ "$out" == *'"step_time_us":31035.4792750'* ]] || fail "compute output lacks the fitted step time"

file=$(mktemp); printf '%s' "$request" > "$file"
[ "$("$cli" compute "$file")" = "$out" ] || fail "compute FILE differs from compute -"
rm -f "$file"

bad_count='{"model": "llama-2-7b-hf", "gpu": "h100-sxm", "step": {"decode": [{"context_length": 1}, {"context_length": 1}, {"context_length": 1}, {"context_length": 1.5}]}}'
check_error "bad field" "error: step.decode[3].context_length: must be an integer from 1 to 100000000, got 1.5" \
  bash -c "printf '%s' '$bad_count' | '$cli' compute"
check_error "invalid JSON" "error: request: invalid JSON: parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal" \
  bash -c "printf '' | '$cli' compute"
check_error "a directory" "error: /tmp: is a directory, not a request file" "$cli" compute /tmp
check_error "a number beyond double" "error: request: invalid JSON: number overflow parsing '1e400'" \
  bash -c "printf '%s' '{\"model\": \"llama-2-7b-hf\", \"gpu\": \"h100-sxm\", \"step\": {\"decode\": [{\"context_length\": 1e400}]}}' | '$cli' compute"
check_error "missing file" "error: /nonexistent.json: cannot open the file" "$cli" compute /nonexistent.json
check_error "unknown command" "error: command: unknown command \"run\"; expected compute, grid, trace, fit, simulate or presets (see stepcalc --help)" "$cli" run

check_output "--help" "usage: stepcalc" "$cli" --help
check_output "compute --help" "usage: stepcalc compute" "$cli" compute --help
check_output "presets --help" "usage: stepcalc presets" "$cli" presets --help
check_output "presets" '"id": "mixtral-8x7b-v0.1"' "$cli" presets
check_output "grid --help" "usage: stepcalc grid" "$cli" grid --help

# grid: its H100 SXM TP 4 cell is compute's step time for that GPU and TP, to the digit.
grid_request='{"model": "llama-2-70b-hf", "gpus": ["l4", "h100-sxm"], "tps": [4, 8],
  "step": {"prefill": [{"tokens_this_step": 512, "prompt_tokens": 512}],
           "decode": [{"context_length": 1000, "count": 32}]}}'
check_output "grid" '{"gpu":"h100-sxm","gpu_index":1,"tp":4,"error":null,"step_time_us":31035.4792750' \
  bash -c "printf '%s' '$grid_request' | '$cli' grid -"
check_error "grid with one gpu" 'error: gpu: a grid request lists "gpus", not one "gpu"' \
  bash -c "printf '%s' '$request' | '$cli' grid"

finish cli
