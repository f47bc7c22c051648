#!/usr/bin/env bash
# Create (once) and activate the project's virtual environment in .venv, so pip never touches the
# system Python (a stock Debian/Ubuntu Python refuses system-wide installs). Source this file.
venv_dir="${LEADDESK_VENV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv}"
if [ ! -x "$venv_dir/bin/python" ]; then
  if ! python3 -m venv "$venv_dir" 2>/dev/null; then
    # Debian/Ubuntu ship venv's pip bootstrap separately.
    rm -rf "$venv_dir"
    bash "$(dirname "${BASH_SOURCE[0]}")/install_system_packages.sh" \
      "$(dirname "${BASH_SOURCE[0]}")/venv-packages.txt"
    python3 -m venv "$venv_dir"
  fi
  "$venv_dir/bin/python" -m pip install --quiet --upgrade pip
fi
# shellcheck disable=SC1091
. "$venv_dir/bin/activate"
