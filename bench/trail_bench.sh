#!/usr/bin/env bash
# Long-run benchmark (not a test): what a 1,000,000-step run's trail costs
# the renderer over a 400-step one. For bench/scene.ini with
# run.good.steps = 400 and 1000000 it times the render alone (--discard) and
# the simulation alone (--check), alternating, medians of 5, and prints the
# render time without the simulation (discard - check) for each and their
# ratio. Target: the long run costs <= 1.10x the short one.
#
# Two clocks: wall time, and CPU time (user + system, all threads). The
# render-only figure is a difference of two times, and at 1,000,000 steps
# the simulation (about 1.5 s, one thread) is twice the render, so the wall
# clock's noise on a shared machine (10-20% between runs) is amplified in
# the difference; CPU time is the steadier measure of what the trail costs.
# Usage: [RUNS=5] bench/trail_bench.sh [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
runs=${RUNS:-5}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A wall cpu
for ((i = 0; i < runs; i++)); do
  for steps in 400 1000000; do
    a=(--set run.good.steps=$steps "$@" bench/scene.ini)
    for mode in discard check; do
      /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$bin" --$mode --no-progress "${a[@]}" > /dev/null
      read -r e u s < "$tmp/t"
      wall[$mode$steps]="${wall[$mode$steps]:-} $e"
      cpu[$mode$steps]="${cpu[$mode$steps]:-} $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
    done
  done
done
printf '%-9s %-5s %12s %10s %14s\n' steps clock "discard(s)" "check(s)" "render only(s)"
for clock in wall cpu; do
  for steps in 400 1000000; do
    if [ $clock = wall ]; then
      # shellcheck disable=SC2086
      d=$(median ${wall[discard$steps]}) c=$(median ${wall[check$steps]})
    else
      # shellcheck disable=SC2086
      d=$(median ${cpu[discard$steps]}) c=$(median ${cpu[check$steps]})
    fi
    awk -v s=$steps -v k=$clock -v d="$d" -v c="$c" \
      'BEGIN { printf "%-9s %-5s %12.2f %10.2f %14.2f\n", s, k, d, c, d - c }'
    eval "only_${clock}_$steps=$(awk -v d="$d" -v c="$c" 'BEGIN { print d - c }')"
  done
done
# shellcheck disable=SC2154
awk -v a="$only_wall_400" -v b="$only_wall_1000000" -v ca="$only_cpu_400" -v cb="$only_cpu_1000000" 'BEGIN {
  printf "1000000 steps / 400 steps, render only: wall %.2fx, cpu %.2fx (target <= 1.10x)\n", b / a, cb / ca }'
echo "medians of $runs, alternating; render only = --discard time - --check time"
