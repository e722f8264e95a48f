#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for stepcalc (Debian packages,
# then the npm packages pinned by package-lock.json). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and its runtimes build the sanitizer and libFuzzer presets.
packages=(cmake make g++ clang libclang-rt-14-dev nlohmann-json3-dev doctest-dev
  emscripten chromium python3 time)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install. Never through a linked
# node_modules (a worktree sharing another checkout's packages): npm ci empties the
# directory the link points to, which is the other checkout's install.
if [ -L node_modules ]; then
  if [ ! -f node_modules/.package-lock.json ]; then
    echo "setup: node_modules links to $(readlink node_modules), which holds no npm install; install there, or remove the link" >&2
    exit 1
  fi
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
