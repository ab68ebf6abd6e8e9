#!/usr/bin/env bash
# Quick start: set up (scripts/setup.sh), then render the default config to
# renders/lr_too_large.mp4. Extra arguments go to gdrender.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build/gdrender "$@" configs/lr_too_large.ini
echo "wrote renders/lr_too_large.mp4"
