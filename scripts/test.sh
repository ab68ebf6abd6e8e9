#!/usr/bin/env bash
# The whole test suite: set up (scripts/setup.sh), check formatting, run
# every test with ctest, then again in an AddressSanitizer+UBSan build, and,
# where clang is installed, in a clang build that also catches float-to-int
# overflow (-fsanitize=float-cast-overflow) plus a few renders of diverging
# runs and extreme boxes under it, then each fuzzer for GD_FUZZ_SECONDS
# (default 60) seconds (scripts/fuzz.sh).
# GD_SKIP_SANITIZE=1 skips the sanitizer passes and the fuzzers (quicker
# local runs); GD_FUZZ_SECONDS=0 skips only the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')
clang-format --dry-run -Werror $files

echo "== tests (release build)"
ctest --test-dir build --output-on-failure -j2

if [ "${GD_SKIP_SANITIZE:-0}" = 1 ]; then
  exit 0
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== tests (ASan + UBSan build)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
ctest --test-dir build-asan --output-on-failure -j2

# The clang pass and the fuzzers need clang (with its libFuzzer runtime).
if ! command -v clang >/dev/null; then
  echo "== installing clang for the clang sanitizer pass and the fuzzers"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang \
    libclang-rt-14-dev
fi

echo "== tests (clang ASan + UBSan + float-cast-overflow build)"
CC=clang cmake -S . -B build-clang-asan -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
cmake --build build-clang-asan -j"$(nproc)"
ctest --test-dir build-clang-asan --output-on-failure -j2

echo "== renders under the clang sanitizers: diverging runs, extreme boxes"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=(-q draft --no-progress --set video.width=320 --set video.height=180 --set video.fps=5
       --set video.duration=2 --set video.hold=0.4
       --set layout.panels=surface,contour,fit,loss --set surface.arrows=yes)
renders=(
  "configs/lr_too_large.ini|--set|run.descent.lr=1.05"
  "configs/learning_rates.ini"
  "configs/linear.ini|--set|run.descent.lr=1.05|--set|surface.zscale=log"
  "configs/linear.ini|--set|surface.a=-1e300, 1e300|--set|surface.b=-1e300, 1e300"
  "configs/linear.ini|--set|surface.a=0, 1e-100|--set|surface.b=1e9, 1000000002"
  "tests/data/points.ini|--set|run.init=1e305, 5e-324"
  "configs/one_parameter.ini|--set|run.large.lr=40"
  "configs/three_parameters.ini|--set|run.steep.lr=5"
  "configs/tiny_network.ini|--set|run.good.lr=5|--set|surface.plane=random"
)
for r in "${renders[@]}"; do
  IFS='|' read -r -a args <<<"$r"
  echo "gdrender ${args[*]:1} ${args[0]}"
  build-clang-asan/gdrender "${small[@]}" "${args[@]:1}" -o "$tmp/out.mp4" "${args[0]}"
done
# The boxes too narrow to draw are refused, not rendered.
for box in "0, 5e-324" "0, 1e-300"; do
  if build-clang-asan/gdrender "${small[@]}" --set "surface.a=$box" -o "$tmp/out.mp4" \
       configs/linear.ini 2>"$tmp/err"; then
    echo "test.sh: surface.a=$box rendered; it should have been refused" >&2
    exit 1
  fi
  grep -q 'is too narrow to draw' "$tmp/err"
done

if [ "${GD_FUZZ_SECONDS:-60}" != 0 ]; then
  echo "== fuzzers, ${GD_FUZZ_SECONDS:-60} s each (scripts/fuzz.sh)"
  scripts/fuzz.sh "${GD_FUZZ_SECONDS:-60}"
fi
