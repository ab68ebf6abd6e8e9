# Sourced by the bench/*_bench.sh scripts (after `set -euo pipefail` and
# `cd` to the source tree): the binary to time ($GDRENDER, else
# build/gdrender) in $bin, a temporary folder $tmp removed on exit, and
# median3 (the median of three numbers).
bin=${GDRENDER:-build/gdrender}
[ -x "$bin" ] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
