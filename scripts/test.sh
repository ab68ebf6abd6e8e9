#!/usr/bin/env bash
# The whole test suite: set up (scripts/setup.sh), check formatting, run
# every test with ctest, then again in an AddressSanitizer+UBSan build.
# GD_SKIP_SANITIZE=1 skips the sanitizer pass (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')
clang-format --dry-run -Werror $files

echo "== tests (release build)"
ctest --test-dir build --output-on-failure -j2

if [ "${GD_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== tests (ASan + UBSan build)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$(nproc)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j2
fi
