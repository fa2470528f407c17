#!/bin/sh
# Install Tandem for this user from the unpacked tarball: no root, no network, no pip.
#
#   tar xzf Tandem-0.1.0-linux-x86_64.tar.gz && Tandem/install.sh
#
# Puts the program in ~/.local/opt/Tandem (TANDEM_INSTALL_DIR to choose another folder), a
# `tandem` command in ~/.local/bin, and the menu entry, icons and AppStream data in
# ~/.local/share. Upgrading: run the new version's install.sh; the old program folder is replaced
# as a whole. Vaults, backups and settings live elsewhere and are never touched.
set -eu

app_id=org.tandempractice.Tandem
here=$(cd "$(dirname "$0")" && pwd)
dest=${TANDEM_INSTALL_DIR:-$HOME/.local/opt/Tandem}
bin=${XDG_BIN_HOME:-$HOME/.local/bin}
data=${XDG_DATA_HOME:-$HOME/.local/share}

[ -x "$here/tandem" ] && [ -d "$here/_internal" ] || {
    echo "install.sh: run me from the unpacked Tandem folder." >&2; exit 1; }

# Never replace the program under a running Tandem.
for proc in /proc/[0-9]*; do
    if [ "$(readlink "$proc/exe" 2>/dev/null)" = "$dest/tandem" ]; then
        echo "install.sh: Tandem is running from $dest. Lock your vault, quit Tandem, and run" \
             "install.sh again. Nothing was changed." >&2
        exit 1
    fi
done

if [ "$here" != "$dest" ]; then
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest.new" "$dest.old"
    cp -a "$here" "$dest.new"
    [ -e "$dest" ] && mv "$dest" "$dest.old"
    mv "$dest.new" "$dest"
    rm -rf "$dest.old"
fi

mkdir -p "$bin" "$data/applications" "$data/metainfo" "$data/icons/hicolor"
ln -sf "$dest/tandem" "$bin/tandem"
sed "s|^Exec=.*|Exec=\"$dest/tandem\"|" "$dest/share/applications/$app_id.desktop" \
    > "$data/applications/$app_id.desktop"
cp "$dest/share/metainfo/$app_id.metainfo.xml" "$data/metainfo/"
cp -R "$dest/share/icons/hicolor/." "$data/icons/hicolor/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true

echo "Tandem is installed in $dest; start it from your applications menu or with 'tandem'."
case ":$PATH:" in *":$bin:"*) ;; *) echo "(Add $bin to your PATH to use the 'tandem' command.)";; esac
