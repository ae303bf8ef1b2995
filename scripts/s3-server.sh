#!/usr/bin/env bash
# A real S3 with Object Lock for the tests and benchmarks: a single-node Ceph
# RADOS Gateway (mon + one memstore OSD + radosgw) on 127.0.0.1, all state under
# one scratch folder. RGW enforces Object Lock (COMPLIANCE versions cannot be
# deleted or shortened), which is what the audit store's tests must exercise.
#
#   scripts/s3-server.sh start    start (or find running) and print the env lines
#   scripts/s3-server.sh stop     stop radosgw, then the OSD, then the mon; remove the folder
#   scripts/s3-server.sh status   exit 0 and print the env lines when running, 1 otherwise
#
# `start` prints exactly these lines on stdout (scripts/run-tests.mjs parses
# them) and writes them to <dir>/env; everything else goes to stderr:
#   MRG_TEST_S3_ENDPOINT=http://127.0.0.1:PORT
#   MRG_TEST_S3_ACCESS_KEY=...
#   MRG_TEST_S3_SECRET_KEY=...
#
# The folder is MRG_S3_DIR, or .tmp/s3 in the project. Ports are picked free at
# start, so two folders give two independent servers. Installs the Debian
# packages (ceph-mon ceph-osd radosgw ceph-common) when they are missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${MRG_S3_DIR:-$root/.tmp/s3}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/ceph.conf"

# Seconds to wait for each step before giving up with the log's tail.
step_timeout="${MRG_S3_TIMEOUT:-60}"

say() { printf 's3-server: %s\n' "$*" >&2; }

# The folder is wiped on start and stop: never do that to a folder this script did not make.
ensure_own_folder() {
  if [ -n "$(ls -A "$dir" 2>/dev/null)" ] && [ ! -e "$conf" ]; then
    say "error: $dir is not empty and holds no ceph.conf: not a folder made by this script; choose another MRG_S3_DIR"
    exit 1
  fi
}

die() {
  say "error: $*"
  exit 1
}

