#!/usr/bin/env bash
# Start GridStation on a fresh Debian/Ubuntu machine: system libraries for Qt (if missing), .venv, then the
# desk. The first start creates a demo station; extra arguments go to `gridstation`
# (e.g. `bash scripts/run.sh --lang en`, `bash scripts/run.sh cases list`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

ensure_qt_libs
ensure_venv ""
exec .venv/bin/gridstation --demo-if-empty "$@"
