"""The command line's fixed values that its help text shows: here, so that declaring the command line (which the
desk's start does too) loads none of the commands themselves."""

from __future__ import annotations

EXIT_TAMPERED = 3  # `gridstation audit verify`: the log was changed outside GridStation
DEMO_CASES = 80
DEMO_SEED = 7
IMPORT_KINDS = {"categories": "诉求分类", "grids": "网格", "compounds": "小区", "staff": "工作人员"}
LEDGER_KIND = "cases"
DEFAULT_SIMILAR_LIMIT = 10
