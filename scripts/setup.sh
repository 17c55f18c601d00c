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
  python3 python3-yaml procps
  mosquitto            # the plain-MQTT target's tests run a real broker
  prometheus           # the dashboard test runs a real Prometheus (and promtool)
  chromium             # the HTML report is rendered headless in a test
  docker-compose       # `docker-compose config` validates docker-compose.yml
)
# Peers for the side-by-side benchmarks only (scripts/setup.sh --peers): Tsung pulls in Erlang,
# and apt resolves it cleanly only on its own.
PEER_PACKAGES=(tsung mosquitto-clients)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

if [ "${1:-}" = "--peers" ]; then
  for p in "${PEER_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "setup: installing peer $p"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$p"
    fi
  done
fi

# The official Azure IoT SDK for Node.js, for tests/node (node_sdk_tests): installed from its lock
# file when node_modules is missing or older than package-lock.json. Debian's nodejs and npm when
# there is no npm at all (a NodeSource nodejs already bundles npm, and conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing nodejs npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
node_tests="$(cd "$(dirname "$0")/.." && pwd)/tests/node"
if [ ! -f "$node_tests/node_modules/.package-lock.json" ] ||
  [ "$node_tests/package-lock.json" -nt "$node_tests/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in tests/node"
  npm ci --no-audit --no-fund --prefix "$node_tests"
else
  echo "setup: tests/node/node_modules up to date"
fi
