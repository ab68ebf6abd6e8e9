#!/usr/bin/env bash
# Installs what gdrender needs from Debian/Ubuntu packages (skipping what is
# already installed), then configures and builds it in build/.
# Usage: scripts/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config
          libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
          libfreetype-dev libfontconfig-dev libharfbuzz-dev libinih-dev libcmocka-dev
          ffmpeg fonts-noto-cjk fonts-lohit-deva python3 clang-format time
          groff-base man-db)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
