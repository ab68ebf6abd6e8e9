#!/usr/bin/env bash
# Surface detail benchmark (not a test): the render-only time (--discard) of
# bench/scene.ini at 1280x720 with [surface] resolution 60, 240 and 512,
# medians of 3 (the three resolutions alternate), and each one's ratio to
# resolution 60: the whole process's, and the frame loop's that --discard
# prints (the render alone, without the landscape grid's set-up).
# Targets: 240 <= 1.3x, 512 <= 2x.
# With REF=<another gdrender> (e.g. a build without level of detail) it also
# prints the PSNR of frames 0, 180 and 359 of ours against REF's at each
# resolution (the level-of-detail bar is >= 45 dB; identical frames say inf).
# Usage: [REF=BIN] bench/surface_bench.sh [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, GNU time (/usr/bin/time); ffmpeg for REF.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
size=(--set video.width=1280 --set video.height=720)
resolutions=(60 240 512)
declare -A t l
for i in 1 2 3; do
  for r in "${resolutions[@]}"; do
    /usr/bin/time -f "%e" -o "$tmp/t" "$bin" --discard --no-progress "${size[@]}" \
      --set surface.resolution=$r "$@" bench/scene.ini 2> "$tmp/err"
    t[$r]="${t[$r]:-} $(cat "$tmp/t")"
    l[$r]="${l[$r]:-} $(loop_seconds "$tmp/err")"
  done
done
# shellcheck disable=SC2086
base=$(median3 ${t[60]})
# shellcheck disable=SC2086
lbase=$(median3 ${l[60]})
printf '%-11s %10s %9s %8s %9s %s\n' resolution "render(s)" "vs 60" "loop(s)" "vs 60" \
  "${REF:+PSNR vs REF (frames 0 180 359)}"
for r in "${resolutions[@]}"; do
  # shellcheck disable=SC2086
  m=$(median3 ${t[$r]})
  # shellcheck disable=SC2086
  lm=$(median3 ${l[$r]})
  psnr=""
  if [ -n "${REF:-}" ]; then
    for f in 0 180 359; do
      "$bin" "${size[@]}" --set surface.resolution=$r "$@" -f $f -o "$tmp/a.png" bench/scene.ini
      "$REF" "${size[@]}" --set surface.resolution=$r "$@" -f $f -o "$tmp/b.png" bench/scene.ini
      psnr+=" $(ffmpeg -i "$tmp/a.png" -i "$tmp/b.png" -lavfi psnr -f null - 2>&1 |
        sed -n 's/.*average:\([^ ]*\).*/\1/p')"
    done
  fi
  awk -v r=$r -v m="$m" -v b="$base" -v lm="$lm" -v lb="$lbase" -v p="$psnr" 'BEGIN {
    printf "%-11s %10.2f %8.2fx %8.2f %8.2fx %s\n", r, m, m / b, lm, lm / lb, p }'
done
echo "render: the whole --discard process (set-up, with the finer landscape grid, included);"
echo "loop: its frame loop alone; 1280x720, medians of 3, alternating; targets: 240 <= 1.3x, 512 <= 2x of 60"
