#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine (Debian's slurm-wlm + munge),
# for tests/test_slurm.py. Needs root. No systemd here: each daemon is started by
# hand. Safe to run twice: a cluster that already answers is left as it is.
#
#   .ci/start_slurm.sh [--install] [--no-accounting] [--pid-file FILE]
#
#   --install        apt-get install slurm-wlm munge (and slurmdbd mariadb-server
#                    for accounting) when they are missing.
#   --no-accounting  no slurmdbd: `sacct` then cannot answer; finished jobs are
#                    still written to the job-completion log.
#   --pid-file FILE  append "name pid" of every daemon THIS run started to FILE,
#                    so the caller can stop exactly those, by PID.
#
# With slurmdbd and MariaDB installed (or --install), accounting runs, so `sacct`
# lists the jobs; if that part fails the cluster starts without it (a warning).
# Exit 0 when the node is idle and accepting jobs (within ~1 minute), non-zero with
# one line on stderr saying what failed otherwise.
set -euo pipefail

INSTALL=0
ACCOUNTING=1
PID_FILE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --install) INSTALL=1 ;;
        --no-accounting) ACCOUNTING=0 ;;
        --pid-file) PID_FILE="$2"; shift ;;
        *) echo "start_slurm: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

fail() { echo "start_slurm: $*" >&2; exit 1; }
warn() { echo "start_slurm: warning: $*" >&2; }
record_pid() {  # name pidfile
    local pid
    pid="$(cat "$2" 2>/dev/null || true)"
    [[ -n "$pid" ]] || fail "$1 wrote no PID file $2"
    echo "start_slurm: started $1 (PID $pid)"
    if [[ -n "$PID_FILE" ]]; then echo "$1 $pid" >>"$PID_FILE"; fi
}
wait_for() {  # seconds command...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

[[ "$(id -u)" == 0 ]] || fail "needs root (starts munged, slurmctld and slurmd)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    ((INSTALL)) || fail "slurm-wlm/munge not installed (run with --install)"
    command -v apt-get >/dev/null || fail "slurm-wlm not installed and no apt-get"
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null \
        || fail "apt-get install slurm-wlm munge failed"
fi
if ((ACCOUNTING)) && { ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; }; then
    if ((INSTALL)) && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmdbd mariadb-server \
            >/dev/null || warn "apt-get install slurmdbd mariadb-server failed"
    fi
    if ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; then
        warn "slurmdbd/mariadb-server not installed: no accounting (sacct will not answer)"
        ACCOUNTING=0
    fi
fi

# A cluster that already runs jobs is used as it is.
if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "start_slurm: a SLURM cluster is already up; leaving it alone"
    exit 0
fi

HOST="$(hostname -s)"
CPUS="$(nproc)"
# Declare 90 % of the machine's memory: slurmd refuses a node whose RealMemory
# exceeds what it sees, and jobs asking for more than this would pend forever.
MEM_MB="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)"

# --- munge -----------------------------------------------------------------
if ! (munge -n | unmunge) >/dev/null 2>&1; then
    if [[ ! -s /etc/munge/munge.key ]]; then
        mungekey --create --keyfile /etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 600 /etc/munge/munge.key
    fi
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 755 /run/munge
    runuser -u munge -- /usr/sbin/munged --force || fail "munged did not start"
    wait_for 10 bash -c 'munge -n | unmunge' || fail "munged started but credentials fail"
    record_pid munged /run/munge/munged.pid
fi

MARKER="# Written by .ci/start_slurm.sh (single-node test cluster)."
CONF=/etc/slurm/slurm.conf

# --- accounting: MariaDB + slurmdbd -------------------------------------------
# Any failure here leaves the cluster without accounting rather than not starting.
start_accounting() {
    mkdir -p /run/mysqld /run/slurm /var/log/slurm
    chown mysql:mysql /run/mysqld
    chown slurm:slurm /run/slurm /var/log/slurm
    if ! mysqladmin ping >/dev/null 2>&1; then
        if [[ ! -d /var/lib/mysql/mysql ]]; then
            mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null || return 1
        fi
        # Socket only, no TCP port. runuser waits for mariadbd and ends with it.
        runuser -u mysql -- /usr/sbin/mariadbd --skip-networking \
            --pid-file=/run/mysqld/mysqld.pid --socket=/run/mysqld/mysqld.sock \
            >>/var/log/slurm/mariadb.log 2>&1 &
        wait_for 60 mysqladmin ping || { warn "MariaDB did not start"; return 1; }
        record_pid mariadbd /run/mysqld/mysqld.pid
    fi
    # A fresh random password for slurmdbd's database user at every start.
    local password
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
              CREATE USER IF NOT EXISTS 'slurm'@'localhost';
              ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$password';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';" || return 1
    install -m 600 -o slurm -g slurm /dev/null /etc/slurm/slurmdbd.conf
    printf '%s\n' "$MARKER" \
        AuthType=auth/munge DbdHost=localhost SlurmUser=slurm \
        StorageType=accounting_storage/mysql StorageHost=localhost StorageUser=slurm \
        "StoragePass=$password" StorageLoc=slurm_acct_db \
        PidFile=/run/slurm/slurmdbd.pid LogFile=/var/log/slurm/slurmdbd.log \
        >/etc/slurm/slurmdbd.conf
    rm -f /run/slurm/slurmdbd.pid
    slurmdbd || { warn "slurmdbd did not start (see /var/log/slurm/slurmdbd.log)"; return 1; }
    wait_for 20 test -s /run/slurm/slurmdbd.pid || { warn "slurmdbd wrote no PID file"; return 1; }
    record_pid slurmdbd /run/slurm/slurmdbd.pid
}

# --- slurm.conf ------------------------------------------------------------
for file in "$CONF" /etc/slurm/slurmdbd.conf; do
    if [[ -e "$file" ]] && ! head -1 "$file" | grep -qF "$MARKER"; then
        fail "$file exists and was not written by this script; not touching it"
    fi
done
mkdir -p /etc/slurm /run/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
chown slurm:slurm /run/slurm /var/lib/slurm/slurmctld /var/log/slurm
if ((ACCOUNTING)) && ! start_accounting; then
    warn "accounting (slurmdbd) not started; the cluster runs without it"
    ACCOUNTING=0
fi
if ((ACCOUNTING)); then
    STORAGE="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost"
else
    STORAGE="AccountingStorageType=accounting_storage/none"
fi
cat >"$CONF" <<EOF
$MARKER
ClusterName=pipeline
SlurmctldHost=$HOST
SlurmUser=slurm
AuthType=auth/munge
# No cgroups in this sandbox: track processes through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MailProg=/bin/true
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# Accounting (sacct) through slurmdbd when it runs. Every finished job is also
# written to the job-completion log (JobId, Name, JobState, ...), which tests
# read where sacct cannot answer.
$STORAGE
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
JobAcctGatherType=jobacct_gather/linux
# Sample memory and CPU every 5 s (default 30 s misses our short jobs' MaxRSS).
JobAcctGatherFrequency=task=5
# Finished jobs stay visible to squeue/scontrol for 5 minutes (status checks).
MinJobAge=300
ReturnToService=2
# Accept the node as declared below even where slurmd measures slightly less.
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# --- daemons -----------------------------------------------------------------
if ((ACCOUNTING)); then
    wait_for 30 sacctmgr -n show cluster || warn "slurmdbd does not answer sacctmgr"
    if ! sacctmgr -n -P show cluster format=cluster | grep -qx pipeline; then
        sacctmgr -i add cluster pipeline >/dev/null || warn "could not register the cluster"
    fi
fi
# -c: start with a clean state (no jobs or node state from an earlier run).
slurmctld -c || fail "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
wait_for 20 test -s /run/slurm/slurmctld.pid || fail "slurmctld wrote no PID file"
record_pid slurmctld /run/slurm/slurmctld.pid
wait_for 30 scontrol ping || fail "slurmctld does not answer (see /var/log/slurm/slurmctld.log)"

slurmd || fail "slurmd did not start (see /var/log/slurm/slurmd.log)"
wait_for 20 test -s /run/slurm/slurmd.pid || fail "slurmd wrote no PID file"
record_pid slurmd /run/slurm/slurmd.pid

idle() { sinfo -h -o '%T' | grep -qE '^(idle|mixed|allocated)'; }
if ! wait_for 60 idle; then
    scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
    wait_for 20 idle || fail "node $HOST is not idle: $(sinfo -h -o '%T %E' 2>&1)"
fi
if ((ACCOUNTING)); then ACCOUNTING_NOTE="accounting via slurmdbd"; else
    ACCOUNTING_NOTE="no accounting"; fi
echo "start_slurm: node $HOST up with $CPUS CPUs and $MEM_MB MB in ${SECONDS}s ($ACCOUNTING_NOTE)"
