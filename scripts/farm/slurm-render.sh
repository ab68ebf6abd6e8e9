#!/usr/bin/env bash
# Renders one config on a Slurm cluster: one call submits an array job of N
# segments (task K runs gdrender --segment K/N) and a join job that starts
# when every segment has succeeded (--dependency=afterok).
#
# Usage: scripts/farm/slurm-render.sh -n N -o OUT.mp4 [-c CPUS] CONFIG.ini [GDRENDER OPTIONS...]
#   -n N      segments (array tasks 0..N-1); at most the video's frame count
#   -o FILE   the joined video; its segments and the jobs' logs go to FILE's
#             name without .mp4 plus .parts/ (part-K.mp4, slurm-*.log)
#   -c CPUS   --cpus-per-task of each segment (default 1); gdrender uses
#             them all (its -j default follows SLURM_CPUS_PER_TASK)
# GDRENDER OPTIONS go to every segment, e.g. -q high or --set video.crf=20.
# Every path must be the same on the compute nodes (a shared file system);
# set GDRENDER to the binary's path there if it is not on the PATH. sbatch's
# own environment variables (SBATCH_PARTITION, SBATCH_ACCOUNT,
# SBATCH_TIMELIMIT, ...) apply to both jobs. Prints the two job ids:
#   segments=1234 join=1235 out=/shared/talk.mp4
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

n="" out="" cpus=1
while getopts "n:o:c:h" opt; do
  case $opt in
    n) n=$OPTARG ;;
    o) out=$OPTARG ;;
    c) cpus=$OPTARG ;;
    *) farm_usage "$0" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ -n "$n" ] && [ -n "$out" ] || farm_usage "$0"
[[ $n =~ ^[1-9][0-9]*$ ]] || farm_die "-n: expected a number of segments, got \"$n\""
[[ $out == *.mp4 ]] || farm_die "-o $out: the joined video must end in .mp4"
config=$(realpath "$1")
shift
gdrender=$(farm_gdrender)
out=$(realpath -m "$out")
parts=${out%.mp4}.parts
# A config or option gdrender refuses is refused here, before N jobs queue.
"$gdrender" --check "$@" "$config" >/dev/null
mkdir -p "$parts"

segments=$(sbatch --parsable --job-name=gdrender-segment --array="0-$((n - 1))" \
  --cpus-per-task="$cpus" --output="$parts/slurm-%A_%a.log" \
  "$here/slurm-segment.sbatch" "$gdrender" "$n" "$parts" "$config" "$@")
segments=${segments%%;*}
join=$(sbatch --parsable --job-name=gdrender-join --dependency="afterok:$segments" \
  --kill-on-invalid-dep=yes --cpus-per-task=1 --output="$parts/slurm-join-%j.log" \
  "$here/slurm-join.sbatch" "$gdrender" "$n" "$parts" "$out")
join=${join%%;*}
echo "segments=$segments join=$join out=$out"
