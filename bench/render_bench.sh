#!/usr/bin/env bash
# Renderer benchmark (not a test): renders a config at 1280x720 and
# 1920x1080, 30 fps, 12 s (10 s of steps + 2 s hold = 360 frames), with the
# panels off (the 3D view alone) and on (`[layout] panels = surface,
# contour, loss`), and prints, for each size and panels setting:
#   - total wall time, frames per second and peak memory of a full render;
#   - the encode-only floor: ffmpeg's libx264 encoding the very same frames
#     with the same settings (preset, crf, yuv420p), read from raw RGB (the
#     frames of a lossless render, decoded): its time and its own peak
#     memory;
#   - our render-only rate and peak memory (--discard: frames rendered and
#     thrown away): the whole process's time, and its frame loop's (which
#     --discard prints), the like of matplotlib's timed loop;
#   - the same scene drawn by matplotlib (bench/mpl_scene.py, render only,
#     with its own contour map and loss plot when the panels are on), timed
#     in this run, alternating with ours, medians of 3;
#   - the ratios the targets are stated in.
# Usage: [SIZES="720 1080"] [PANELS="off on"] bench/render_bench.sh [CONFIG] [EXTRA GDRENDER ARGS...]
# Needs: a built build/gdrender, ffmpeg, GNU time (/usr/bin/time); for the
# peer, Debian's python3-matplotlib.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-bench/scene.ini}
shift || true
bin=build/gdrender
[ -x "$bin" ] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The peer, timed in this same run: bench/mpl_scene.py draws the same scene
# with matplotlib (Debian's python3-matplotlib), render only. Ours and
# theirs alternate, three times each; the medians are compared.
mpl=0
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  mpl=1
else
  echo "matplotlib: not installed (apt-get install python3-matplotlib); no peer ratios" >&2
fi
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

printf '%-6s %-6s %9s %8s %9s %10s %10s %11s %9s %8s %9s %11s %9s %9s %9s\n' size panels "total(s)" fps \
  "peak(MB)" "floor(s)" "ffmpeg(MB)" total/floor "render(s)" "loop(s)" "ours(MB)" "render fps" "mpl(s)" \
  "vs mpl" "whole"
for h in ${SIZES:-720 1080}; do
  for panels in ${PANELS:-off on}; do
    w=$((h * 16 / 9))
    set_args=(--set video.width=$w --set video.height=$h --set video.fps=30
              --set video.duration=10 --set video.hold=2 --set video.crf=18 --set video.preset=medium)
    peer=()
    if [ "$panels" = on ]; then
      set_args+=(--set "layout.panels=surface, contour, loss")
      peer=(panels)
    fi
    out="$tmp/out.mp4"
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" --no-progress "${set_args[@]}" "$@" -o "$out" "$config"
    read -r total kb < "$tmp/time"
    # The floor: the same frames encoded by ffmpeg alone. They come from a
    # lossless render (crf 0, not timed) decoded to raw RGB: frames decoded
    # from the crf 18 video would be smoother than what we encode, and
    # cheaper for x264.
    "$bin" --no-progress "${set_args[@]}" --set video.crf=0 "$@" -o "$tmp/lossless.mp4" "$config"
    ffmpeg -v error -i "$tmp/lossless.mp4" -f rawvideo -pix_fmt rgb24 -y "$tmp/frames.rgb"
    rm -f "$tmp/lossless.mp4"
    /usr/bin/time -f "%e %M" -o "$tmp/ftime" ffmpeg -v error -f rawvideo -pix_fmt rgb24 -s ${w}x$h -r 30 \
      -i "$tmp/frames.rgb" -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -y "$tmp/floor.mp4"
    read -r floor fkb < "$tmp/ftime"
    rm -f "$tmp/frames.rgb"
    ours=() theirs=()
    loops=()
    for i in 1 2 3; do
      /usr/bin/time -f "%e %M" -o "$tmp/rtime" "$bin" --discard --no-progress "${set_args[@]}" "$@" \
        "$config" 2> "$tmp/rerr"
      read -r rt rkb < "$tmp/rtime"
      ours+=("$rt")
      # "gdrender: discarded N frames, rendered in S s (F fps)": the frame loop alone.
      loops+=("$(sed -n 's/^gdrender: discarded [0-9]* frames, rendered in \([0-9.]*\) s .*/\1/p' "$tmp/rerr")")
      [ $mpl = 1 ] && theirs+=("$(/usr/bin/python3 bench/mpl_scene.py $w $h "${peer[@]}")")
    done
    render=$(median3 "${ours[@]}")
    loop=$(median3 "${loops[@]}")
    m=nan
    [ $mpl = 1 ] && m=$(median3 "${theirs[@]}")
    awk -v h=$h -v p=$panels -v t="$total" -v kb="$kb" -v f="$floor" -v fkb="$fkb" -v r="$render" \
      -v l="$loop" -v rkb="$rkb" -v m="$m" 'BEGIN {
      printf "%-6s %-6s %9.2f %8.1f %9.1f %10.2f %10.1f %11.2f %9.2f %8.2f %9.1f %11.1f", h "p", p, t,
        360 / t, kb / 1024, f, fkb / 1024, t / f, r, l, rkb / 1024, 360 / l
      if (m == "nan") printf " %9s %9s %9s\n", "-", "-", "-"
      else printf " %9.2f %8.1fx %8.1fx\n", m, m / l, m / r }'
  done
done
echo "render: our whole --discard process; loop: its frame loop alone (what it prints), as"
echo "mpl(s) is matplotlib's frame loop alone (bench/mpl_scene.py); medians of 3, alternating"
echo "vs mpl = matplotlib's loop / our loop (render fps is 360 / loop); whole = its loop / our whole process"
echo "peak(MB): our whole render; ffmpeg(MB): ffmpeg's own peak encoding the same frames; ours(MB): --discard"
echo "targets: total/floor <= 1.15; render fps >= 20x matplotlib's; at 1080p ours <= 64 MB and peak <= ffmpeg's"
