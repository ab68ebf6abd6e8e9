#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang, ASan + UBSan +
# float-cast-overflow) in build-fuzz and runs each for SECONDS (default 60)
# on its corpus and dictionary. New inputs go to build-fuzz/corpus/HARNESS
# (kept between runs, never into the tree); a crash stops the script and
# leaves its input in build-fuzz/crashes/HARNESS/. Fix the bug, then copy
# that input into tests/fuzz/corpus/HARNESS/ as a regression case (named
# crash-WHAT): the test suite replays the corpus in every build.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (harnesses: config formula csv render)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(config formula csv render)

if ! command -v clang >/dev/null; then
  echo "fuzz.sh: clang is not installed: skipping the fuzzers (apt-get install clang)"
  exit 0
fi

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGD_FUZZ=ON -DGD_TESTS=OFF \
  >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for h in "${harnesses[@]}"; do
  mkdir -p "build-fuzz/corpus/$h" "build-fuzz/crashes/$h"
  echo "== fuzz_$h for $secs s"
  # -timeout: an input that runs this long is a hang (SPEC 6: never a hang).
  if ! build-fuzz/"fuzz_$h" -max_total_time="$secs" -timeout=60 -rss_limit_mb=4096 \
      -print_final_stats=1 -dict="tests/fuzz/$h.dict" \
      -artifact_prefix="build-fuzz/crashes/$h/" "build-fuzz/corpus/$h" "tests/fuzz/corpus/$h" \
      >"build-fuzz/fuzz_$h.log" 2>&1; then
    tail -n 60 "build-fuzz/fuzz_$h.log"
    echo "fuzz.sh: fuzz_$h found a problem; its input is in build-fuzz/crashes/$h/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
    "build-fuzz/fuzz_$h.log" | tr '\n' ' '
  echo
done
