#!/usr/bin/env bash
# Runs the official Azure IoT SDK for Node.js against a fresh `fleetsim hub`:
#   tests/node/run.sh PATH/TO/fleetsim
# The SDK's device transports hard-code MQTT/TLS on 8883 and MQTT over WebSocket on 443, so the hub
# takes exactly those ports on 127.0.0.1 (both must be free; binding 443 needs root or
# CAP_NET_BIND_SERVICE). Fails when any test fails, the hub dies during the run, or it does not stop
# cleanly on SIGTERM.
set -euo pipefail

fleetsim=${1:?usage: $0 PATH/TO/fleetsim}
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -d "$here/node_modules/azure-iothub" ]; then
  echo "run.sh: $here/node_modules is missing: run scripts/setup.sh (npm ci)" >&2
  exit 1
fi

work=$(mktemp -d)
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
    kill -KILL "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$fleetsim" hub --bind 127.0.0.1 --host-name localhost --mqtt-port 0 --mqtts-port 8883 \
  --https-port 443 --http-port off --data "$work/data" >"$work/hub.out" 2>"$work/hub.err" &
hub_pid=$!

# The hub flushes its banner once every listener is bound; the connection string is its last line.
ready=""
for _ in $(seq 100); do
  if grep -q '^Service connection string: ' "$work/hub.out"; then
    ready=yes
    break
  fi
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "run.sh: fleetsim hub did not become ready (are 8883 and 443 free?)" >&2
  cat "$work/hub.out" "$work/hub.err" >&2
  exit 1
fi
cat "$work/hub.out"

ca_file=$(sed -n 's/^CA file to trust: //p' "$work/hub.out")
service_cs=$(sed -n 's/^Service connection string: //p' "$work/hub.out")

status=0
(
  cd "$here"
  # NODE_EXTRA_CA_CERTS, not setOptions({ca}): the SDK's WebSocket transport ignores the latter.
  NODE_EXTRA_CA_CERTS="$ca_file" FLEETSIM_HOST_NAME=localhost \
    FLEETSIM_SERVICE_CONNECTION_STRING="$service_cs" \
    timeout 150 node --test --test-reporter=spec ./*.test.mjs
) || status=$?

if ! kill -0 "$hub_pid" 2>/dev/null; then
  echo "run.sh: fleetsim hub died during the tests" >&2
  cat "$work/hub.err" >&2
  exit 1
fi
kill -TERM "$hub_pid"
hub_status=0
for _ in $(seq 100); do
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$hub_pid" 2>/dev/null; then
  echo "run.sh: fleetsim hub did not stop within 10 s of SIGTERM" >&2
  exit 1
fi
wait "$hub_pid" || hub_status=$?
hub_pid=""
if [ "$hub_status" -ne 0 ]; then
  echo "run.sh: fleetsim hub exited with status $hub_status on SIGTERM" >&2
  cat "$work/hub.err" >&2
  exit 1
fi

if [ "$status" -ne 0 ]; then
  echo "run.sh: node tests failed (status $status)" >&2
  cat "$work/hub.err" >&2
fi
exit "$status"
