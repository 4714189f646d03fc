#!/usr/bin/env bash
# Run the test suite on a fresh Debian/Ubuntu machine: system libraries for Qt (if missing), .venv with the
# test and dev extras, then pytest with Qt offscreen. Extra arguments go to pytest (e.g. `-k cli -x`).
# The throwaway PostgreSQL it starts is stopped when it ends (GRIDSTATION_KEEP_TEST_DB=1 keeps it running).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

ensure_qt_libs
ensure_test_tools
ensure_postgres
trap stop_postgres_if_started EXIT
ensure_venv "test,dev"
export QT_QPA_PLATFORM=offscreen
export LANG="${LANG:-C.UTF-8}"
status=0
.venv/bin/python -m pytest -q "$@" || status=$?
if [ "$status" -eq 5 ]; then
    say "ERROR: pytest collected no tests."
fi
exit "$status"
