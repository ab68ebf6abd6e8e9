#!/usr/bin/env bash
# Draft benchmark (not a test): the edit -> look loop. Times `-q draft` of the
# main job (configs/lr_too_large.ini unless CONFIG is given) three times,
# alternating with its render alone (--discard) and with ffmpeg's libx264
# encoding the very same frames with the draft's settings (preset
# VIDEO_DRAFT_PRESET of src/base/tunables.h, the config's crf), and prints the
# medians, the share of the whole that encoding alone takes, and the CPU time
# of the whole (less noisy than wall time on a shared machine).
# Usage: bench/draft_bench.sh [CONFIG] [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, ffmpeg, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-configs/lr_too_large.ini}
shift || true
# shellcheck source=bench/common.sh
. bench/common.sh
preset=$(sed -n 's/^#define VIDEO_DRAFT_PRESET "\(.*\)".*/\1/p' src/base/tunables.h)
crf=$(sed -n "s/^crf *= *\([0-9]*\).*/\1/p" "$config" | head -1)
crf=${crf:-18}

totals=() cpus=() renders=() encodes=()
for i in 1 2 3; do
  /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$bin" --no-progress -q draft "$@" -o "$tmp/d.mp4" "$config"
  read -r e u s < "$tmp/t"
  totals+=("$e")
  cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
  /usr/bin/time -f "%e" -o "$tmp/t" "$bin" --discard --no-progress -q draft "$@" "$config" 2> "$tmp/err"
  renders+=("$(cat "$tmp/t")")
  size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$tmp/d.mp4")
  fps=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$tmp/d.mp4")
  ffmpeg -v error -i "$tmp/d.mp4" -f rawvideo -pix_fmt rgb24 -y "$tmp/frames.rgb"
  /usr/bin/time -f "%e" -o "$tmp/t" ffmpeg -v error -f rawvideo -pix_fmt rgb24 -s "$size" -r "$fps" \
    -i "$tmp/frames.rgb" -c:v libx264 -preset "$preset" -crf "$crf" -pix_fmt yuv420p -y "$tmp/floor.mp4"
  encodes+=("$(cat "$tmp/t")")
  rm -f "$tmp/frames.rgb"
done
awk -v t="$(median3 "${totals[@]}")" -v c="$(median3 "${cpus[@]}")" -v r="$(median3 "${renders[@]}")" \
  -v e="$(median3 "${encodes[@]}")" -v p="$preset" -v sz="$size" 'BEGIN {
  printf "draft %s, x264 preset %s\n", sz, p
  printf "%-28s %7.2f s\n", "whole draft (wall)", t
  printf "%-28s %7.2f s\n", "whole draft (CPU)", c
  printf "%-28s %7.2f s\n", "render only (--discard)", r
  printf "%-28s %7.2f s  (%.0f%% of the whole)\n", "encode only (ffmpeg x264)", e, 100 * e / t
  print "medians of 3, alternating; target: whole draft <= 1.2 s wall" }'
