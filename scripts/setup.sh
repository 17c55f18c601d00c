#!/usr/bin/env bash
# Installs everything fleetsim needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are left alone. Runs as root (or via sudo).
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev openssl
  prometheus-cpp-dev
  libtomlplusplus-dev
  libcli11-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  python3 procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
