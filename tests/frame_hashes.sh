#!/usr/bin/env bash
# SHA-256 of what every shipped config renders: the decoded RGB pixels of its
# first, middle and last frame at 640x360 (at the config's quality and at
# draft), its --trajectory CSV, and two whole draft videos' decoded frames.
# A change that must not alter any picture (a refactor) leaves every line
# unchanged:
#   tests/frame_hashes.sh > /tmp/before.txt   # on the old code
#   tests/frame_hashes.sh | diff /tmp/before.txt -
# or compare with the recorded file: tests/frame_hashes.sh --check
# Usage: tests/frame_hashes.sh [--check] [GDRENDER] ; needs ffmpeg, sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
bin=${1:-build/gdrender}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hashes() {
  local size=(--set video.width=640 --set video.height=360)
  for cfg in configs/*.ini; do
    local name n
    name=$(basename "$cfg" .ini)
    # The frame count, from the error a frame past the end gets.
    n=$("$bin" "${size[@]}" -f 1000000 -o "$tmp/x.png" "$cfg" 2>&1 |
        sed -n 's/.*the video has \([0-9]*\) frames.*/\1/p' || true)
    [ -n "$n" ] || { echo "frame_hashes: no frame count for $cfg" >&2; exit 1; }
    for q in config draft; do
      local qa=()
      [ $q = draft ] && qa=(-q draft)
      for f in 0 $((n / 2)) $((n - 1)); do
        "$bin" "${size[@]}" "${qa[@]}" -f "$f" -o "$tmp/f.png" "$cfg"
        printf '%s frame %s %s %s\n' "$name" "$f" "$q" \
          "$(ffmpeg -v error -i "$tmp/f.png" -f rawvideo -pix_fmt rgb24 - | sha256sum | cut -d' ' -f1)"
      done
    done
    "$bin" --check --trajectory "$tmp/t.csv" "$cfg" >/dev/null
    printf '%s trajectory %s\n' "$name" "$(sha256sum < "$tmp/t.csv" | cut -d' ' -f1)"
  done
  # Whole videos through the frame loop and the encoder (draft, so quick).
  for name in lr_too_large good_vs_bad_init; do
    "$bin" --no-progress "${size[@]}" -q draft -o "$tmp/v.mp4" "configs/$name.ini"
    printf '%s video draft %s\n' "$name" \
      "$(ffmpeg -v error -i "$tmp/v.mp4" -f rawvideo -pix_fmt rgb24 - | sha256sum | cut -d' ' -f1)"
  done
}

if [ $check = 1 ]; then
  hashes > "$tmp/now.txt"
  if diff tests/frame_hashes.txt "$tmp/now.txt"; then
    echo "frame_hashes: all $(wc -l < "$tmp/now.txt") hashes unchanged"
  else
    echo "frame_hashes: output changed (lines above)" >&2
    exit 1
  fi
else
  hashes
fi
