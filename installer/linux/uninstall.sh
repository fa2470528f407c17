#!/bin/sh
# Remove the Tandem program installed by install.sh. Removes ONLY the program folder, the
# `tandem` command, the menu entry, the icons and the AppStream file. Your vaults (NAME.tandem
# folders), backups (*.tandembackup), the demo vault and your settings are NOT removed.
set -eu

app_id=org.tandempractice.Tandem
dest=${TANDEM_INSTALL_DIR:-$HOME/.local/opt/Tandem}
bin=${XDG_BIN_HOME:-$HOME/.local/bin}
data=${XDG_DATA_HOME:-$HOME/.local/share}

# Only ever delete a folder that is recognisably Tandem's program folder.
if [ -x "$dest/tandem" ] && [ -d "$dest/_internal" ] && [ -f "$dest/install.sh" ]; then
    if find "$dest" -name '*.tandem' -o -name '*.tandembackup' | grep -q .; then
        echo "uninstall.sh: $dest contains a vault or backup; move it elsewhere first." >&2
        exit 1
    fi
    rm -rf "$dest"
else
    echo "uninstall.sh: no Tandem program folder at $dest (set TANDEM_INSTALL_DIR)." >&2
fi
[ "$(readlink "$bin/tandem" 2>/dev/null)" = "$dest/tandem" ] && rm -f "$bin/tandem"
rm -f "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml"
find "$data/icons/hicolor" -name "$app_id.*" -path '*/apps/*' -exec rm -f {} + 2>/dev/null || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true

echo "Tandem's program was removed. Your vaults, backups and settings were left in place."
