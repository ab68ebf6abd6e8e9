# Sourced by the bench/*_bench.sh scripts (after `set -euo pipefail` and
# `cd` to the source tree): the binary to time ($GDRENDER, else
# build/gdrender) in $bin, a temporary folder $tmp removed on exit, and
# median3 (the median of three numbers) and loop_seconds.
bin=${GDRENDER:-build/gdrender}
[ -x "$bin" ] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# loop_seconds FILE: the frame loop's seconds from the line --discard
# prints on stderr ("gdrender: discarded N frames, rendered in S s ...").
loop_seconds() { sed -n 's/^gdrender: discarded [0-9]* frames, rendered in \([0-9.]*\) s .*/\1/p' "$1"; }
