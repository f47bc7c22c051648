#!/usr/bin/env bash
# Build the desktop program (PyInstaller, one folder: dist/leaddesk) and smoke-test it:
# --version, the sample data, and the window opened offscreen until its first page shows.
#
#   bash packaging/build_desktop.sh        (after packaging/test.sh, or any set-up venv)
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/venv.sh
python3 -m pip install --quiet -e ".[test]" "pyinstaller>=6.10,<7"
rm -rf build/pyinstaller dist/leaddesk
python3 -m PyInstaller --noconfirm --log-level WARN packaging/leaddesk.spec \
    --distpath dist --workpath build/pyinstaller
echo "== built: $(du -sh dist/leaddesk | cut -f1) in dist/leaddesk"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export LEADDESK_HOME="$home" QT_QPA_PLATFORM=offscreen
cd "$home"  # far from the checkout: the build must carry everything itself
"$OLDPWD/dist/leaddesk/leaddesk" --version
"$OLDPWD/dist/leaddesk/leaddesk" demo
"$OLDPWD/dist/leaddesk/leaddesk" sequence create --preset tradeshow --name "Smoke test"
"$OLDPWD/dist/leaddesk/leaddesk" info
"$OLDPWD/dist/leaddesk/leaddesk" --check-window
echo "== the menu entry: install for a user, run the installed program, uninstall"
HOME="$home/user" XDG_DATA_HOME="" bash "$OLDPWD/packaging/linux/install.sh" "$OLDPWD/dist/leaddesk"
test -f "$home/user/.local/share/applications/leaddesk.desktop"
test -f "$home/user/.local/share/icons/hicolor/256x256/apps/leaddesk.png"
HOME="$home/user" "$home/user/.local/bin/leaddesk" --version | head -1
HOME="$home/user" bash "$OLDPWD/packaging/linux/install.sh" --uninstall
echo "== desktop build smoke test passed"
