#!/usr/bin/env bash
# The libFuzzer targets (fuzz/fuzz_*.cpp), built by the fuzz preset (clang, ASan, UBSan).
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]   fuzz each target (default: all) for SECONDS
#                                           (default 30), then print executions and corpus
#                                           size per target: a person's long session
#   scripts/fuzz.sh --replay [TARGET...]    run each target once over its committed corpus
#                                           (fuzz/corpus/<target>/), the seeds built from
#                                           presets/ and its regressions
#                                           (tests/data/fuzz-regressions/<name>-*), under
#                                           the sanitizers; no mutation, so it is
#                                           deterministic and takes seconds once built
#
# A session's corpus grows across runs in build/fuzz/corpus/<target>/; a crash, hang,
# leak or sanitizer report is saved to build/fuzz/findings/ and fails the script.
# Targets listed in fuzz/open-findings are skipped, with the finding printed.
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh [SECONDS [TARGET...]] | --replay [TARGET...]" >&2
  echo "  SECONDS: a whole number of seconds per target (default 30)" >&2
  echo "  TARGET:  one of $(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//' | tr '\n' ' ')" >&2
  exit 2
}

mode=fuzz
seconds=30
if [ "${1:-}" = "--replay" ]; then
  mode=replay
  shift
elif [ $# -gt 0 ]; then
  seconds="$1"
  shift
  [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi
for target in "${targets[@]}"; do
  [ -f "fuzz/$target.cpp" ] || usage
done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
mkdir -p build/fuzz/corpus build/fuzz/findings build/fuzz/logs

# The target's committed corpus and the seeds the build writes (only read, never grown).
seed_folders() {
  local target="$1"
  echo "build/fuzz/seeds/$target"
  [ -d "fuzz/corpus/$target" ] && echo "fuzz/corpus/$target"
  return 0
}

# One replay: every seed and regression run once; prints the count, fails on a finding.
replay() {
  local target="$1" log="build/fuzz/logs/$target-replay.log"
  local -a folders regressions
  mapfile -t folders < <(seed_folders "$target")
  # trace-* is fuzz_trace's, trace_step-* fuzz_trace_step's; open-* are known open findings.
  mapfile -t regressions < <(find tests/data/fuzz-regressions -maxdepth 1 -type f \
    -name "${target#fuzz_}-*" | sort)
  local seeds=0 folder
  for folder in "${folders[@]}"; do
    seeds=$((seeds + $(find "$folder" -maxdepth 1 -type f | wc -l)))
  done
  {
    "build/fuzz/$target" -runs=0 -timeout=10 -rss_limit_mb=2048 "${folders[@]}" &&
      if [ ${#regressions[@]} -gt 0 ]; then
        "build/fuzz/$target" -timeout=10 -rss_limit_mb=2048 "${regressions[@]}"
      fi
  } >"$log" 2>&1 || return 1
  printf '%-16s replayed %4d seeds and %2d regressions: ok\n' "$target" "$seeds" "${#regressions[@]}"
}

# One timed session: libFuzzer's own statistics.
session() {
  local target="$1" corpus="build/fuzz/corpus/$1" log="build/fuzz/logs/$1.log" outcome
  local -a folders
  mapfile -t folders < <(seed_folders "$target")
  mkdir -p "$corpus"
  # New inputs go to the first folder; the seed folders are only read.
  if "build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -dict=fuzz/json.dict -print_final_stats=1 \
    -artifact_prefix="build/fuzz/findings/$target-" "$corpus" "${folders[@]}" >"$log" 2>&1; then
    outcome="ok"
  else
    outcome="FINDING: see $log and build/fuzz/findings/"
  fi
  local executions corpus_size
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # No statistics: libFuzzer stopped before fuzzing (a bad flag or dictionary line).
  [ -n "$executions" ] || [ "$outcome" = ok ] || outcome="DID NOT RUN: see $log"
  # The last status line's "corp: <inputs>/<bytes>" is the corpus in memory.
  corpus_size=$(grep -o 'corp: [0-9]*/[0-9]*[A-Za-z]*' "$log" | tail -1 | sed 's|corp: \(.*\)/\(.*\)|\1 inputs (\2)|')
  printf '%-16s %10s executions in %ss, corpus %s, %s\n' \
    "$target" "${executions:-?}" "$seconds" "${corpus_size:-? inputs}" "$outcome"
  [ "$outcome" = ok ]
}

failures=0
for target in "${targets[@]}"; do
  open_finding=$(sed -n "s/^$target //p" fuzz/open-findings)
  if [ -n "$open_finding" ]; then
    printf '%-16s SKIPPED: open finding: %s\n' "$target" "$open_finding"
    continue
  fi
  if [ "$mode" = replay ]; then
    replay "$target" || {
      printf '%-16s FINDING in replay: see build/fuzz/logs/%s-replay.log\n' "$target" "$target"
      failures=$((failures + 1))
    }
  else
    session "$target" || failures=$((failures + 1))
  fi
done
exit "$failures"
