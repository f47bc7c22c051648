#!/usr/bin/env bash
# Install everything the tests need and run the whole suite (what CI runs on a fresh clone).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install_system_packages.sh packaging/system-packages.txt packaging/test-packages.txt
. packaging/venv.sh
python3 -m pip install --quiet -e ".[test]"
echo "== generated forms are up to date"
python3 packaging/build_ui.py --check
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy (the Qt-free core)"
mypy leaddesk
echo "== pytest"
# Two workers (the machine CI runs on has two cores); LEADDESK_TEST_WORKERS=0 runs in one process.
python3 -m pytest -p no:cacheprovider -n "${LEADDESK_TEST_WORKERS:-2}" "$@"
if [[ $# -eq 0 ]]; then  # the whole suite: also build the desktop program and smoke-test it
    echo "== desktop build (PyInstaller)"
    timeout 600 bash packaging/build_desktop.sh
fi
