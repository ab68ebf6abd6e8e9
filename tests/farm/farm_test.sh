#!/usr/bin/env bash
# The render-farm scripts of scripts/farm/ for real (SPEC section 7): a
# single-node Slurm cluster (munged, slurmctld and slurmd on localhost,
# started here as root) runs a 4-segment array job and the join that
# depends on it, and a 2-value sweep; GNU parallel does the same locally
# and through an --sshloginfile (":" is this machine). Each joined video
# must have the whole render's exact frame count and duration, strictly
# increasing timestamps, every frame within 40 dB PSNR of the whole
# render's, and play in headless Chromium when one is installed. The
# Kubernetes manifests are parsed. Whatever this script starts it stops
# on exit (trap), by process id.
#
# Usage: tests/farm/farm_test.sh [GDRENDER]   (default build/gdrender)
# GD_FARM_REQUIRE_SLURM=1 makes a Slurm that cannot start a failure
# instead of a skipped part.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build/gdrender}")
say() { echo "farm: $*"; }
fail() {
  echo "farm: FAIL: $*" >&2
  exit 1
}

# ---- packages (quick when installed) ------------------------------------
need=()
for p in slurm-wlm munge parallel ffmpeg python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d or not, no daemon of the packages is left running by us:
  # they are started below with private files and ports, or not at all.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/gdfarm-XXXXXX)
chmod 711 "$tmp"
daemons=() # pids, in start order
slurm_up=0
cleanup() {
  local rc=$?
  if [ $slurm_up = 1 ]; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 50); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
    kill "${daemons[i]}" 2>/dev/null || true
    wait "${daemons[i]}" 2>/dev/null || true
  done
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the reference: the whole render -------------------------------------
config=configs/linear.ini
args=(--set video.width=320 --set video.height=180 --set video.duration=2 --set video.hold=0)
frames=60 # 30 fps x 2 s
tiny=(--set video.width=160 --set video.height=90 --set video.duration=1 --set video.hold=0)
"$bin" --no-progress "${args[@]}" -o "$tmp/whole.mp4" "$config"

probe() { ffprobe -v error -show_entries "$1" -of csv=p=0 "$2"; }

chrome=""
for c in chromium chromium-browser google-chrome; do
  command -v "$c" >/dev/null && chrome=$c && break
done
[ -n "$chrome" ] || say "chromium is not installed: browser playback is not checked"

# Plays the video in headless Chromium from start to end (real time),
# served over HTTP as a web page would have it (tests/farm/play_server.py).
play_in_chromium() {
  local video=$1
  [ -n "$chrome" ] || return 0
  local result=$tmp/play-result
  rm -f "$result" "$result.port"
  python3 tests/farm/play_server.py "$(dirname "$video")" "$(basename "$video")" "$result" &
  local server=$!
  daemons+=("$server")
  for _ in $(seq 50); do
    [ -s "$result.port" ] && break
    sleep 0.1
  done
  timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --mute-audio \
    --autoplay-policy=no-user-gesture-required --dump-dom "http://127.0.0.1:$(cat "$result.port")/" \
    >/dev/null 2>&1 || true
  wait "$server" || true
  local got
  got=$(cat "$result" 2>/dev/null || echo "no result")
  case $got in
    "ended 2.000 320x180 decoded=$frames "*) say "  plays to its end in $chrome ($got)" ;;
    *) fail "$video in $chrome: $got" ;;
  esac
}

