#!/bin/sh
# Turn the one-folder bundle into an AppImage: Tandem-VERSION-ARCH.AppImage.
#
#   python3 dev.py bundle                       # makes dist/Tandem (with share/ inside)
#   sh installer/linux/build-appimage.sh        # needs appimagetool on PATH
#   sh installer/linux/build-appimage.sh --appdir-only   # just dist/Tandem.AppDir (no tool needed)
#
# appimagetool (github.com/AppImage/appimagetool) is not packaged by Debian and cannot be fetched
# on the CI machine, so CI only assembles and checks the AppDir. The layout follows the AppImage
# spec: AppRun, the .desktop file and its icon at the top, .DirIcon, usr/share/metainfo.
# Users without FUSE can run it with --appimage-extract-and-run.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
dist=${DIST:-$root/dist}
app_id=org.tandempractice.Tandem
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/app/version.py")
arch=${ARCH:-$(uname -m)}
bundle="$dist/Tandem"
appdir="$dist/Tandem.AppDir"

[ -x "$bundle/tandem" ] || { echo "no $bundle: run 'python3 dev.py bundle' first" >&2; exit 1; }

rm -rf "$appdir"
mkdir -p "$appdir/usr/lib" "$appdir/usr/bin"
cp -a "$bundle" "$appdir/usr/lib/tandem"
# The tarball's own installer scripts make no sense inside an AppImage.
rm -f "$appdir/usr/lib/tandem/install.sh" "$appdir/usr/lib/tandem/uninstall.sh"
mv "$appdir/usr/lib/tandem/share" "$appdir/usr/share"
ln -s ../lib/tandem/tandem "$appdir/usr/bin/tandem"

cat > "$appdir/AppRun" <<'APPRUN'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
exec "$here/usr/lib/tandem/tandem" "$@"
APPRUN
chmod 755 "$appdir/AppRun"

ln -s "usr/share/applications/$app_id.desktop" "$appdir/$app_id.desktop"
cp "$appdir/usr/share/icons/hicolor/256x256/apps/$app_id.png" "$appdir/$app_id.png"
ln -s "$app_id.png" "$appdir/.DirIcon"

if [ "${1:-}" = "--appdir-only" ]; then
    echo "AppDir ready: $appdir"
    exit 0
fi
command -v appimagetool >/dev/null || {
    echo "appimagetool is not on PATH; the AppDir is ready at $appdir" >&2; exit 1; }
ARCH=$arch appimagetool "$appdir" "$dist/Tandem-$version-$arch.AppImage"
echo "done: $dist/Tandem-$version-$arch.AppImage"
