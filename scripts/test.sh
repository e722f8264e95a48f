#!/usr/bin/env bash
# Every test: the C++ unit tests and CLI checks (CTest), the same again built
# with AddressSanitizer and UndefinedBehaviorSanitizer, every fuzz target for
# 30 s (scripts/fuzz.sh), the type check of the WASM declarations, the WASM
# module's tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

ctest --preset native
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize
scripts/fuzz.sh 30
npm run --silent typecheck
node --test tests/wasm/ tests/trace/ tests/e2e/