# Prints the last lines of every daemon log, so a failed start says why.
log_tail() {
  local f
  for f in "$dir"/log/*.log; do
    [ -s "$f" ] || continue
    printf '\n--- last lines of %s ---\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
}

fail_start() {
  say "error: $*"
  log_tail
  say "stopping what was started"
  stop_daemons || true
  exit 1
}

# True when the pid in the file names a live process. An exited daemon can stay
# a zombie for a moment (its parent has not reaped it yet): that counts as gone.
pid_alive() {
  local pidfile="$1" pid state
  [ -s "$pidfile" ] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  # Field 3 of /proc/PID/stat is the state; the command name (field 2) may hold
  # spaces, so cut after its closing parenthesis.
  state="$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != "Z" ] && [ "$state" != "X" ]
}

ensure_packages() {
  local missing=0 cmd
  for cmd in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
    command -v "$cmd" >/dev/null 2>&1 || missing=1
  done
  [ "$missing" = 0 ] && return 0
  say "installing Ceph (ceph-mon ceph-osd radosgw ceph-common) from the Debian packages"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "Ceph is not installed and this user cannot install it; run: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common"
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update >&2 || die "apt-get update failed"
  $sudo apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common >&2 \
    || die "apt-get install of the Ceph packages failed"
}

# A TCP port nobody listens on right now (the kernel picks it).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
}

random_string() {
  # $1 characters from the set $2.
  LC_ALL=C tr -dc "$2" </dev/urandom | head -c "$1" || true
}

ceph_cli() {
  timeout 20 ceph -c "$conf" "$@"
}

print_env() {
  cat "$dir/env"
}

# Running means: radosgw alive and its endpoint answering HTTP.
is_running() {
  [ -s "$dir/env" ] || return 1
  pid_alive "$dir/run/client.rgw.x.pid" || return 1
  local endpoint
  endpoint="$(sed -n 's/^MRG_TEST_S3_ENDPOINT=//p' "$dir/env")"
  [ -n "$endpoint" ] || return 1
  curl -s -o /dev/null --max-time 5 "$endpoint/" 2>/dev/null
}

# SIGTERM the daemon in the pid file and wait until it is gone (or a zombie);
# SIGKILL after a while.
stop_one() {
  local name="$1" pidfile="$dir/run/$1.pid" pid i
  [ -s "$pidfile" ] || return 0
  pid="$(tr -dc '0-9' <"$pidfile")"
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    pid_alive "$pidfile" || break
    sleep 0.1
  done
  if pid_alive "$pidfile"; then
    say "$name did not stop after 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      pid_alive "$pidfile" || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
}

stop_daemons() {
  local f name
  # radosgw first (it holds the OSD), then the OSD, then the mon: stopping the
  # mon first makes the OSD wait for it before exiting.
  stop_one client.rgw.x
  for f in "$dir"/run/osd.*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    stop_one "$name"
  done
  stop_one mon.a
}

write_conf() {
  local fsid="$1" mon_port="$2" rgw_port="$3" kms_key
  kms_key="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
run dir = $dir/run
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
ms bind msgr1 = false
# With the default (1 s) every mon command takes a second.
paxos propose interval = 0.05

[mon]
mon data = $dir/mon.\$id

[osd]
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = 2147483648
memstore page size = 4096

[client]
# With auth off, radosgw otherwise loops on "get_initial_auth_request returned -13".
ms mon client mode = crc

[client.rgw.x]
rgw data = $dir/rgw
# Without tcp_nodelay every GET waits ~40 ms for delayed ACKs.
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
# SSE-KMS over plain HTTP with RGW's built-in test key store, so the tests can
# write with sse=aws:kms&kms_key_id=mrg-test-key (RGW 16 has no SSE-S3/AES256).
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = mrg-test-key=$kms_key
EOF
}

start() {
  if is_running; then
    say "already running in $dir"
    print_env
    return 0
  fi
  ensure_own_folder
  ensure_packages
  # Leftovers of a previous run that is not answering: clear them out.
  stop_daemons || true
  find "$dir" -mindepth 1 -delete
  mkdir -p "$dir/log" "$dir/run" "$dir/mon.a" "$dir/rgw"

  local fsid mon_port rgw_port access secret osd_uuid osd_id i
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(free_port)"
  rgw_port="$(free_port)"
  while [ "$rgw_port" = "$mon_port" ]; do rgw_port="$(free_port)"; done
  access="MRG$(random_string 17 'A-Z0-9')"
  secret="$(random_string 40 'A-Za-z0-9')"
  write_conf "$fsid" "$mon_port" "$rgw_port"
  say "starting Ceph RGW in $dir (mon port $mon_port, S3 port $rgw_port)"

  # The monitor.
  timeout 30 ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >&2 \
    || fail_start "ceph-authtool failed"
  timeout 30 monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >&2 \
    || fail_start "monmaptool failed"
  timeout "$step_timeout" ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" >&2 \
    || fail_start "ceph-mon --mkfs failed"
  timeout "$step_timeout" ceph-mon -c "$conf" -i a >&2 || fail_start "ceph-mon did not start"

  # One OSD on memstore (RAM): fast, and nothing to clean on disk.
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd_id="$(timeout "$step_timeout" ceph -c "$conf" osd new "$osd_uuid" 2>>"$dir/log/cli.log")" \
    || fail_start "the monitor did not answer 'ceph osd new' within ${step_timeout}s"
  osd_id="$(printf '%s' "$osd_id" | tr -dc '0-9')"
  [ -n "$osd_id" ] || fail_start "'ceph osd new' gave no OSD id"
  mkdir -p "$dir/osd.$osd_id"
  timeout "$step_timeout" ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/cli.log" 2>&1 \
    || fail_start "ceph-osd --mkfs failed"
  timeout "$step_timeout" ceph-osd -c "$conf" -i "$osd_id" >>"$dir/log/cli.log" 2>&1 \
    || fail_start "ceph-osd did not start"
  for i in $(seq 1 $((step_timeout * 10))); do
    if ceph_cli osd dump 2>>"$dir/log/cli.log" | grep -q "^osd\.$osd_id up"; then break; fi
    if [ "$i" = $((step_timeout * 10)) ]; then fail_start "osd.$osd_id did not come up within ${step_timeout}s"; fi
    sleep 0.1
  done

  # The S3 user the tests sign with.
  timeout "$step_timeout" radosgw-admin -c "$conf" user create --uid=mrg-test --display-name="model-release-gate tests" \
    --access-key="$access" --secret-key="$secret" >>"$dir/log/cli.log" 2>&1 \
    || fail_start "radosgw-admin user create failed (or hung)"

  # radosgw forks into the background once it has reached the monitor; under
  # `timeout`, so a gateway stuck before that cannot hang the start.
  timeout "$step_timeout" radosgw -c "$conf" -n client.rgw.x >>"$dir/log/cli.log" 2>&1 \
    || fail_start "radosgw did not start within ${step_timeout}s"
  local endpoint="http://127.0.0.1:$rgw_port"
  for i in $(seq 1 $((step_timeout * 10))); do
    if curl -s -o /dev/null --max-time 2 "$endpoint/"; then break; fi
    if [ "$i" = $((step_timeout * 10)) ]; then fail_start "radosgw did not answer on $endpoint within ${step_timeout}s"; fi
    pid_alive "$dir/run/client.rgw.x.pid" || [ "$i" -lt 50 ] || fail_start "radosgw exited"
    sleep 0.1
  done

  printf 'MRG_TEST_S3_ENDPOINT=%s\nMRG_TEST_S3_ACCESS_KEY=%s\nMRG_TEST_S3_SECRET_KEY=%s\n' \
    "$endpoint" "$access" "$secret" >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
  say "S3 (Ceph RGW) answering on $endpoint"
  print_env
}

stop() {
  if [ ! -d "$dir/run" ] && [ ! -e "$conf" ]; then
    say "nothing to stop in $dir"
    return 0
  fi
  ensure_own_folder
  stop_daemons
  find "$dir" -mindepth 1 -delete
  rmdir "$dir" 2>/dev/null || true
  say "stopped; removed $dir"
}

status() {
  if is_running; then
    say "running in $dir"
    print_env
    return 0
  fi
  say "not running ($dir)"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status   (folder: \$MRG_S3_DIR, default .tmp/s3)" >&2
    exit 2
    ;;
esac
