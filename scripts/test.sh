#!/usr/bin/env bash
# The second command of the README (and what CI runs): install, build, run the whole test suite
# (unit, integration, fuzz corpora, short benchmarks), then the same tests under ASan+UBSan.
#   scripts/test.sh            everything
#   SANITIZE=0 scripts/test.sh skip the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# 20,000 open files: the integration and scale tests open thousands of sockets.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== Release build (warnings are errors under CI) =="
bash scripts/build.sh
echo "== Test suite =="
ctest --test-dir build --output-on-failure -j2 --timeout 600

if [ "${FUZZ:-1}" = 1 ] && command -v clang++ >/dev/null; then
  echo "== libFuzzer targets (clang), ${FUZZ_SECONDS:-20} s each =="
  BUILD_DIR=build-fuzz CXX=clang++ bash scripts/build.sh -DFLEETSIM_FUZZ=ON -DFLEETSIM_BENCH=OFF \
    --target fuzz_mqtt_codec fuzz_iothub_topics fuzz_sas fuzz_query fuzz_service_api >/dev/null
  for f in fuzz_mqtt_codec fuzz_iothub_topics fuzz_sas fuzz_query fuzz_service_api; do
    args=()
    # The query and service API fuzzers start from their seed corpora and dictionaries; libFuzzer
    # writes new inputs into the first directory, so a scratch one goes first.
    [ "$f" = fuzz_query ] && args=(-dict=tests/fuzz/fuzz_query.dict "$(mktemp -d)" tests/fuzz/corpus/query)
    [ "$f" = fuzz_service_api ] &&
      args=(-dict=tests/fuzz/fuzz_service_api.dict "$(mktemp -d)" tests/fuzz/corpus/service_api)
    build-fuzz/tests/fuzz/$f -max_total_time="${FUZZ_SECONDS:-20}" -print_final_stats=1 "${args[@]}" 2>&1 |
      grep -E "stat::number_of_executed_units|ERROR|SUMMARY" | sed "s/^/$f: /"
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "$f: libFuzzer found a failure"; exit 1; }
  done
fi

if [ "${SANITIZE:-1}" = 1 ]; then
  echo "== ASan+UBSan build =="
  BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo bash scripts/build.sh -DFLEETSIM_SANITIZE=ON -DFLEETSIM_BENCH=OFF
  echo "== Test suite under ASan+UBSan =="
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 -LE bench
fi
