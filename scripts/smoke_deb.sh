#!/usr/bin/env bash
# Install the built .deb, smoke-test the installed program through /usr/bin/gridstation as scripts/smoke_bundle.sh
# does the bundle, remove it with `dpkg -r`, and check that the program's files are gone and the user's data is not.
# Needs root (CI runs as root) or sudo. `bash scripts/smoke_deb.sh [dist/gridstation_<version>_<arch>.deb]`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

VERSION="$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
DEB="${1:-dist/gridstation_${VERSION}_$(dpkg --print-architecture).deb}"
[ -f "$DEB" ] || { say "No $DEB: run scripts/package.sh first"; exit 1; }
HOME_DIR="$(mktemp -d)"
REMOVED=0
# A failed check must not leave the package installed on the machine.
cleanup() {
    if [ "$REMOVED" -eq 0 ] && dpkg -s gridstation >/dev/null 2>&1; then
        as_root dpkg -r gridstation >/dev/null || true
    fi
    rm -rf "$HOME_DIR"
}
trap cleanup EXIT
INSTALLED=(/opt/gridstation /usr/bin/gridstation /usr/share/applications/gridstation.desktop
    /usr/share/icons/hicolor/256x256/apps/gridstation.png /usr/share/doc/gridstation/上手指南.pdf)

say "dpkg -i $DEB"
# The libraries it depends on are Qt's (scripts/common.sh installs them); apt-get -f completes what is missing.
as_root dpkg -i "$DEB" || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq --no-install-recommends
dpkg -s gridstation | grep -E '^(Status|Version|Installed-Size):'
for path in "${INSTALLED[@]}"; do
    [ -e "$path" ] || { say "ERROR: the package did not install $path"; exit 1; }
done
grep -E '^(Name|Exec|Icon|Categories)' /usr/share/applications/gridstation.desktop
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate /usr/share/applications/gridstation.desktop
fi

SMOKE_HOME="$HOME_DIR" bash scripts/smoke_bundle.sh /usr/bin/gridstation

say "dpkg -r gridstation"
as_root dpkg -r gridstation
REMOVED=1
for path in "${INSTALLED[@]}"; do
    if [ -e "$path" ] || [ -L "$path" ]; then
        say "ERROR: $path is still there after dpkg -r"
        exit 1
    fi
done
DATA="$HOME_DIR/.local/share/GridStation/station.db"
[ -f "$DATA" ] || { say "ERROR: dpkg -r took the user's data ($DATA)"; exit 1; }
say "Removed: the program's files are gone, the user's data is still in $(dirname "$DATA")"
printf '\nDEB SMOKE OK: %s\n' "$DEB"
