#!/usr/bin/env bash
# Start GridStation on a fresh Debian/Ubuntu machine: system libraries for Qt (if missing), .venv, then the
# desk. The first start creates a demo station; extra arguments go to `gridstation`
# (e.g. `bash scripts/run.sh --lang en`, `bash scripts/run.sh cases list`). With no screen (a server, a container)
# it installs Xvfb and starts the desk on a virtual screen.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

ensure_qt_libs
ensure_venv ""
# Only the desk itself needs a screen: a first argument that is a command (`cases`, `demo`…) does not.
if { [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; } && ! have_display; then
    if ensure_xvfb; then
        say "没有图形界面（DISPLAY 未设置）：在虚拟屏幕 Xvfb 上启动桌面程序；看不到窗口，适合试运行。"
        say "No display: starting the desk on a virtual screen (Xvfb). Use a graphical session to see it."
        exec xvfb-run -a .venv/bin/gridstation --demo-if-empty "$@"
    fi
fi
exec .venv/bin/gridstation --demo-if-empty "$@"
