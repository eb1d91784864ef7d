#!/usr/bin/env bash
# Batch runs on a real Slurm cluster: starts a one-node cluster on localhost (munged,
# slurmctld, slurmd, as root, no systemd; config, state, spool, logs and pid files in a temp
# folder), then
#   1. submits deploy/slurm/batch.sbatch as an array of 4 tasks over
#      datasets/finland-2023-nuts3 and the batch-merge job with --dependency=afterok, and
#      checks the merged summary equals an unsharded `circulate batch`, row for row;
#   2. submits a second run (12 generated regions, slow enough to stop part-way), requeues one
#      task with `scontrol requeue` once it has completed a region and before it is done, and
#      checks the requeued task resumes: every region complete before the requeue is left as
#      it was (same folder, same summary row file), and the merged summary again equals an
#      unsharded batch.
# Installs slurm-wlm and munge through apt-get where missing. Stops every daemon it started,
# by pid, and gives up after a few minutes. Run by .ci/run; usage: scripts/slurm-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  echo "slurm-test: installing slurm-wlm and munge" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >/dev/null
fi
[ "$(id -u)" -eq 0 ] || { echo "slurm-test: the daemons run as root here; run as root" >&2; exit 1; }

cargo build --release -q -p circulate
circulate="$repo/target/release/circulate"

