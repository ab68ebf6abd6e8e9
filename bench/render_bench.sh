#!/usr/bin/env bash
# Renderer benchmark (not a test): renders a config at 1280x720 and
# 1920x1080, 30 fps, 12 s (10 s of steps + 2 s hold = 360 frames), and
# prints, for each size:
#   - total wall time, frames per second and peak memory of a full render;
#   - the encode-only floor: ffmpeg's libx264 encoding the very same frames
#     with the same settings (preset, crf, yuv420p), read from raw RGB;
#   - our render-only rate (--discard: frames rendered and thrown away);
#   - the ratios the targets are stated in.
# Usage: bench/render_bench.sh [CONFIG] [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, ffmpeg, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-bench/scene.ini}
shift || true
bin=build/gdrender
[ -x "$bin" ] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# matplotlib reference numbers for the same scene on a 2-core machine (from
# the issue: careful matplotlib animation, 360 frames, libx264 medium crf 18)
declare -A mpl_render_fps=([720]=24 [1080]=23)

printf '%-6s %9s %8s %9s %10s %11s %9s %12s %9s\n' size "total(s)" fps "peak(MB)" "floor(s)" total/floor \
  "render(s)" "render fps" "vs mpl"
for h in 720 1080; do
  w=$((h * 16 / 9))
  set_args=(--set video.width=$w --set video.height=$h --set video.fps=30
            --set video.duration=10 --set video.hold=2 --set video.crf=18 --set video.preset=medium)
  out="$tmp/out.mp4"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" --no-progress "${set_args[@]}" "$@" -o "$out" "$config"
  read -r total kb < "$tmp/time"
  # The floor: the same frames, decoded to raw RGB, encoded by ffmpeg alone.
  ffmpeg -v error -i "$out" -f rawvideo -pix_fmt rgb24 -y "$tmp/frames.rgb"
  /usr/bin/time -f "%e" -o "$tmp/ftime" ffmpeg -v error -f rawvideo -pix_fmt rgb24 -s ${w}x$h -r 30 \
    -i "$tmp/frames.rgb" -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -y "$tmp/floor.mp4"
  floor=$(cat "$tmp/ftime")
  rm -f "$tmp/frames.rgb"
  /usr/bin/time -f "%e" -o "$tmp/rtime" "$bin" --discard "${set_args[@]}" "$@" "$config"
  render=$(cat "$tmp/rtime")
  awk -v h=$h -v t="$total" -v kb="$kb" -v f="$floor" -v r="$render" -v m="${mpl_render_fps[$h]}" 'BEGIN {
    printf "%-6s %9.2f %8.1f %9.1f %10.2f %11.2f %9.2f %12.1f %8.1fx\n", h "p", t, 360 / t, kb / 1024, f,
      t / f, r, 360 / r, (360 / r) / m }'
done
echo "targets: total/floor <= 1.25; render fps >= 10x matplotlib's; peak memory < 200 MB at 1080p"
