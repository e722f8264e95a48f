#!/usr/bin/env bash
# The test run. By default every stage is deterministic (no test reads a clock, no
# random search); docs/testing.md says how long each stage takes on this 2-core machine:
#   build      scripts/build.sh: installs what is missing, the native build, the WASM module, the site
#   ctest      the C++ unit tests, the CLI's contract, the bad-input table with bounded work,
#              every committed fuzz seed and regression replayed through the fuzz targets'
#              entry points (build/native, ctest --preset native)
#   typecheck  the WASM declarations and the page's code (tsc)
#   node       the module against the CLI, its errors, leaks and bad inputs (tests/wasm/), the
#              trace reader and fit (tests/trace/), the page in headless Chromium (tests/e2e/)
# scripts/test.sh --deep adds what takes long or searches at random, for before a release:
#   sanitize   the native build again under AddressSanitizer and UndefinedBehaviorSanitizer, and its ctest
#   replay     the libFuzzer builds of the targets over their corpus, once (scripts/fuzz.sh --replay)
#   fuzz       every libFuzzer target for FUZZ_SECONDS each (default 30; scripts/fuzz.sh)
# At the end it prints each stage's wall time and CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."

deep=false
case "${1:-}" in
  "") ;;
  --deep) deep=true ;;
  *) echo "usage: scripts/test.sh [--deep]" >&2; exit 2 ;;
esac

timings=()
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
# Sets cpu_seconds to the CPU time (user + system) of the finished child processes so far.
# `times` runs in this shell: in a subshell it would count the subshell's children only.
read_children_cpu() {
  times >"$times_file"
  cpu_seconds=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] } printf "%.0f", total }' "$times_file")
}
# Runs a stage and keeps its name, wall time and CPU time for the summary (on a shared
# machine the wall time grows with the load; the CPU time much less).
stage() {
  local name=$1 started=$SECONDS cpu_before
  shift
  read_children_cpu
  cpu_before=$cpu_seconds
  echo "== $name: $*"
  "$@"
  read_children_cpu
  timings+=("$(printf '%-10s %4d s wall, %4d s CPU' "$name" $((SECONDS - started)) $((cpu_seconds - cpu_before)))")
}

stage build scripts/build.sh
stage ctest ctest --preset native
stage typecheck npm run --silent typecheck
# One node --test run over the three folders, three files at a time: the browser files
# wait on Chromium more than they compute, and the module's files compute in the time they
# leave (node's default on 2 cores is one file at a time; docs/testing.md has the figures).
stage node node --test --test-concurrency=3 tests/wasm/ tests/trace/ tests/e2e/

if $deep; then
  sanitize() {
    cmake --preset sanitize >/dev/null
    cmake --build --preset sanitize
    ctest --preset sanitize
  }
  stage sanitize sanitize
  stage replay scripts/fuzz.sh --replay
  stage fuzz scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fi

echo "== passed; time per stage:"
printf '   %s\n' "${timings[@]}"
