#!/usr/bin/env bash
# Renders a sweep with GNU parallel: one whole video per value of one
# config key (--set KEY=VALUE), on this machine's cores or on the hosts of
# an --sshloginfile.
#
# Usage: scripts/farm/parallel-sweep.sh -k SEC.KEY -d DIR [-S SSHLOGINFILE] [-j JOBS] [-t THREADS] CONFIG.ini VALUE... [-- GDRENDER OPTIONS...]
#   -k SEC.KEY   the key to vary, as --set spells it (run.descent.lr)
#   -d DIR       where the videos go: DIR/<stem>-<key>-<value>.mp4 (characters
#                other than letters, digits, '.', '_' and '-' become '_')
#   -S, -j, -t   as in parallel-render.sh
# Example: scripts/farm/parallel-sweep.sh -k run.descent.lr -d renders/lr configs/linear.ini 0.05 0.1 0.5 1.0
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

key="" dir="" logins="" jobs="100%" threads=1
while getopts "k:d:S:j:t:h" opt; do
  case $opt in
    k) key=$OPTARG ;;
    d) dir=$OPTARG ;;
    S) logins=$OPTARG ;;
    j) jobs=$OPTARG ;;
    t) threads=$OPTARG ;;
    *) farm_usage "$0" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] && [ -n "$key" ] && [ -n "$dir" ] || farm_usage "$0"
command -v parallel >/dev/null || farm_die "GNU parallel is not installed (apt-get install parallel)"
config=$(realpath "$1")
shift
values=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  values+=("$1")
  shift
done
[ "${1:-}" = -- ] && shift
[ ${#values[@]} -ge 1 ] || farm_usage "$0"
gdrender=$(farm_gdrender)
dir=$(realpath -m "$dir")
for v in "${values[@]}"; do
  "$gdrender" --check --set "$key=$v" "$@" "$config" >/dev/null
done
mkdir -p "$dir"
prefix="$dir/$(farm_stem "$config")-$(farm_safe "$key")"

where=()
[ -n "$logins" ] && where=(--sshloginfile "$logins")
# {= ... =}: the value made fit for a file name, as farm_safe does.
parallel -q --halt now,fail=1 -j "$jobs" "${where[@]}" \
  "$gdrender" --no-progress -j "$threads" --set "$key={}" \
  -o "$prefix-{= s/[^A-Za-z0-9._-]/_/g =}.mp4" "$@" "$config" ::: "${values[@]}"
for v in "${values[@]}"; do
  echo "$prefix-$(farm_safe "$v").mp4"
done
