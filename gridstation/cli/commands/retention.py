"""`gridstation retention run`: anonymise the personal data of closed cases kept longer than the station's
retention period (`gridstation settings set retention YEARS`), as the desk also does daily."""

from __future__ import annotations

import argparse

from gridstation.cli.context import open_station, required_actor, resolve_data_dir
from gridstation.cli.output import print_json


def cmd_retention_run(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        # Erasing personal data is an administrator's decision, and a dry run shows what it would erase.
        actor = required_actor(service, args)
        result = service.run_retention(actor, dry_run=args.dry_run)
    if args.json:
        print_json(result.to_json())
    else:
        print(result.message_zh())
    return 0
