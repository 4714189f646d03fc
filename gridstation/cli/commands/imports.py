"""`gridstation import KIND FILE.csv`: reference data (categories, grids, compounds) or staff from a CSV file.

The module is `imports.py` because `import` is a Python keyword.
"""

from __future__ import annotations

import argparse

from gridstation.cli.context import open_station, required_actor, resolve_data_dir
from gridstation.common.cli_kit import read_csv_text

IMPORT_KINDS = {"categories": "诉求分类", "grids": "网格", "compounds": "小区", "staff": "工作人员"}


def cmd_import(args: argparse.Namespace) -> int:
    text = read_csv_text(args.file.expanduser())
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        if args.kind == "staff":
            count = service.import_staff_csv(actor, text)
        else:
            count = service.import_reference_csv(actor, args.kind, text)
    print(f"已导入{IMPORT_KINDS[args.kind]} {count} 条。")
    return 0
