#!/usr/bin/env bash
# A Kafka-protocol cluster for the tests and benchmarks: librdkafka's mock
# cluster (3 brokers on 127.0.0.1, the real wire protocol over TCP, in memory),
# built from scripts/mock-kafka.c against Debian's librdkafka. No Apache Kafka
# broker can be installed from the package registries this project uses; the
# mock is what librdkafka's own test suite runs against. Its limits (no
# transaction markers, no producer fencing) are in docs/audit-stream.md.
#
#   scripts/kafka-server.sh start    start (or find running) and print the env lines
#   scripts/kafka-server.sh stop     stop the cluster; remove the folder
#   scripts/kafka-server.sh status   exit 0 and print the env lines when running, 1 otherwise
#
# `start` prints exactly these lines on stdout (scripts/run-tests.mjs parses
# them) and writes them to <dir>/env; everything else goes to stderr:
#   MRG_TEST_KAFKA_BROKERS=127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
#   MRG_TEST_KAFKA_CONTROL=127.0.0.1:PORT      (fault injection: see mock-kafka.c)
#   MRG_TEST_KAFKA_MOCK=<dir>/mock-kafka        (the binary: tests that take brokers
#                                               down start a cluster of their own)
#
# The folder is MRG_KAFKA_DIR, or .tmp/kafka in the project. Ports are picked
# free by the kernel, so two folders give two independent clusters. Installs
# the Debian packages (librdkafka-dev gcc kcat) when they are missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${MRG_KAFKA_DIR:-$root/.tmp/kafka}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
src="$root/scripts/mock-kafka.c"
bin="$dir/mock-kafka"
marker="$dir/.mock-kafka-dir"
brokers="${MRG_KAFKA_BROKERS:-3}"
step_timeout="${MRG_KAFKA_TIMEOUT:-30}"

say() { printf 'kafka-server: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The folder is wiped on stop: never do that to a folder this script did not make.
ensure_own_folder() {
  if [ -n "$(ls -A "$dir" 2>/dev/null)" ] && [ ! -e "$marker" ]; then
    die "$dir is not empty and was not made by this script; choose another MRG_KAFKA_DIR"
  fi
  touch "$marker"
}

pid_alive() {
  local pid state
  [ -s "$dir/pid" ] || return 1
  pid="$(tr -dc '0-9' <"$dir/pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state="$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != "Z" ] && [ "$state" != "X" ]
}

ensure_packages() {
  local missing=0
  command -v gcc >/dev/null 2>&1 || missing=1
  command -v kcat >/dev/null 2>&1 || missing=1
  [ -e /usr/include/librdkafka/rdkafka_mock.h ] || missing=1
  [ "$missing" = 0 ] && return 0
  say "installing librdkafka-dev gcc kcat from the Debian packages"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages and this user cannot install them; run: apt-get install -y --no-install-recommends librdkafka-dev gcc libc6-dev kcat"
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update >&2 || die "apt-get update failed"
  $sudo apt-get install -y --no-install-recommends librdkafka-dev gcc libc6-dev kcat >&2 \
    || die "apt-get install of librdkafka-dev gcc kcat failed"
}

build() {
  if [ -x "$bin" ] && [ "$bin" -nt "$src" ]; then return 0; fi
  say "building $bin from scripts/mock-kafka.c"
  gcc -O2 -Wall -o "$bin.tmp" "$src" -lrdkafka >&2 || die "gcc could not build scripts/mock-kafka.c (is librdkafka-dev installed?)"
  mv "$bin.tmp" "$bin"
}

# Sends one command to the control port and prints the answer line.
control() {
  local addr="$1" cmd="$2" line
  exec 7<>"/dev/tcp/${addr%:*}/${addr#*:}" || return 1
  printf '%s\n' "$cmd" >&7
  IFS= read -r -t 5 line <&7 || { exec 7>&-; return 1; }
  exec 7>&-
  printf '%s\n' "$line"
}

is_running() {
  [ -s "$dir/env" ] && pid_alive || return 1
  local addr
  addr="$(sed -n 's/^MRG_TEST_KAFKA_CONTROL=//p' "$dir/env")"
  [ -n "$addr" ] && [ "$(control "$addr" ping 2>/dev/null)" = "ok pong" ]
}

stop_mock() {
  local pid i
  pid_alive || { rm -f "$dir/pid"; return 0; }
  pid="$(tr -dc '0-9' <"$dir/pid")"
  say "stopping the mock cluster (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do pid_alive || break; sleep 0.1; done
  if pid_alive; then
    say "it did not stop after 5 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do pid_alive || break; sleep 0.1; done
  fi
  rm -f "$dir/pid"
}

start() {
  if is_running; then
    say "already running in $dir"
    cat "$dir/env"
    return 0
  fi
  ensure_own_folder
  ensure_packages
  stop_mock || true
  rm -f "$dir/env" "$dir/out" "$dir/log"
  build
  # Its own session and files for every stream, so the caller's pipes close
  # when this script ends (run-tests.mjs waits for them).
  setsid "$bin" "$brokers" >"$dir/out" 2>"$dir/log" </dev/null &
  echo $! >"$dir/pid"
  local i bootstrap="" ctl=""
  for i in $(seq 1 $((step_timeout * 10))); do
    bootstrap="$(sed -n 's/^bootstrap=//p' "$dir/out" 2>/dev/null)"
    ctl="$(sed -n 's/^control=//p' "$dir/out" 2>/dev/null)"
    [ -n "$bootstrap" ] && [ -n "$ctl" ] && break
    pid_alive || { tail -n 20 "$dir/log" >&2; die "the mock cluster exited at start"; }
    sleep 0.1
  done
  [ -n "$bootstrap" ] && [ -n "$ctl" ] || { stop_mock; die "the mock cluster printed no addresses within ${step_timeout}s"; }
  [ "$(control "$ctl" ping)" = "ok pong" ] || { stop_mock; die "the control port $ctl does not answer"; }
  printf 'MRG_TEST_KAFKA_BROKERS=%s\nMRG_TEST_KAFKA_CONTROL=%s\nMRG_TEST_KAFKA_MOCK=%s\n' "$bootstrap" "$ctl" "$bin" >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
  say "Kafka mock cluster ($brokers brokers) on $bootstrap, control $ctl"
  cat "$dir/env"
}

stop() {
  if [ ! -e "$marker" ]; then
    say "nothing to stop in $dir"
    return 0
  fi
  stop_mock
  find "$dir" -mindepth 1 -delete
  rmdir "$dir" 2>/dev/null || true
  say "stopped; removed $dir"
}

status() {
  if is_running; then
    say "running in $dir"
    cat "$dir/env"
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
    echo "usage: $0 start|stop|status   (folder: \$MRG_KAFKA_DIR, default .tmp/kafka)" >&2
    exit 2
    ;;
esac
