#!/usr/bin/env bash
# Builds the fuzz preset and runs every libFuzzer target (fuzz/fuzz_*.cpp) for
# SECONDS each (default 30), then prints executions and corpus size per target.
# The corpus of each target grows across runs in build/fuzz/corpus/<target>/;
# a crash, hang, leak or sanitizer report is saved to build/fuzz/findings/ and
# fails the script. Targets listed in fuzz/open-findings are skipped, with the
# finding printed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (a whole number of seconds per target, default 30)" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
mkdir -p build/fuzz/corpus build/fuzz/findings build/fuzz/logs

failures=0
for source in fuzz/fuzz_*.cpp; do
  target=$(basename "$source" .cpp)
  open_finding=$(sed -n "s/^$target //p" fuzz/open-findings)
  if [ -n "$open_finding" ]; then
    printf '%-16s SKIPPED: open finding: %s\n' "$target" "$open_finding"
    continue
  fi
  corpus="build/fuzz/corpus/$target"
  log="build/fuzz/logs/$target.log"
  mkdir -p "$corpus"
  seeds=("build/fuzz/seeds/$target")
  [ -d "fuzz/corpus/$target" ] && seeds+=("fuzz/corpus/$target")
  # New inputs go to the first folder; the seed folders are only read.
  if "build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -dict=fuzz/json.dict -print_final_stats=1 \
    -artifact_prefix="build/fuzz/findings/$target-" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    outcome="ok"
  else
    outcome="FINDING: see $log and build/fuzz/findings/"
    failures=$((failures + 1))
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # The last status line's "corp: <inputs>/<bytes>" is the corpus in memory.
  corpus_size=$(grep -o 'corp: [0-9]*/[0-9]*[A-Za-z]*' "$log" | tail -1 | sed 's|corp: \(.*\)/\(.*\)|\1 inputs (\2)|')
  printf '%-16s %10s executions in %ss, corpus %s, %s\n' \
    "$target" "${executions:-?}" "$seconds" "${corpus_size:-? inputs}" "$outcome"
done
exit "$failures"