# The joined video against the whole render.
check_video() {
  local what=$1 video=$2
  [ -f "$video" ] || fail "$what: no $video"
  local n
  n=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
    -of csv=p=0 "$video")
  [ "$n" = $frames ] || fail "$what: $n frames, not $frames"
  local key
  for key in stream=duration,nb_frames,codec_name,profile,pix_fmt format=duration,start_time; do
    [ "$(probe "$key" "$video")" = "$(probe "$key" "$tmp/whole.mp4")" ] ||
      fail "$what: $key $(probe "$key" "$video") where the whole render has $(probe "$key" "$tmp/whole.mp4")"
  done
  # decoding times in file order, presentation times in display order
  probe packet=dts "$video" | awk -v w="$what" 'NR > 1 && $1 <= last { print w ": dts " $1 " after " last; bad = 1 } { last = $1 } END { exit bad }' ||
    fail "$what: decoding timestamps not strictly increasing"
  probe frame=pts "$video" | cut -d, -f1 | grep . |
    awk -v n=$frames 'NR > 1 && $1 <= last { bad = 1 } { last = $1 } END { exit bad || NR != n }' ||
    fail "$what: presentation timestamps not strictly increasing"
  # every frame within 40 dB of the whole render's
  ffmpeg -v error -i "$video" -i "$tmp/whole.mp4" -lavfi "[0:v][1:v]psnr=stats_file=$tmp/psnr.txt" \
    -f null - || fail "$what: cannot compare with ffmpeg"
  local worst
  worst=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^psnr_avg:/) { v = substr($i, 10); if (v != "inf" && (min == "" || v + 0 < min)) min = v + 0; c++ } }
               END { if (c != '"$frames"') print "count " c; else print (min == "" ? "inf" : min) }' "$tmp/psnr.txt")
  case $worst in
    count*) fail "$what: PSNR for $worst frames" ;;
    inf) ;;
    *) awk -v m="$worst" 'BEGIN { exit !(m >= 40) }' || fail "$what: a frame at $worst dB PSNR" ;;
  esac
  say "$what: $n frames, $(probe format=duration "$video") s, timestamps increasing, worst frame $worst dB"
  play_in_chromium "$video"
}

check_sweep() {
  local what=$1 dir=$2 v n
  for v in 0.05 0.5; do
    local f="$dir/linear-run.descent.lr-$v.mp4"
    [ -f "$f" ] || fail "$what: no $f"
    n=$(probe stream=nb_frames "$f")
    [ "$n" = 30 ] || fail "$what: $f has $n frames, not 30"
    grep -q "lr = $v" <(probe format_tags=comment "$f") || fail "$what: $f is not lr $v"
  done
  say "$what: one video per value"
}

# ---- GNU parallel ---------------------------------------------------------
export GDRENDER=$bin
scripts/farm/parallel-render.sh -n 4 -o "$tmp/parallel/joined.mp4" "$config" "${args[@]}" >/dev/null
check_video "parallel, 4 segments" "$tmp/parallel/joined.mp4"
echo "2/:" >"$tmp/logins"
scripts/farm/parallel-render.sh -n 4 -S "$tmp/logins" -o "$tmp/parallel-ssh/joined.mp4" \
  "$config" "${args[@]}" >/dev/null
check_video "parallel --sshloginfile, 4 segments" "$tmp/parallel-ssh/joined.mp4"
scripts/farm/parallel-sweep.sh -k run.descent.lr -d "$tmp/parallel-sweep" "$config" 0.05 0.5 -- \
  "${tiny[@]}" >/dev/null
check_sweep "parallel sweep" "$tmp/parallel-sweep"

# ---- Kubernetes: the manifests parse and are indexed ----------------------
if python3 -c 'import yaml' 2>/dev/null; then
  python3 - scripts/farm/k8s-indexed-job.yaml scripts/farm/k8s-join-job.yaml <<'PY' || fail "Kubernetes manifests"
import sys, yaml
jobs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]
seg, join = jobs
assert seg["kind"] == join["kind"] == "Job"
assert seg["spec"]["completionMode"] == "Indexed"
n = seg["spec"]["completions"]
args = " ".join(seg["spec"]["template"]["spec"]["containers"][0]["args"])
assert f'--segment "$JOB_COMPLETION_INDEX/{n}"' in args, args
assert "gdrender join" in " ".join(join["spec"]["template"]["spec"]["containers"][0]["args"])
PY
  say "Kubernetes manifests: an indexed Job of segments and a join Job"
else
  say "python3-yaml is not installed: Kubernetes manifests not parsed"
fi

# ---- Slurm: a one-node cluster on private files and ports -----------------
slurm_skip() {
  if [ "${GD_FARM_REQUIRE_SLURM:-0}" = 1 ]; then
    fail "Slurm cannot start: $*"
  fi
  say "SKIP Slurm: $*"
}

