# Shared by scripts/run.sh and scripts/test.sh (sourced, not run): system libraries for Qt, a Python of at
# least 3.11 with venv, and the project's .venv. Everything is skipped when already in place.

# Qt's offscreen platform (tests, PDF printing) and a real window (xcb). Fonts ship in resources/fonts.
# Each package is listed with the library it provides, so the check works whatever the package is called
# (Ubuntu 24.04 renamed some with a t64 suffix).
QT_LIBS=(
    "libglib2.0-0:libglib-2.0.so.0"
    "libgl1:libGL.so.1"
    "libegl1:libEGL.so.1"
    "libfontconfig1:libfontconfig.so.1"
    "libxkbcommon0:libxkbcommon.so.0"
    "libdbus-1-3:libdbus-1.so.3"
    "libxcb-cursor0:libxcb-cursor.so.0"
    "libxcb-icccm4:libxcb-icccm.so.4"
    "libxcb-keysyms1:libxcb-keysyms.so.1"
    "libxcb-image0:libxcb-image.so.0"
    "libxcb-randr0:libxcb-randr.so.0"
    "libxcb-render-util0:libxcb-render-util.so.0"
    "libxcb-shape0:libxcb-shape.so.0"
    "libxcb-xkb1:libxcb-xkb.so.1"
    "libxkbcommon-x11-0:libxkbcommon-x11.so.0"
    "libx11-xcb1:libX11-xcb.so.1"
    # The print dialog's printers (Qt's CUPS plugin).
    "libcups2:libcups.so.2"
)

say() { printf '==> %s\n' "$*" >&2; }

# Run a command as root: directly if we are root, else through sudo (non-interactive without a terminal,
# so CI fails fast instead of waiting for a password).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
    else
        return 127
    fi
}

APT_UPDATED=0
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        say "Not a Debian/Ubuntu system (no apt-get); please install: $*"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        say "Need root or sudo to install: $*"
        return 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# Is a shared library (by soname) known to the dynamic linker? ldconfig is in /sbin, often not on a user's PATH.
# Its list is read once (grep -q on a live pipe would break it, and pipefail would report that as missing).
LD_CACHE=""
have_library() {
    local ldconfig
    if [ -z "$LD_CACHE" ]; then
        ldconfig="$(command -v ldconfig || true)"
        if [ -z "$ldconfig" ] && [ -x /sbin/ldconfig ]; then
            ldconfig=/sbin/ldconfig
        fi
        [ -n "$ldconfig" ] || return 1
        LD_CACHE="$("$ldconfig" -p 2>/dev/null || true)"
    fi
    grep -q -F "$1 " <<<"$LD_CACHE"
}

ensure_qt_libs() {
    if [ "$(uname -s)" != "Linux" ]; then
        return 0
    fi
    local missing=() entry
    for entry in "${QT_LIBS[@]}"; do
        have_library "${entry#*:}" || missing+=("${entry%%:*}")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "Qt system libraries: present"
        return 0
    fi
    if apt_install "${missing[@]}"; then
        LD_CACHE=""
    else
        say "WARNING: could not install ${missing[*]}; Qt may fail to start."
    fi
}

# Command-line tools the document tests read PDFs and QR codes with (test machines only, not the desk).
TEST_TOOLS=(
    "poppler-utils:pdftotext"
    "poppler-utils:pdftoppm"
    "zbar-tools:zbarimg"
    # The console's browser tests (tests/test_console_browser.py): Debian's browser and its matching driver.
    "chromium:chromium"
    "chromium-driver:chromedriver"
    # `nginx -t` on deploy/nginx/gridstation.conf (tests/test_deploy_files.py); the test installs no site.
    "nginx:nginx"
)
# Fonts the console's pages name, so the browser tests' screenshots show Chinese (a package, not a command).
TEST_FONT_PACKAGES=(fonts-wqy-microhei)

ensure_test_tools() {
    local missing=() entry
    for entry in "${TEST_TOOLS[@]}"; do
        command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
    done
    for entry in "${TEST_FONT_PACKAGES[@]}"; do
        dpkg -s "$entry" >/dev/null 2>&1 || missing+=("$entry")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "PDF and QR test tools: present"
        return 0
    fi
    # Duplicates (poppler-utils twice) are harmless to apt-get.
    apt_install "${missing[@]}" || say "WARNING: could not install ${missing[*]}; document tests will fail."
}

# Building the desk's package (scripts/package.sh): PyInstaller reads libraries with binutils' objdump, dpkg-deb
# builds the .deb, and the smoke check reads the PDFs back with pdftotext.
PACKAGING_TOOLS=(
    "binutils:objdump"
    "dpkg:dpkg-deb"
    "poppler-utils:pdftotext"
)

ensure_packaging_tools() {
    local missing=() entry
    for entry in "${PACKAGING_TOOLS[@]}"; do
        command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "Packaging tools: present"
        return 0
    fi
    apt_install "${missing[@]}"
}

