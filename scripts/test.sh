#!/usr/bin/env bash
# Every test: the C++ unit tests and CLI checks (CTest), the type check of the
# WASM declarations, the WASM module's tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

ctest --preset native
npm run --silent typecheck
node --test tests/wasm/ tests/trace/ tests/e2e/
