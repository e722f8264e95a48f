#!/usr/bin/env bash
# `stepcalc simulate`: exit codes, stdout only on success, one error line on stderr, and a
# one-request run whose time to first token is compute's step time, to the last digit.
source "$(dirname "$0")/contract.sh"

header='"model": "llama-2-70b-hf", "gpu": "h100-sxm", "tp": 4'
request="{$header, \"workload\": {\"requests\": [{\"arrival_us\": 0, \"prompt_tokens\": 2048, \"output_tokens\": 1}]}}"

out=$(printf '%s' "$request" | "$cli" simulate - 2>"$err"); code=$?
[ "$code" -eq 0 ] || fail "simulate from stdin exited $code"
[ ! -s "$err" ] || fail "simulate wrote to stderr: $(cat "$err")"
# One request with one output token: a single prefill step, so TTFT = E2E = its step time.
step=$(printf '%s' "{$header, \"step\": {\"prefill\": [{\"tokens_this_step\": 2048, \"prompt_tokens\": 2048}]}}" |
  "$cli" compute - | sed -E 's/^\{"step_time_us":([^,]*),.*/\1/')
[[ "$step" =~ ^[0-9.]+$ ]] || fail "compute's step_time_us not found: $step"
[[ "$out" == *"\"ttft_us\":$step,\"tpot_us\":0,\"e2e_us\":$step}"* ]] ||
  fail "simulate's request times are not compute's step time $step: $out"
[[ "$out" == '{"summary":{"requests":1,"steps":1,'* ]] || fail "summary does not lead: ${out:0:80}"

file=$(mktemp); printf '%s' "$request" > "$file"
[ "$("$cli" simulate "$file")" = "$out" ] || fail "simulate FILE differs from simulate -"
rm -f "$file"

# A request text on simulate's stdin.
check_simulate_error() { # label, expected stderr line, request text
  check_error "$1" "$2" bash -c 'printf "%s" "$1" | "$2" simulate' _ "$3" "$cli"
}
check_simulate_error "no workload" 'error: workload: missing; expected {"requests": a number or a list, ...}' "{$header}"
check_simulate_error "a bad token range" "error: workload.output_tokens.min: must be an integer from 1 to 100000000, got 0" \
  "{$header, \"workload\": {\"requests\": 3, \"output_tokens\": {\"min\": 0, \"max\": 4}}}"
check_simulate_error "a request that never fits" \
  "error: workload.requests[0]: needs 600001 tokens of KV cache (prompt 600000 + output 1) but at most 457914 fit beside the weights; it could never run" \
  "{$header, \"workload\": {\"requests\": [{\"prompt_tokens\": 600000, \"output_tokens\": 1}]}}"
check_simulate_error "invalid JSON" "error: request: invalid JSON: parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal" ""
check_error "two files" "error: arguments: simulate takes at most one FILE" "$cli" simulate a b

check_output "simulate --help" "usage: stepcalc simulate" "$cli" simulate --help

[ "$failures" -eq 0 ] && echo "cli simulate: all checks passed"
