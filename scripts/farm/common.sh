# shellcheck shell=bash
# Shared by the scripts in scripts/farm/ (sourced, not run).
#
# farm_gdrender: the binary every job runs, as an absolute path: $GDRENDER,
# else gdrender on the PATH, else this checkout's build/gdrender. Jobs run
# in other folders and on other machines, so every path they get is
# absolute and must name the same file there (a shared file system).

farm_die() {
  echo "${0##*/}: $*" >&2
  exit 2
}

farm_gdrender() {
  local here bin
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  bin=${GDRENDER:-$(command -v gdrender || echo "$here/../../build/gdrender")}
  [ -x "$bin" ] || farm_die "no gdrender binary at $bin (set GDRENDER)"
  realpath "$bin"
}

# A file name part for a value: anything but letters, digits, '.', '_' and
# '-' becomes '_'.
farm_safe() {
  printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'
}

# The config's file name without folder and extension, as gdrender's
# default output names use it.
farm_stem() {
  local b=${1##*/}
  printf '%s' "${b%.*}"
}

# The segment files of a render into N segments under PARTS, in order.
farm_parts() {
  local parts=$1 n=$2 k
  for ((k = 0; k < n; k++)); do
    printf '%s\n' "$parts/part-$k.mp4"
  done
}

# Prints the script's header comment (its usage) and exits 2.
farm_usage() {
  sed -n '2,/^set -euo/p' "$1" | grep '^#' | sed 's/^# \{0,1\}//' >&2
  exit 2
}
