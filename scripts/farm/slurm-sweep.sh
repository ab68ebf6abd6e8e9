#!/usr/bin/env bash
# Renders a sweep on a Slurm cluster: one array task per value of one
# config key, each a whole video rendered with --set KEY=VALUE.
#
# Usage: scripts/farm/slurm-sweep.sh -k SEC.KEY -d DIR [-c CPUS] CONFIG.ini VALUE... [-- GDRENDER OPTIONS...]
#   -k SEC.KEY  the key to vary, as --set spells it (run.descent.lr)
#   -d DIR      where the videos go: DIR/<stem>-<key>-<value>.mp4 (characters
#               other than letters, digits, '.', '_' and '-' become '_'),
#               and the logs: DIR/slurm-*.log
#   -c CPUS     --cpus-per-task of each task (default 1)
# Example: scripts/farm/slurm-sweep.sh -k run.descent.lr -d renders/lr configs/linear.ini 0.05 0.1 0.5 1.0
# Paths must be the same on the compute nodes; GDRENDER and SBATCH_* as in
# slurm-render.sh. Prints the job id: sweep=1236 dir=/shared/renders/lr
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

key="" dir="" cpus=1
while getopts "k:d:c:h" opt; do
  case $opt in
    k) key=$OPTARG ;;
    d) dir=$OPTARG ;;
    c) cpus=$OPTARG ;;
    *) farm_usage "$0" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] && [ -n "$key" ] && [ -n "$dir" ] || farm_usage "$0"
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
sweep=$(sbatch --parsable --job-name=gdrender-sweep --array="0-$((${#values[@]} - 1))" \
  --cpus-per-task="$cpus" --output="$dir/slurm-%A_%a.log" \
  "$here/slurm-sweep.sbatch" "$gdrender" "$key" "$dir" "$config" "${#values[@]}" \
  "${values[@]}" "$@")
echo "sweep=${sweep%%;*} dir=$dir"
