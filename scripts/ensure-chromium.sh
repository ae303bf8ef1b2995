#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: the HTML report's browser test
# renders the report in it (driven by playwright-core, which downloads no
# browser of its own). Installs the distribution package when missing; never
# fetches a browser build from anywhere else.
set -euo pipefail

CHROMIUM="${MRG_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium so that $CHROMIUM exists" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: $CHROMIUM is missing; run as root: apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium package (once)" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package index makes the install fail with 404s: refresh it only then.
if ! $SUDO apt-get install -y --no-install-recommends chromium >&2; then
  $SUDO apt-get update >&2
  $SUDO apt-get install -y --no-install-recommends chromium >&2
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: the chromium package is installed but $CHROMIUM does not exist" >&2
  exit 1
fi
