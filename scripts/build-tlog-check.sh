#!/usr/bin/env bash
# Builds the independent transparency-log checker (test/tlog-check/main.go)
# against Go's own golang.org/x/mod/sumdb/tlog and sumdb/note, from Debian's
# golang-go and golang-golang-x-mod-dev packages (installed once when
# missing), in GOPATH mode: nothing is downloaded from a Go module proxy.
# Also installs jq and xxd when missing: the auditor procedures of
# docs/auditing.md, which the suite runs, use them beside sha256sum and openssl.
# Prints the path of the binary on stdout. Rebuilds only when main.go is newer.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/test/tlog-check"
out_dir="$root/lib/test/tlog-check"
bin="$out_dir/tlog-check"
gopath=/usr/share/gocode

need=""
command -v jq >/dev/null 2>&1 || need="$need jq"
command -v xxd >/dev/null 2>&1 || need="$need xxd"
command -v go >/dev/null 2>&1 && [ -d "$gopath/src/golang.org/x/mod/sumdb/tlog" ] || need="$need golang-go golang-golang-x-mod-dev"

if [ -z "$need" ] && [ -x "$bin" ] && [ "$bin" -nt "$src/main.go" ]; then
  echo "$bin"
  exit 0
fi

if [ -n "$need" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "build-tlog-check: needs$need (Debian package names); install them" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
      echo "build-tlog-check: run as root: apt-get install -y --no-install-recommends$need" >&2
      exit 1
    fi
  fi
  echo "build-tlog-check: installing Debian's$need (once)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A stale package index makes the install fail with 404s: refresh it only then.
  # shellcheck disable=SC2086
  if ! $SUDO apt-get install -y --no-install-recommends $need >&2; then
    $SUDO apt-get update >&2
    $SUDO apt-get install -y --no-install-recommends $need >&2
  fi
fi

mkdir -p "$out_dir"
# GOPATH mode with Debian's source tree; the build cache stays inside lib/ so
# the user's own Go setup is neither used nor touched.
( cd "$src" && GO111MODULE=off GOPATH="$gopath" GOCACHE="$out_dir/.gocache" GOFLAGS= GOPROXY=off \
    go build -o "$bin" . ) >&2
echo "$bin"
