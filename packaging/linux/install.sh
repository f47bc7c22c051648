#!/usr/bin/env bash
# Install a LeadDesk desktop build for the current user: the program, a menu entry and icons.
#
#   bash packaging/linux/install.sh [BUILD_FOLDER]     (default: dist/leaddesk)
#   bash packaging/linux/install.sh --uninstall
#
# Nothing needs root: everything goes under ~/.local (XDG_DATA_HOME), and `leaddesk` is linked
# into ~/.local/bin for the terminal and cron. Your data is never touched by either action.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
app="$data/leaddesk/app"

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -rf "$app" "$data/applications/leaddesk.desktop" "$bin/leaddesk"
    find "$data/icons/hicolor" -name leaddesk.png -delete 2>/dev/null || true
    echo "LeadDesk removed (your data in $data/LeadDesk is kept)."
    exit 0
fi

build="${1:-$here/../../dist/leaddesk}"
if [[ ! -x "$build/leaddesk" ]]; then
    echo "No LeadDesk build in $build: run bash packaging/build_desktop.sh first." >&2
    exit 1
fi
mkdir -p "$app" "$bin" "$data/applications"
rm -rf "$app.new" && cp -a "$build" "$app.new" && rm -rf "$app" && mv "$app.new" "$app"
ln -sfn "$app/leaddesk" "$bin/leaddesk"
sed "s|^Exec=leaddesk$|Exec=$app/leaddesk|" "$here/leaddesk.desktop" \
    > "$data/applications/leaddesk.desktop"
for folder in "$here"/icons/*/; do
    size="$(basename "$folder")"
    mkdir -p "$data/icons/hicolor/$size/apps"
    cp "$folder/leaddesk.png" "$data/icons/hicolor/$size/apps/leaddesk.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "LeadDesk installed: open it from your menu, or run $bin/leaddesk"
case ":$PATH:" in *":$bin:"*) ;; *) echo "(add $bin to your PATH to type just 'leaddesk')";; esac
