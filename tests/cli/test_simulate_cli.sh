#!/usr/bin/env bash
# `stepcalc simulate`: exit codes, stdout only on success, one error line on stderr, and a
# one-request run whose time to first token is compute's step time, to the last digit.
set -u
cli="$1"
failures=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

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

check_error() { # label, expected stderr line, request text
  local label="$1" expected="$2" stdout stderr code
  stdout=$(printf '%s' "$3" | "$cli" simulate 2>"$err"); code=$?; stderr=$(cat "$err")
  [ "$code" -eq 2 ] || fail "$label: exit $code, expected 2"
  [ -z "$stdout" ] || fail "$label: wrote to stdout: $stdout"
  [ "$stderr" = "$expected" ] || fail "$label: stderr '$stderr', expected '$expected'"
}
check_error "no workload" 'error: workload: missing; expected {"requests": a number or a list, ...}' "{$header}"
check_error "a bad token range" "error: workload.output_tokens.min: must be an integer from 1 to 100000000, got 0" \
  "{$header, \"workload\": {\"requests\": 3, \"output_tokens\": {\"min\": 0, \"max\": 4}}}"
check_error "a request that never fits" \
  "error: workload.requests[0]: needs 600001 tokens of KV cache (prompt 600000 + output 1) but at most 457914 fit beside the weights; it could never run" \
  "{$header, \"workload\": {\"requests\": [{\"prompt_tokens\": 600000, \"output_tokens\": 1}]}}"
check_error "invalid JSON" "error: request: invalid JSON: parse error at line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal" ""
stdout=$("$cli" simulate a b 2>"$err"); code=$?
[ "$code" -eq 2 ] && [ "$(cat "$err")" = "error: arguments: simulate takes at most one FILE" ] ||
  fail "two files: exit $code, stderr $(cat "$err")"

stdout=$("$cli" simulate --help 2>"$err"); code=$?
[ "$code" -eq 0 ] && [[ "$stdout" == "usage: stepcalc simulate"* ]] || fail "simulate --help: exit $code"

[ "$failures" -eq 0 ] && echo "cli simulate: all checks passed"
