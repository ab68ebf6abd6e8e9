#!/usr/bin/env bash
# Renders one config as N segments with GNU parallel, on this machine's
# cores or on the hosts of an --sshloginfile, then joins them here.
#
# Usage: scripts/farm/parallel-render.sh -n N -o OUT.mp4 [-S SSHLOGINFILE] [-j JOBS] [-t THREADS] CONFIG.ini [GDRENDER OPTIONS...]
#   -n N         segments; at most the video's frame count
#   -o FILE      the joined video; its segments go to FILE's name without
#                .mp4 plus .parts/ (part-K.mp4), kept after the join
#   -S FILE      GNU parallel's --sshloginfile: one host per line, "4/host"
#                for 4 jobs on it, ":" for this machine
#   -j JOBS      jobs at once per host (default: one per CPU core)
#   -t THREADS   gdrender -j of each job (default 1: the cores go to jobs)
# GDRENDER OPTIONS go to every segment. On other hosts gdrender, the config
# and the .parts folder must have the same absolute paths (a shared file
# system); set GDRENDER to the binary's path there if it is not on the PATH.
# A failed segment stops the others (--halt now,fail=1) and nothing is
# joined.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

n="" out="" logins="" jobs="100%" threads=1
while getopts "n:o:S:j:t:h" opt; do
  case $opt in
    n) n=$OPTARG ;;
    o) out=$OPTARG ;;
    S) logins=$OPTARG ;;
    j) jobs=$OPTARG ;;
    t) threads=$OPTARG ;;
    *) farm_usage "$0" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ -n "$n" ] && [ -n "$out" ] || farm_usage "$0"
[[ $n =~ ^[1-9][0-9]*$ ]] || farm_die "-n: expected a number of segments, got \"$n\""
[[ $out == *.mp4 ]] || farm_die "-o $out: the joined video must end in .mp4"
command -v parallel >/dev/null || farm_die "GNU parallel is not installed (apt-get install parallel)"
config=$(realpath "$1")
shift
gdrender=$(farm_gdrender)
out=$(realpath -m "$out")
parts=${out%.mp4}.parts
"$gdrender" --check "$@" "$config" >/dev/null
mkdir -p "$parts"

where=()
[ -n "$logins" ] && where=(--sshloginfile "$logins")
# -q: the command's words reach gdrender as they are, spaces and all.
seq 0 $((n - 1)) | parallel -q --halt now,fail=1 -j "$jobs" "${where[@]}" \
  "$gdrender" --no-progress -j "$threads" --segment "{}/$n" -o "$parts/part-{}.mp4" "$@" "$config"
mapfile -t segments < <(farm_parts "$parts" "$n")
"$gdrender" join -o "$out" "${segments[@]}"
echo "$out"
