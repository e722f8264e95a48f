#!/usr/bin/env bash
# Builds everything: the native library, CLI and tests (build/native), the WASM
# module (build/wasm) and the static site (build/site).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

cmake --preset native >/dev/null
cmake --build --preset native
# Emscripten's optimizer needs Debian's acorn.
export NODE_PATH=/usr/share/nodejs
cmake --preset wasm >/dev/null
cmake --build --preset wasm
node web/build.mjs