start_slurm() {
  local s=$tmp/slurm
  mkdir -p "$s/state" "$s/spool"
  chmod 711 "$s"
  read -r ctld_port slurmd_port < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
  dd if=/dev/urandom of="$s/munge.key" bs=1024 count=1 status=none
  chmod 400 "$s/munge.key"
  munged --foreground --force --socket="$s/munge.sock" --key-file="$s/munge.key" \
    --pid-file="$s/munged.pid" --log-file="$s/munged.log" --seed-file="$s/munged.seed" \
    >"$s/munged.out" 2>&1 &
  daemons+=($!)
  for _ in $(seq 50); do
    [ -S "$s/munge.sock" ] && break
    sleep 0.1
  done
  [ -S "$s/munge.sock" ] || { slurm_skip "munged did not start: $(tail -1 "$s/munged.out")"; return 1; }
  cat >"$s/slurm.conf" <<CONF
ClusterName=gdfarm
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$s/munge.sock
MpiDefault=none
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName=gdfarm NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=farm Nodes=gdfarm Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$s/slurm.conf
  slurmctld -D -f "$SLURM_CONF" >"$s/slurmctld.out" 2>&1 &
  daemons+=($!)
  slurmd -D -f "$SLURM_CONF" -N gdfarm >"$s/slurmd.out" 2>&1 &
  daemons+=($!)
  slurm_up=1
  local state=""
  for _ in $(seq 100); do
    state=$(sinfo -h -n gdfarm -o %T 2>/dev/null || true)
    [ "$state" = idle ] && return 0
    sleep 0.2
  done
  slurm_skip "the node is \"$state\", not idle, after 20 s: $(grep -h error "$s/slurmctld.log" "$s/slurmd.log" 2>/dev/null | grep -v pmix | tail -1)"
  return 1
}

# Waits for a job (all of an array) to end; fails unless it completed.
wait_job() {
  local id=$1 what=$2 t0=$SECONDS states
  while :; do
    states=$(scontrol -o show job "$id" | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ')
    case $states in
      "JobState=COMPLETED ") return 0 ;;
      *FAILED* | *CANCELLED* | *TIMEOUT* | *NODE_FAIL* | *OUT_OF_MEMORY* | *BOOT_FAIL* | *DEADLINE*)
        cat "$tmp"/slurm-out/*.log 2>/dev/null | tail -5 >&2 || true
        fail "$what: job $id ended $states" ;;
    esac
    [ $((SECONDS - t0)) -lt 300 ] || fail "$what: job $id not done after 300 s ($states)"
    sleep 0.5
  done
}

if start_slurm; then
  out=$(scripts/farm/slurm-render.sh -n 4 -c 1 -o "$tmp/slurm-out/joined.mp4" "$config" "${args[@]}")
  segments=$(sed -n 's/^segments=\([0-9]*\) .*/\1/p' <<<"$out")
  join=$(sed -n 's/.* join=\([0-9]*\) .*/\1/p' <<<"$out")
  [ -n "$segments" ] && [ -n "$join" ] || fail "slurm-render.sh printed \"$out\""
  dep=$(scontrol -o show job "$join" | grep -o 'Dependency=[^ ]*' | head -1)
  case $dep in
    Dependency=afterok:${segments}_*) ;;
    Dependency=\(null\)) ;; # the array already finished
    *) fail "the join job's $dep is not afterok on job $segments" ;;
  esac
  wait_job "$segments" "Slurm segments"
  wait_job "$join" "Slurm join"
  tasks=$(scontrol -o show job "$segments" | grep -c 'ArrayTaskId=')
  [ "$tasks" = 4 ] || fail "Slurm ran $tasks array tasks, not 4"
  # each task had 1 CPU (--cpus-per-task=1): gdrender's -j followed it
  threads=$(grep -a -o ' threads=[0-9]* ' "$tmp/slurm-out/joined.parts/part-0.mp4" | head -1)
  [ "$threads" = " threads=1 " ] || fail "a 1-CPU Slurm task encoded with$threads"
  check_video "Slurm array of 4 segments + dependent join" "$tmp/slurm-out/joined.mp4"
  out=$(scripts/farm/slurm-sweep.sh -k run.descent.lr -d "$tmp/slurm-sweep" -c 1 "$config" 0.05 0.5 -- \
    "${tiny[@]}")
  sweep=$(sed -n 's/^sweep=\([0-9]*\) .*/\1/p' <<<"$out")
  [ -n "$sweep" ] || fail "slurm-sweep.sh printed \"$out\""
  wait_job "$sweep" "Slurm sweep"
  check_sweep "Slurm sweep (an array task per value)" "$tmp/slurm-sweep"
fi
say "all farm checks passed"
