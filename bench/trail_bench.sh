#!/usr/bin/env bash
# Long-run benchmark (not a test): what a 1,000,000-step run's trail costs
# the renderer over a 400-step one. For bench/scene.ini with
# run.good.steps = 400 and 1000000 it times the render alone (--discard) and
# the simulation alone (--check), alternating, medians of 3, and prints the
# render time without the simulation (discard - check) for each and their
# ratio. Target: the long run costs <= 1.10x the short one.
# Usage: bench/trail_bench.sh [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
declare -A render check
for i in 1 2 3; do
  for steps in 400 1000000; do
    a=(--set run.good.steps=$steps "$@" bench/scene.ini)
    /usr/bin/time -f "%e" -o "$tmp/t" "$bin" --discard "${a[@]}"
    render[$steps]="${render[$steps]:-} $(cat "$tmp/t")"
    /usr/bin/time -f "%e" -o "$tmp/t" "$bin" --check "${a[@]}" > /dev/null
    check[$steps]="${check[$steps]:-} $(cat "$tmp/t")"
  done
done
printf '%-9s %12s %10s %14s\n' steps "discard(s)" "check(s)" "render only(s)"
for steps in 400 1000000; do
  # shellcheck disable=SC2086
  d=$(median3 ${render[$steps]}) c=$(median3 ${check[$steps]})
  awk -v s=$steps -v d="$d" -v c="$c" 'BEGIN { printf "%-9s %12.2f %10.2f %14.2f\n", s, d, c, d - c }'
  eval "only_$steps=$(awk -v d="$d" -v c="$c" 'BEGIN { print d - c }')"
done
# shellcheck disable=SC2154
awk -v a="$only_400" -v b="$only_1000000" 'BEGIN {
  printf "1000000 steps / 400 steps, render only: %.2fx (target <= 1.10x)\n", b / a }'
echo "medians of 3, alternating; render only = --discard time - --check time"
