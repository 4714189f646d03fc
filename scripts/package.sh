#!/usr/bin/env bash
# Build the desk's package on Debian/Ubuntu (docs/packaging.md):
#   dist/GridStation/                         the PyInstaller bundle (installer.spec)
#   dist/gridstation_<version>_<arch>.deb     the same bundle in /opt/gridstation, for 统信UOS / 银河麒麟 / Debian / Ubuntu
# Then `bash scripts/smoke_bundle.sh` checks the built program (CI runs both, .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

ensure_qt_libs
ensure_packaging_tools
ensure_venv "test,dev"

VERSION="$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
ARCH="$(dpkg --print-architecture)"
BUNDLE=dist/GridStation
DEB="dist/gridstation_${VERSION}_${ARCH}.deb"
STAGE="build/deb/gridstation_${VERSION}_${ARCH}"

say "PyInstaller: $BUNDLE"
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer.spec
# What is in the bundle, largest first: the measure docs/packaging.md's table is made with.
find "$BUNDLE" -type f -printf '%s\t%P\n' | sort -rn > build/bundle-files.tsv
say "Bundle: $(du -s --block-size=1M "$BUNDLE" | cut -f1) MB unpacked, $(wc -l < build/bundle-files.tsv) files (list: build/bundle-files.tsv)"

# The 上手指南 rendered by the bundle itself: the .deb ships the PDF, and a bundle that cannot render it fails here.
"$BUNDLE/gridstation-cli" print guide -o "$BUNDLE/上手指南.pdf" >/dev/null

# Every library the bundle links to and does not carry must come from a package the .deb depends on.
check_depends() {
    local depends="$1" missing=0 soname package
    while read -r soname; do
        case "$soname" in
            libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|libutil.so.*|ld-linux*) continue ;;
        esac
        package="$(dpkg -S "*/$soname" 2>/dev/null | head -n 1 | cut -d: -f1 || true)"
        if [ -z "$package" ] || ! grep -q -E "(^|[ ,|])${package}([ ,|(]|$)" <<<"$depends"; then
            say "ERROR: the bundle needs $soname (${package:-no package found}), which the .deb does not depend on"
            missing=1
        fi
    done < <(
        comm -23 \
            <(find "$BUNDLE" -type f \( -name '*.so*' -o -name GridStation \) -exec objdump -p {} + 2>/dev/null \
                | awk '$1 == "NEEDED" {print $2}' | sort -u) \
            <(find "$BUNDLE" \( -type f -o -type l \) -printf '%f\n' | sort -u)
    )
    return "$missing"
}

say "Staging $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
    "$STAGE/usr/share/doc/gridstation"
cp -a "$BUNDLE" "$STAGE/opt/gridstation"
# The command: gridstation-cli opens the desk when run without a command, like `gridstation` from source.
ln -s /opt/gridstation/gridstation-cli "$STAGE/usr/bin/gridstation"
install -m 0644 packaging/deb/gridstation.desktop "$STAGE/usr/share/applications/gridstation.desktop"
install -m 0644 resources/icons/gridstation.png "$STAGE/usr/share/icons/hicolor/256x256/apps/gridstation.png"
install -m 0644 resources/icons/gridstation.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/gridstation.svg"
install -m 0644 packaging/deb/copyright "$STAGE/usr/share/doc/gridstation/copyright"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")/" \
    packaging/deb/changelog.in | gzip -n -9 > "$STAGE/usr/share/doc/gridstation/changelog.gz"
install -m 0644 "$BUNDLE/上手指南.pdf" "$STAGE/usr/share/doc/gridstation/上手指南.pdf"
install -m 0755 packaging/deb/postinst packaging/deb/postrm "$STAGE/DEBIAN/"
# Files readable by all, directories and programs executable: whatever the build machine's umask was.
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE/opt" "$STAGE/usr/share" -type f -exec chmod go+r,go-w {} +
find "$STAGE/opt" -type f -name '*.so*' -exec chmod a-x {} +  # libraries are loaded, not run
INSTALLED_SIZE="$(du -s --block-size=1K --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    packaging/deb/control.in > "$STAGE/DEBIAN/control"
check_depends "$(grep '^Depends:' "$STAGE/DEBIAN/control")"

# xz, not zstd: dpkg before 1.21.18 (统信UOS 20, 银河麒麟 V10, Debian 11) cannot read zstd packages.
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
say "Built $DEB ($(du -s --block-size=1M "$DEB" | cut -f1) MB)"
# Optional (not installed by these scripts): lintian's tags, counted. A vendor bundle in /opt draws some by nature
# (dir-or-file-in-opt, custom-library-search-path, embedded-library); docs/packaging.md says which.
if command -v lintian >/dev/null 2>&1; then
    say "lintian (tags and how often):"
    { lintian --no-tag-display-limit "$DEB" || true; } | awk '/^[EWI]:/ {print $1, $3}' | sort | uniq -c | sort -rn >&2
fi
