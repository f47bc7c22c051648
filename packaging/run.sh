#!/usr/bin/env bash
# Install LeadDesk and open it on the local SQLite database (no configuration needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install_system_packages.sh packaging/system-packages.txt
. packaging/venv.sh
python3 -m pip install --quiet -e .
exec leaddesk "$@"
