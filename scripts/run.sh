#!/usr/bin/env bash
# The main job: build everything, then serve the calculator on
# http://127.0.0.1:8080/ (change it with --port N or PORT=N).
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case "$arg" in -h|--help) exec node web/serve.mjs --help ;; esac
done
scripts/build.sh
exec node web/serve.mjs "$@"