# A Python >= 3.11; prints its path.
find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Sets PYTHON to a Python >= 3.11 that can create virtual environments, installing one if needed.
ensure_python() {
    local version
    PYTHON="$(find_python || true)"
    if [ -z "$PYTHON" ]; then
        # Debian 12 and Ubuntu 24.04 ship 3.11+ as python3; Ubuntu 22.04 has python3.11 as an extra package.
        apt_install python3 python3-venv || true
        PYTHON="$(find_python || true)"
    fi
    if [ -z "$PYTHON" ]; then
        apt_install python3.11 python3.11-venv || true
        PYTHON="$(find_python || true)"
    fi
    if [ -z "$PYTHON" ]; then
        say "ERROR: GridStation needs Python 3.11 or newer."
        return 1
    fi
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        apt_install "python${version}-venv" || apt_install python3-venv || true
    fi
}

# Create .venv if needed and install the project (editable) with the given extras. A stamp per set of extras
# skips the install while pyproject.toml is unchanged; the plain install is also covered by any other stamp.
ensure_venv() {
    local extras="${1:-}" stamp want existing
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        ensure_python
        say "Creating .venv with $PYTHON"
        rm -rf .venv
        "$PYTHON" -m venv .venv
    fi
    stamp=".venv/.gridstation-installed-${extras:-base}"
    want="$(cksum < pyproject.toml)"
    if .venv/bin/python -c 'import gridstation' 2>/dev/null; then
        for existing in .venv/.gridstation-installed-*; do
            if { [ "$existing" = "$stamp" ] || [ -z "$extras" ]; } && [ -f "$existing" ] \
                && [ "$(cat "$existing")" = "$want" ]; then
                say "Python packages: up to date"
                return 0
            fi
        done
    fi
    say "Installing GridStation into .venv${extras:+ with [$extras]} (needs the network the first time)"
    .venv/bin/python -m pip install --quiet --no-input --upgrade pip
    .venv/bin/python -m pip install --quiet --no-input -e ".${extras:+[$extras]}"
    printf '%s\n' "$want" > "$stamp"
}

# A throwaway PostgreSQL server on loopback for the server tests: installed with apt if missing, a fresh cluster
# in a temporary directory, started as an unprivileged user (initdb refuses root). Exports
# GRIDSTATION_TEST_POSTGRES_URL; the tests that need it fail in CI when it is not set, and skip elsewhere.
PG_PORT="${GRIDSTATION_TEST_POSTGRES_PORT:-55433}"
find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            printf '%s\n' "$dir"
        fi
    done | sort -V | tail -n 1
}

ensure_postgres() {
    local bin owner pgdata run
    if [ -n "${GRIDSTATION_TEST_POSTGRES_URL:-}" ]; then
        say "PostgreSQL for tests: $GRIDSTATION_TEST_POSTGRES_URL (given)"
        return 0
    fi
    bin="$(find_pg_bin)"
    if [ -z "$bin" ]; then
        apt_install postgresql || { say "WARNING: could not install PostgreSQL; its tests will be skipped."; return 0; }
        bin="$(find_pg_bin)"
    fi
    owner="$(id -un)"
    run=()
    if [ "$(id -u)" -eq 0 ]; then
        owner=postgres
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        run=(runuser -u postgres --)
    fi
    pgdata="${TMPDIR:-/tmp}/gridstation-test-pg-${PG_PORT}"
    if ! "${run[@]}" "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        PG_STARTED_HERE=1
        rm -rf "$pgdata"
        mkdir -p "$pgdata"
        chown "$owner" "$pgdata"
        "${run[@]}" "$bin/initdb" -D "$pgdata" -U gridstation --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        "${run[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pgdata -c max_connections=300 -c fsync=off" start >/dev/null
        "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U gridstation gridstation_test
    fi
    export GRIDSTATION_TEST_POSTGRES_URL="postgresql+psycopg://gridstation@127.0.0.1:${PG_PORT}/gridstation_test"
    PG_DATA_DIR="$pgdata"
    PG_BIN="$bin"
    PG_RUN=("${run[@]}")
    say "PostgreSQL for tests: $GRIDSTATION_TEST_POSTGRES_URL"
}

# Stop the throwaway PostgreSQL if this run started it (one started by an earlier run, or given by
# GRIDSTATION_TEST_POSTGRES_URL, is left alone); GRIDSTATION_KEEP_TEST_DB=1 keeps it for the next run.
PG_STARTED_HERE=0
stop_postgres_if_started() {
    if [ "$PG_STARTED_HERE" -eq 1 ] && [ "${GRIDSTATION_KEEP_TEST_DB:-0}" != "1" ]; then
        "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$PG_DATA_DIR"
        say "PostgreSQL for tests: stopped"
    fi
}

# A graphical session for the desk: without one, Qt cannot open a window. On a machine with no screen the desk
# runs on a virtual one (Xvfb), installed here if missing; for tests and printing Qt's offscreen platform is enough.
have_display() {
    [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]
}

ensure_xvfb() {
    if command -v xvfb-run >/dev/null 2>&1; then
        return 0
    fi
    apt_install xvfb xauth || { say "WARNING: could not install xvfb; set QT_QPA_PLATFORM=offscreen instead."; return 1; }
}
