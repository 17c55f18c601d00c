#!/usr/bin/env bash
# Configures and builds fleetsim in build/ (Release, Ninja, ccache when present).
#   scripts/build.sh [extra cmake -D options...] [--target T...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
defs=() targets=()
while (($#)); do
  if [ "$1" = --target ]; then targets+=(--target "$2"); shift 2
  elif ((${#targets[@]})); then targets+=(--target "$1"); shift
  else defs+=("$1"); shift
  fi
done
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "${defs[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" "${targets[@]}"
