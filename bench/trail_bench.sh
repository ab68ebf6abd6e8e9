#!/usr/bin/env bash
# Long-run benchmark (not a test): what a 1,000,000-step run's trail costs
# the renderer over a 400-step one, for bench/scene.ini with
# run.good.steps = 400 and 1000000, alternating, medians of 5. Target: the
# long run costs <= 1.10x the short one.
#
# The render is measured twice:
#   - loop: the frame loop's time, which --discard prints (the simulation,
#     about 1.5 s on one thread at 1,000,000 steps, is not in it);
#   - wall and cpu: the --discard process's time minus the simulation's
#     (--check's), by wall clock and by CPU time (user + system, all
#     threads). A difference of two times amplifies the clock's noise on a
#     shared machine (the simulation is twice the render), CPU time less so.
# Usage: [RUNS=5] bench/trail_bench.sh [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
runs=${RUNS:-5}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A wall cpu loop
for ((i = 0; i < runs; i++)); do
  for steps in 400 1000000; do
    a=(--set run.good.steps=$steps "$@" bench/scene.ini)
    for mode in discard check; do
      /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$bin" --$mode --no-progress "${a[@]}" > /dev/null 2> "$tmp/err"
      read -r e u s < "$tmp/t"
      wall[$mode$steps]="${wall[$mode$steps]:-} $e"
      cpu[$mode$steps]="${cpu[$mode$steps]:-} $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
      [ $mode = discard ] && loop[$steps]="${loop[$steps]:-} $(loop_seconds "$tmp/err")"
    done
  done
done
printf '%-9s %-5s %12s %10s %14s\n' steps clock "discard(s)" "check(s)" "render only(s)"
for clock in loop wall cpu; do
  for steps in 400 1000000; do
    if [ $clock = loop ]; then
      # shellcheck disable=SC2086
      only=$(median ${loop[$steps]})
      awk -v s=$steps -v o="$only" 'BEGIN { printf "%-9s %-5s %12s %10s %14.3f\n", s, "loop", "-", "-", o }'
    else
      if [ $clock = wall ]; then
        # shellcheck disable=SC2086
        d=$(median ${wall[discard$steps]}) c=$(median ${wall[check$steps]})
      else
        # shellcheck disable=SC2086
        d=$(median ${cpu[discard$steps]}) c=$(median ${cpu[check$steps]})
      fi
      only=$(awk -v d="$d" -v c="$c" 'BEGIN { print d - c }')
      awk -v s=$steps -v k=$clock -v d="$d" -v c="$c" \
        'BEGIN { printf "%-9s %-5s %12.2f %10.2f %14.2f\n", s, k, d, c, d - c }'
    fi
    eval "only_${clock}_$steps=$only"
  done
done
# shellcheck disable=SC2154
awk -v la="$only_loop_400" -v lb="$only_loop_1000000" -v a="$only_wall_400" -v b="$only_wall_1000000" \
  -v ca="$only_cpu_400" -v cb="$only_cpu_1000000" 'BEGIN {
  printf "1000000 steps / 400 steps, render only: loop %.2fx, wall %.2fx, cpu %.2fx (target <= 1.10x)\n",
    lb / la, b / a, cb / ca }'
echo "medians of $runs, alternating; wall and cpu: --discard time - --check time"
