#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for trying `--scheduler slurm` and for CI (docs/cluster.md).
#
#   scripts/slurm-local-cluster.sh start [DIR]   write DIR/slurm.conf (default: a new temporary directory), start
#                                                munged (as the munge user), slurmctld and slurmd; prints
#                                                `export SLURM_CONF=DIR/slurm.conf` on stdout (eval it)
#   scripts/slurm-local-cluster.sh stop DIR      stop the three daemons started in DIR, by the PIDs recorded there
#   scripts/slurm-local-cluster.sh status DIR    sinfo against DIR's cluster
#
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge) and root (slurmd runs jobs as their user).
# Everything lives under DIR: config, munge socket and key copy, state, spool, logs, PID files; nothing in /etc is
# changed. Ports: FARFIELD_SLURM_PORT for slurmctld, +1 for slurmd (default: the first free pair from 16817).
set -euo pipefail

cmd=${1:-}
die() { echo "slurm-local-cluster: $*" >&2; exit 1; }

start() {
  local dir=${1:-}
  for exe in munged slurmctld slurmd sinfo; do
    command -v "$exe" >/dev/null 2>&1 || [ -x "/usr/sbin/$exe" ] || die "$exe not found (Debian: apt-get install slurm-wlm munge)"
  done
  [ "$(id -u)" = 0 ] || die "must run as root (slurmd starts the jobs as their submitting user)"
  [ -r /etc/munge/munge.key ] || die "/etc/munge/munge.key missing (created by the munge package)"
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/farfield-slurm.XXXXXX); fi
  mkdir -p "$dir"/{state,spool,log,munge}
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  local host cpus mem port
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  port=${FARFIELD_SLURM_PORT:-}
  if [ -z "$port" ]; then   # the first pair of free ports from 16817 (another cluster of this script may be running)
    port=16817
    while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || (echo >"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; do
      port=$((port + 2))
    done
  fi
  cat >"$dir/slurm.conf" <<CONF
# written by scripts/slurm-local-cluster.sh: a single-node cluster under $dir
ClusterName=farfield
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=30
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  trap 'stop "$dir"' ERR   # a daemon that failed to start: stop the ones already running
  # munged as the munge user, with its socket, key copy, seed, log and PID under DIR
  chown munge:munge "$dir/munge"
  chmod 700 "$dir/munge"
  install -o munge -g munge -m 600 /etc/munge/munge.key "$dir/munge/munge.key"
  chmod 711 "$dir/munge"   # the socket must be reachable by clients (sbatch, slurmd)
  runuser -u munge -- /usr/sbin/munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
  local k
  for k in $(seq 50); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
  cp "$dir/munge/munged.pid" "$dir/munged.pid"
  SLURM_CONF="$dir/slurm.conf" /usr/sbin/slurmctld -f "$dir/slurm.conf" -i
  SLURM_CONF="$dir/slurm.conf" /usr/sbin/slurmd -f "$dir/slurm.conf"
  for k in $(seq 150); do
    if SLURM_CONF="$dir/slurm.conf" sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$dir/slurm.conf"
      echo "slurm-local-cluster: up in $dir (node $host, $cpus CPUs, partition debug; stop: $0 stop $dir)" >&2
      return 0
    fi
    sleep 0.2
  done
  echo "slurm-local-cluster: the node did not become idle in 30 s; logs in $dir/log" >&2
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  stop "$dir"
  return 1
}

stop() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -d "$dir" ] || die "stop: give the cluster directory"
  local f pid
  for f in slurmd slurmctld munged; do
    [ -s "$dir/$f.pid" ] || continue
    pid=$(cat "$dir/$f.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$f.pid"
  done
  echo "slurm-local-cluster: stopped the daemons of $dir" >&2
}

case "$cmd" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  status) SLURM_CONF="${2:?give the cluster directory}/slurm.conf" sinfo ;;
  *) die "usage: $0 start [DIR] | stop DIR | status DIR" ;;
esac
