"""Words that come from the domain (status names, tiers, channels …) translated in one context.

`lupdate` cannot see dynamic strings, so scripts/i18n.py adds every domain label to the "labels"
context of the .ts files, and the desk looks them up here.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QCoreApplication

from gridstation.domain import enums, hotspots, knowledge, similarity, sla
from gridstation.domain.case import FIELD_LABELS
from gridstation.sync.report import HEADLINES as SYNC_HEADLINES
from gridstation.sync.summary import STAGE_LABELS as SYNC_STAGE_LABELS

LABELS_CONTEXT = "labels"


def tr_label(text: str) -> str:
    return QCoreApplication.translate(LABELS_CONTEXT, text)


def all_domain_labels() -> Iterator[str]:
    """Every label the desk may show from the domain, for the translation catalogue."""
    for table in (
        enums.CHANNEL_LABELS,
        enums.TIER_LABELS,
        enums.STATUS_LABELS,
        enums.EVENT_LABELS,
        enums.FOLLOW_UP_KIND_LABELS,
        enums.FOLLOW_UP_SOURCE_LABELS,
        enums.SATISFACTION_LABELS,
        enums.RESOLUTION_LABELS,
        enums.DISPOSAL_OUTCOME_LABELS,
        enums.ROLE_LABELS,
        sla.STAGE_LABELS,
        sla.COLOUR_LABELS,
        similarity.REASON_LABELS,
        hotspots.SCOPE_LABELS,
        FIELD_LABELS,
        SYNC_STAGE_LABELS,
        knowledge.PROPOSAL_STATUS_LABELS,
    ):
        yield from table.values()
    yield from SYNC_HEADLINES.values()
    # Printing choices: paper names come from forms/receipt.toml, the rest from the print settings.
    from gridstation.printing.paperwork import ESCPOS_KINDS, RECEIPT_MODES
    from gridstation.printing.templates import receipt_papers

    yield from (paper.label for paper in receipt_papers().values())
    yield from RECEIPT_MODES.values()
    yield from ESCPOS_KINDS.values()
