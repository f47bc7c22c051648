#!/usr/bin/env bash
# Install the Debian packages listed in the given files (skipped where apt-get is missing).
set -euo pipefail
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install the packages listed in $* with your system's package manager."
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
packages=$(grep -hv '^\s*#' "$@" | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
