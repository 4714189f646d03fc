"""The similar-case engine's index (issue 17): each case's segmented words in `case_words` (FTS5, BM25), the queue of
cases to index (`case_words_pending`, filled by triggers when a case is stored or its description changes), and
the queries that find candidates by words, address and phone. Segmenting is the caller's: it hands in a function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, literal_column, select, text
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.enums import EventType, Status
from gridstation.storage.models import CaseRow, EventRow

INDEX_BATCH = 500
# The rarest words of a query are enough to find its candidates; a long text's common words would only add noise.
QUERY_WORDS = 12
WORD_CANDIDATES = 60
ADDRESS_CANDIDATES = 40
PHONE_CANDIDATES = 20

IndexText = Callable[[str, str], str]  # (description, compound) → the words the index stores


def pending_count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM case_words_pending")).scalar_one())


def case_count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM cases")).scalar_one())


def queue_all(session: Session) -> None:
    """Index every case again (the word lists changed)."""
    session.execute(text("INSERT OR IGNORE INTO case_words_pending(case_rowid) SELECT rowid FROM cases"))


def index_pending(session: Session, index_text: IndexText, limit: int = INDEX_BATCH) -> int:
    """Index up to `limit` queued cases; how many were indexed (0: the queue is empty)."""
    rows = session.execute(
        text(
            "SELECT p.case_rowid, c.description, c.compound FROM case_words_pending p "
            "LEFT JOIN cases c ON c.rowid = p.case_rowid ORDER BY p.case_rowid LIMIT :limit"
        ),
        {"limit": limit},
    ).all()
    for rowid, description, compound in rows:
        session.execute(text("DELETE FROM case_words WHERE rowid = :rowid"), {"rowid": rowid})
        if description is not None:
            session.execute(
                text("INSERT INTO case_words(rowid, words) VALUES (:rowid, :words)"),
                {"rowid": rowid, "words": index_text(description, compound or "")},
            )
        session.execute(text("DELETE FROM case_words_pending WHERE case_rowid = :rowid"), {"rowid": rowid})
    return len(rows)


def document_frequencies(session: Session, words: Iterable[str]) -> tuple[dict[str, int], int]:
    """How many indexed cases hold each word, and how many cases are indexed."""
    wanted = sorted(set(words))
    total = int(session.execute(text("SELECT count(*) FROM case_words")).scalar_one())
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ", ".join(f":w{i}" for i in range(len(chunk)))
        rows = session.execute(
            text(f"SELECT term, doc FROM case_words_vocab WHERE term IN ({marks})"),
            {f"w{i}": word for i, word in enumerate(chunk)},
        ).all()
        found.update({str(term): int(doc) for term, doc in rows})
    return found, total


@dataclass(frozen=True, slots=True)
class CandidateRow:
    case_id: str
    number: str
    words: tuple[str, ...]
    description: str
    compound: str
    building: str
    address: str
    phone: str
    category_code: str
    status: Status
    registered_at: datetime
    closed_at: datetime | None
    satisfaction: str

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED


def _fts_query(words: Sequence[str]) -> str:
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in words)


def _building_number(building: str) -> str:
    """The number (or letter) a building is known by: "3" of "3号楼", "B" of "B座"."""
    found = re.match(r"\s*([0-9A-Za-z]+)", unicodedata.normalize("NFKC", building))
    return found.group(1) if found else ""


def candidate_rowids(
    session: Session, rare_words: Sequence[str], compound: str, building: str, phone: str
) -> list[int]:
    """Cases worth ranking: the best by BM25 over the rarest words, the latest at the address and of the phone."""
    found: dict[int, None] = {}
    if rare_words:
        rows = session.execute(
            text("SELECT rowid FROM case_words WHERE case_words MATCH :q ORDER BY bm25(case_words) LIMIT :n"),
            {"q": _fts_query(rare_words[:QUERY_WORDS]), "n": WORD_CANDIDATES},
        ).scalars()
        found.update(dict.fromkeys(int(rowid) for rowid in rows))
    rowid: ColumnElement[int] = literal_column("cases.rowid")
    if compound:
        where = [CaseRow.compound == compound]
        prefix = _building_number(building)
        if prefix:  # "3号楼", "3栋" and "3号301" alike; ranking tells 3 from 32
            where.append(CaseRow.building.startswith(prefix, autoescape=True))
        query = select(rowid).select_from(CaseRow).where(*where).order_by(CaseRow.registered_at.desc())
        found.update(dict.fromkeys(int(r) for r in session.scalars(query.limit(ADDRESS_CANDIDATES))))
    if phone:
        query = select(rowid).select_from(CaseRow).where(CaseRow.phone == phone).order_by(CaseRow.registered_at.desc())
        found.update(dict.fromkeys(int(r) for r in session.scalars(query.limit(PHONE_CANDIDATES))))
    return list(found)


def load_candidates(session: Session, rowids: Sequence[int]) -> list[CandidateRow]:
    if not rowids:
        return []
    marks = ", ".join(str(int(rowid)) for rowid in rowids)
    words = dict(session.execute(text(f"SELECT rowid, words FROM case_words WHERE rowid IN ({marks})")).tuples().all())
    rows: Iterable[tuple[CaseRow, int]] = session.execute(
        select(CaseRow, literal_column("cases.rowid")).where(text(f"cases.rowid IN ({marks})"))
    ).tuples()
    return [
        CandidateRow(
            case_id=case.id,
            number=case.number,
            words=tuple(str(words.get(rowid) or "").split()),
            description=case.description,
            compound=case.compound,
            building=case.building,
            address=case.address,
            phone=case.phone,
            category_code=case.category_code,
            status=Status(case.status),
            registered_at=case.registered_at,
            closed_at=case.closed_at,
            satisfaction=case.satisfaction,
        )
        for case, rowid in rows
    ]


def disposal_results(session: Session, case_ids: Sequence[str]) -> dict[str, str]:
    """Each case's latest 处置情况 (the note of its last disposal), for showing how a case was solved."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(EventRow.case_id, EventRow.payload)
        .where(EventRow.case_id.in_(case_ids), EventRow.type == str(EventType.DISPOSED))
        .order_by(EventRow.occurred_at)
    ).all()
    return {case_id: str((payload or {}).get("note", "")) for case_id, payload in rows}
