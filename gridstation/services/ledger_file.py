"""Reading a historic ledger's file: a CSV as Excel on a Chinese Windows saves it (GB18030) or as UTF-8, or an
.xlsx workbook (its first sheet, read-only). What comes out are the rows of cells as the file holds them (text,
and from .xlsx also numbers and datetimes); `domain/ledger_rows.py` checks them."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from gridstation.common.cli_kit import read_csv_text
from gridstation.domain.errors import DomainError

LEDGER_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True, slots=True)
class LedgerSheet:
    rows: list[list[object]]  # the first is row 1, as Excel numbers it
    notes: tuple[str, ...] = ()


def read_ledger_file(path: Path) -> LedgerSheet:
    """The cells of the ledger at `path`, or a DomainError saying in Chinese why they cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        raise DomainError(
            "ledger.format",
            f"只能导入 .csv 或 .xlsx 文件：{path.name}。旧版 Excel 的 .xls 文件请先在 Excel 中另存为 .xlsx。",
        )
    if suffix == ".csv":
        # A record may span lines (a quoted description with a line break): Excel shows it as one row, as here.
        return LedgerSheet([list(record) for record in csv.reader(io.StringIO(read_csv_text(path)))])
    return _read_workbook(path)


def _read_workbook(path: Path) -> LedgerSheet:
    from openpyxl import load_workbook  # loaded when a workbook is read: the desk starts without it
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise DomainError("file.missing", f"找不到文件：{path}")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DomainError(
            "ledger.unreadable", f"无法读取 Excel 文件「{path.name}」：文件已损坏，或不是 .xlsx 格式。"
        ) from exc
    except OSError as exc:
        raise DomainError("file.unreadable", f"无法读取文件：{path}（{exc.strerror}）") from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise DomainError("ledger.empty", f"「{path.name}」中没有工作表。")
        sheet = sheets[0]
        rows = [list(values) for values in sheet.iter_rows(min_row=1, values_only=True)]
        notes = (f"工作簿有 {len(sheets)} 个工作表，只读取了第一个「{sheet.title}」。",) if len(sheets) > 1 else ()
    finally:
        workbook.close()
    return LedgerSheet(rows, notes)
