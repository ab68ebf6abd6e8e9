#!/usr/bin/env bash
# Basin map benchmark (not a test): times the [basins] map of
# bench/basins.ini, 64 x 64 starts x 400 steps x 200 data points of
# sin(b*cos(a*x)), on 2 threads, and prints the best and the median wall
# time of RUNS runs (default 5), with their CPU time and peak memory. The
# time is that of `gdrender --check --basins`, less that of the same
# --check without the map (config, data and the one run: milliseconds).
# It then shows that memory does not grow with the steps: the peak at 40
# and at 4000 steps (on a 16 x 16 grid, so it stays quick).
# Usage: bench/basins_bench.sh [RUNS]
# Needs: a built build/gdrender, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=build/gdrender
config=bench/basins.ini
[ -x "$bin" ] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "wall cpu peak_kb" of one gdrender run
measure() {
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$bin" "$@" >/dev/null
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$tmp/t"
}

base=$(measure --check -j 2 --set basins.resolution=8 --set run.start.steps=0 "$config" |
       cut -d' ' -f1)
walls=() cpus=() peak=0
for ((i = 0; i < runs; i++)); do
  read -r wall cpu kb < <(measure --check -j 2 --basins "$tmp/b.csv" "$config")
  walls+=("$(awk -v w="$wall" -v b="$base" 'BEGIN{printf "%.2f", w - b}')")
  cpus+=("$cpu")
  [ "$kb" -gt "$peak" ] && peak=$kb
done
sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
cpu_best=$(printf '%s\n' "${cpus[@]}" | sort -n | head -1)
rows=$(($(wc -l < "$tmp/b.csv") - 1))

read -r _ _ kb40 < <(measure --check -j 2 --basins "$tmp/s.csv" --set basins.resolution=16 \
                     --set run.start.steps=40 "$config")
read -r _ _ kb4000 < <(measure --check -j 2 --basins "$tmp/s.csv" --set basins.resolution=16 \
                       --set run.start.steps=4000 "$config")

echo "basin map: $rows starts x 400 steps x 200 points of sin(b*cos(a*x)), -j 2, $runs runs"
printf '  wall: best %.2f s, median %.2f s (target: under 3 s); CPU %.2f s; peak %d MB\n' \
  "$best" "$median" "$cpu_best" $((peak / 1024))
printf '  peak memory, 16 x 16 starts: %d MB at 40 steps, %d MB at 4000 steps\n' \
  $((kb40 / 1024)) $((kb4000 / 1024))
