#!/usr/bin/env bash
# Smoke-test a BUILT desk, not the source: `bash scripts/smoke_bundle.sh [PROGRAM]` (default
# dist/GridStation/gridstation-cli; the .deb's check passes /usr/bin/gridstation). On a clean data directory it
# creates the demo station, lists cases as JSON, renders a receipt and the 上手指南 and reads their Chinese back
# with pdftotext, finds similar cases (jieba's dictionary must be in the bundle), and opens the window offscreen —
# the first-start dialog on an empty folder, the main window after signing in — and closes it (--smoke-exit).
# Any failure exits non-zero. SMOKE_HOME=DIR keeps the data there (the .deb check looks for it after dpkg -r).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PROGRAM="${1:-dist/GridStation/gridstation-cli}"
WORK="$(mktemp -d)"
if [ -z "${SMOKE_HOME:-}" ]; then
    trap 'rm -rf "$WORK"' EXIT
fi
# A home of its own: the program's default data folder (platformdirs: ~/.local/share/GridStation) and its logs
# start empty, and nothing of the machine's user is read or written.
export HOME="${SMOKE_HOME:-$WORK/home}"
mkdir -p "$HOME"
unset XDG_DATA_HOME XDG_STATE_HOME GRIDSTATION_DATA_DIR GRIDSTATION_LOG_DIR DISPLAY WAYLAND_DISPLAY
export QT_QPA_PLATFORM=offscreen LANG=C.UTF-8
DATA="$HOME/.local/share/GridStation"

step() { printf '\n--- %s\n' "$*"; }
fail() { printf 'SMOKE FAILED: %s\n' "$*" >&2; exit 1; }
json() { python3 -c "import json, sys; data = json.load(sys.stdin); print($1)"; }

step "$PROGRAM --version"
"$PROGRAM" --version

step "first start on an empty data folder: the window opens and closes (--smoke-exit)"
out="$("$PROGRAM" --smoke-exit)" || fail "the desk did not start"
printf '%s\n' "$out"
grep -q "窗口已显示：首次使用：建立工作站" <<<"$out" || fail "no first-start window"

step "demo station in $DATA"
"$PROGRAM" demo --cases 40 | head -n 3
[ -f "$DATA/station.db" ] || fail "no station.db in the default data folder"

export GRIDSTATION_USER=李明 GRIDSTATION_PIN=1357
step "cases list --json"
"$PROGRAM" cases list --json --limit 3 > "$WORK/cases.json"
count="$(json 'len(data)' < "$WORK/cases.json")"
number="$(json 'data[0]["number"]' < "$WORK/cases.json")"
[ "$count" -eq 3 ] || fail "expected 3 cases, got $count"
json "'\n'.join(c['number'] + '  ' + c['status_label'] + '  ' + c['description'][:24] for c in data)" < "$WORK/cases.json"

step "print receipt $number → PDF → pdftotext"
"$PROGRAM" print receipt "$number" -o "$WORK/回执.pdf"
pdftotext -layout "$WORK/回执.pdf" "$WORK/receipt.txt"
grep -q "$number" "$WORK/receipt.txt" || fail "the receipt's text does not read back its number"
grep -q "回执" "$WORK/receipt.txt" || fail "the receipt's Chinese does not read back"
grep -m 3 -E "回执|$number" "$WORK/receipt.txt"

step "print guide → pdftotext"
"$PROGRAM" print guide -o "$WORK/上手指南.pdf"
pdftotext "$WORK/上手指南.pdf" - | grep -m 2 -E "上手指南|第一次开机" || fail "the 上手指南 does not read back"

step "cases similar (jieba's dictionary)"
"$PROGRAM" cases similar --text "楼道里堆满了杂物，消防通道走不过去" --limit 3 --json > "$WORK/similar.json"
json "'\n'.join(c['number'] + '  ' + str(c['score']) + '  ' + ','.join(c['reasons']) + '  ' + c['description'][:24] for c in data)" \
    < "$WORK/similar.json"
json '"similar_text" in {r for c in data for r in c["reasons"]}' < "$WORK/similar.json" | grep -q True \
    || fail "no similar case found by its text"

step "the desk signs in and shows its main window offscreen, then closes (--smoke-exit)"
out="$("$PROGRAM" --smoke-exit)" || fail "the desk did not open its main window"
printf '%s\n' "$out"
grep -q "窗口已显示：GridStation 民情快办工作站 — " <<<"$out" || fail "no main window"

printf '\nSMOKE OK: %s\n' "$PROGRAM"
