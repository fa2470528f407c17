#!/bin/sh
# Sign, notarize and package Tandem.app as a DMG (macOS only; needs Xcode's command-line tools and
# a "Developer ID Application" certificate in the login keychain). Written against Apple's
# codesign / notarytool / stapler / hdiutil documentation; not run on the Linux build machine.
#
# Once per machine, store the notary credentials in the keychain (an app-specific password):
#   xcrun notarytool store-credentials tandem-notary --apple-id YOU@EXAMPLE.ORG --team-id TEAMID
#
# Then, from the repository root:
#   export TANDEM_CODESIGN_IDENTITY="Developer ID Application: Your Name (TEAMID)"
#   python3 dev.py bundle            # PyInstaller signs every binary: hardened runtime, timestamp,
#                                    # installer/macos/entitlements.plist
#   sh installer/macos/sign-notarize-dmg.sh
#
# Result: dist/Tandem-VERSION-macos-ARCH.dmg, signed, notarized and stapled; the .app inside is
# stapled too, so Gatekeeper accepts it on a Mac that is offline at first launch (Tandem never goes
# online, and neither should its first start need to).
#
# Environment: TANDEM_CODESIGN_IDENTITY (required), NOTARY_PROFILE (default tandem-notary),
# DIST (default ./dist).
set -eu

if [ "$(uname -s)" != "Darwin" ]; then
    echo "sign-notarize-dmg.sh: runs on macOS only." >&2
    exit 2
fi
: "${TANDEM_CODESIGN_IDENTITY:?set TANDEM_CODESIGN_IDENTITY to your Developer ID Application identity}"
profile=${NOTARY_PROFILE:-tandem-notary}
dist=${DIST:-dist}
app="$dist/Tandem.app"
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/version.py)
arch=$(uname -m)
dmg="$dist/Tandem-$version-macos-$arch.dmg"
entitlements=installer/macos/entitlements.plist

[ -d "$app" ] || { echo "no $app: run 'python3 dev.py bundle' first" >&2; exit 1; }

echo "1/6 verifying the signature PyInstaller made"
# Re-sign the outer bundle once more (idempotent) so its seal covers the final Info.plist.
codesign --force --sign "$TANDEM_CODESIGN_IDENTITY" --options runtime --timestamp \
    --entitlements "$entitlements" "$app"
codesign --verify --deep --strict --verbose=2 "$app"
codesign --display --entitlements - "$app" >/dev/null

echo "2/6 notarizing the app"
zip="$dist/Tandem-notarize.zip"
rm -f "$zip"
ditto -c -k --keepParent "$app" "$zip"   # ditto keeps the bundle's symlinks and metadata
xcrun notarytool submit "$zip" --keychain-profile "$profile" --wait
rm -f "$zip"

echo "3/6 stapling the ticket to the app"
xcrun stapler staple "$app"
xcrun stapler validate "$app"
spctl --assess --type execute --verbose=2 "$app"

echo "4/6 building the disk image"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/Tandem.app"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Tandem" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
codesign --force --sign "$TANDEM_CODESIGN_IDENTITY" --timestamp "$dmg"

echo "5/6 notarizing the disk image"
xcrun notarytool submit "$dmg" --keychain-profile "$profile" --wait

echo "6/6 stapling the ticket to the disk image"
xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"

echo "done: $dmg"
