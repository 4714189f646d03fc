"""`gridstation import KIND FILE`: reference data (categories, grids, compounds) or staff from a CSV file, or a
station's historic ledger (`cases`, CSV or .xlsx) as cases.

The module is `imports.py` because `import` is a Python keyword.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gridstation.cli.context import open_station, required_actor, resolve_data_dir
from gridstation.cli.defaults import IMPORT_KINDS, LEDGER_KIND
from gridstation.common.cli_kit import read_csv_text
from gridstation.domain.errors import DomainError
from gridstation.domain.ledger_rows import LedgerInvalid

if TYPE_CHECKING:
    from gridstation.services.case_import import ImportProgress


def cmd_import(args: argparse.Namespace) -> int:
    if args.kind == LEDGER_KIND:
        return cmd_import_cases(args)
    if args.dry_run:
        raise DomainError("import.dry_run", "--dry-run 只能用于导入历史台账（gridstation import cases）。")
    text = read_csv_text(args.file.expanduser())
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        if args.kind == "staff":
            count = service.import_staff_csv(actor, text)
        else:
            count = service.import_reference_csv(actor, args.kind, text)
    print(f"已导入{IMPORT_KINDS[args.kind]} {count} 条。")
    return 0


def cmd_import_cases(args: argparse.Namespace) -> int:
    """A historic ledger: every row checked first; one bad row and nothing is imported (each is listed)."""
    path = args.file.expanduser()
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        try:
            result = service.import_ledger(actor, path, dry_run=args.dry_run, progress=_terminal_progress())
        except LedgerInvalid as invalid:
            _end_progress_line()
            for note in invalid.notes:
                print(f"注意：{note}", file=sys.stderr)
            raise
        _end_progress_line()
    for note in result.all_notes():
        print(f"注意：{note}")
    print(result.summary())
    return 0


def _terminal_progress() -> ImportProgress | None:
    """How far a long import has got, on one line of a terminal's stderr (nothing when it is not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        if total and (done == total or done % 50 == 0):
            from gridstation.services.case_import import IMPORT_STAGES

            print(f"\r{IMPORT_STAGES.get(stage, stage)}：{done}/{total}", end="", file=sys.stderr, flush=True)

    return show


def _end_progress_line() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)