work=$(mktemp -d "${TMPDIR:-/tmp}/circulate-slurm.XXXXXX")
started=()
stop_daemons() {
  for pidfile in "${started[@]}"; do
    if [ -s "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
    fi
  done
  for pidfile in "${started[@]}"; do
    for _ in $(seq 1 50); do
      [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.1
    done
  done
}
fail() {
  echo "slurm-test: FAILED: $*" >&2
  for log in "$work"/log/*.log; do
    echo "--- $log (last lines)" >&2
    tail -n 15 "$log" >&2 || true
  done
  exit 1
}
trap 'stop_daemons; rm -rf "$work"' EXIT
deadline=$((SECONDS + 360))
in_time() { [ "$SECONDS" -lt "$deadline" ] || fail "over the time limit ($*)"; }

# --- the cluster -------------------------------------------------------------------------
mkdir -p "$work"/{munge,state,spool,log,run,jobs}
chmod 711 "$work"   # munged wants the socket's folders searchable by all
chmod 700 "$work/munge"
head -c 1024 /dev/urandom >"$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/run/munged.pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/munged.seed"
started+=("$work/run/munged.pid")

host=$(hostname -s)
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=circulate-test
SlurmctldHost=$host(127.0.0.1)
# Not the default ports, so a real Slurm on this machine is left alone.
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2048 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
started+=("$work/run/slurmctld.pid")
slurmd -f "$SLURM_CONF"
started+=("$work/run/slurmd.pid")
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
  in_time "waiting for the node"
  sleep 0.5
done
echo "slurm-test: one-node cluster up: $(sinfo -h -o '%P %D %t %C')"

# --- helpers -------------------------------------------------------------------------------
# Submits the batch array over $1 into $2 (4 tasks, one core and one thread each), then the
# merge with afterok; prints "ARRAY_ID MERGE_ID".
submit() {
  local regions=$1 out=$2 array merge
  array=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --mem=256M --chdir="$work/jobs" \
    --output="$work/jobs/batch-%A_%a.log" --export=ALL,CIRCULATE="$circulate",RAYON_NUM_THREADS=1 \
    "$repo/deploy/slurm/batch.sbatch" "$regions" "$out")
  merge=$(sbatch --parsable --dependency="afterok:$array" --cpus-per-task=1 --mem=128M \
    --chdir="$work/jobs" --output="$work/jobs/merge-%j.log" \
    --wrap "'$circulate' batch-merge '$out'")
  echo "$array $merge"
}
# The state of job $1 (an array's task as ID_TASK).
state() { scontrol show job "$1" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' | head -n 1 | cut -d= -f2; }
# Waits until job $1 (and, for an array, every task) has finished; fails unless COMPLETED.
wait_done() {
  local job=$1 states
  while :; do
    in_time "waiting for job $job"
    states=$(scontrol show job "$job" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' | cut -d= -f2 | sort -u)
    if [ -n "$states" ] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|DEADLINE)$' <<<"$states"; then
      break
    fi
    sleep 0.5
  done
  [ "$states" = COMPLETED ] || fail "job $job ended $(tr '\n' ' ' <<<"$states")"
}
# The summaries $1 and $2 hold the same rows, every column but the wall seconds.
same_rows() {
  python3 - "$1" "$2" <<'EOF'
import csv, sys
def rows(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if a != b or not a:
    for x, y in zip(a, b):
        if x != y:
            print(f"  differ: {x}\n      vs: {y}", file=sys.stderr)
    sys.exit(f"{sys.argv[1]} ({len(a)} rows) and {sys.argv[2]} ({len(b)} rows) differ")
print(f"{len(a)} rows equal (every column but seconds)")
EOF
}

# --- 1. the array over Finland's NUTS-3 regions, merged ------------------------------------
"$circulate" batch datasets/finland-2023-nuts3 --out "$work/unsharded" >/dev/null 2>&1
read -r array merge < <(submit "$repo/datasets/finland-2023-nuts3" "$work/sharded")
echo "slurm-test: run 1: array job $array (4 tasks over datasets/finland-2023-nuts3), batch-merge job $merge (afterok:$array)"
wait_done "$array"
wait_done "$merge"
for task in 0 1 2 3; do
  [ -s "$work/sharded/summary.shard-$task-of-4.csv" ] || fail "task $task wrote no summary"
done
equal=$(same_rows "$work/sharded/summary.csv" "$work/unsharded/summary.csv") \
  || fail "run 1: the merged summary differs from the unsharded batch"
echo "slurm-test: run 1: merged summary vs unsharded batch: $equal"

# --- 2. a task requeued part-way resumes ----------------------------------------------------
for seed in $(seq 1 12); do
  "$circulate" generate --sites 6000 --processes 4 --candidates 2 --seed "$seed" \
    --out "$work/generated/gen-$(printf %02d "$seed")" >/dev/null
done
read -r array merge < <(submit "$work/generated" "$work/resumed")
echo "slurm-test: run 2: array job $array (4 tasks over 12 generated 6,000-site regions), batch-merge job $merge"
victim=${array}_0
log="$work/jobs/batch-${array}_0.log"
# Requeue once task 0 has completed one region and has more to do.
until grep -qE '^\[1/[2-9][0-9]*\] ' "$log" 2>/dev/null; do
  in_time "waiting for task 0's first region"
  grep -qE 'region\(s\) solved' "$log" 2>/dev/null && fail "task 0 finished before it could be requeued"
  sleep 0.05
done
scontrol requeue "$victim"
before="$work/complete-before-requeue.txt"
# Every region complete at the requeue: its folder's inode and its row file's mtime.
for row in "$work"/resumed/*/summary-row.csv; do
  [ -e "$row" ] || continue
  echo "$(basename "$(dirname "$row")") $(stat -c %i "$(dirname "$row")") $(stat -c %Y.%y "$row")"
done | sort >"$before"
[ -s "$before" ] || fail "no region was complete at the requeue"
echo "slurm-test: run 2: requeued task $victim after its first region; complete then: $(cut -d' ' -f1 "$before" | tr '\n' ' ')"
# A requeued job waits two minutes before it is eligible again; start it now.
until [ "$(state "$victim")" = PENDING ]; do in_time "waiting for $victim to be requeued"; sleep 0.2; done
scontrol update JobId="$victim" StartTime=now
wait_done "$array"
wait_done "$merge"
restarts=$(scontrol show job "$victim" | grep -oE 'Restarts=[0-9]+' | cut -d= -f2)
[ "${restarts:-0}" -ge 1 ] || fail "task 0 was not restarted (Restarts=$restarts)"
after="$work/complete-after.txt"
while read -r region inode mtime; do
  row="$work/resumed/$region/summary-row.csv"
  echo "$region $(stat -c %i "$work/resumed/$region") $(stat -c %Y.%y "$row")"
done <"$before" >"$after"
diff -u "$before" "$after" >&2 || fail "the resumed task rewrote a region that was complete"
resumed_line=$(grep -E 'region\(s\) solved, [0-9]+ resumed' "$log" | tail -n 1)
grep -qE ', [1-9][0-9]* resumed' <<<"$resumed_line" || fail "task 0's second attempt resumed nothing: $resumed_line"
echo "slurm-test: run 2: task 0 restarted $restarts time(s); its second attempt: $resumed_line"
echo "slurm-test: run 2: $(wc -l <"$before") region(s) complete before the requeue rewritten: none"
"$circulate" batch "$work/generated" --out "$work/generated-unsharded" >/dev/null 2>&1
equal=$(same_rows "$work/resumed/summary.csv" "$work/generated-unsharded/summary.csv") \
  || fail "run 2: the merged summary differs from the unsharded batch"
echo "slurm-test: run 2: merged summary vs unsharded batch: $equal"
echo "slurm-test: passed"
