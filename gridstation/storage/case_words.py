"""The similar-case engine's index (issue 17): each case's segmented words in `case_words` (FTS5, BM25), the queue of
cases to index (`case_words_pending`, filled by triggers when a case is stored or its description changes), and
the queries that find candidates by words, address and phone. Segmenting is the caller's: it hands in a function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, literal_column, select, text
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.enums import EventType, Status
from gridstation.domain.similarity import building_spellings
from gridstation.storage.models import CaseRow, EventRow
from gridstation.storage.settings import SettingKey

INDEX_BATCH = 500
# The rarest words of a query are enough to find its candidates; a long text's common words would only add noise.
QUERY_WORDS = 8
COMMON_SHARE = 0.02
COMMON_FLOOR = 200
WORD_CANDIDATES = 60
ADDRESS_CANDIDATES = 40
PHONE_CANDIDATES = 20

IndexText = Callable[[str, str], str]  # (description, compound) → the words the index stores


def is_current(session: Session, fingerprint: str) -> bool:
    """The index was built with the word lists of `fingerprint` and no case waits to be indexed: the check before every
    search, in one statement (the setting and the queue read apart took twice as long)."""
    stored, waiting = session.execute(
        text("SELECT (SELECT value FROM settings WHERE key = :key), EXISTS (SELECT 1 FROM case_words_pending)"),
        {"key": str(SettingKey.CASE_WORDS_FINGERPRINT)},
    ).one()
    return not waiting and stored is not None and json.loads(stored) == fingerprint


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


def indexed_count(session: Session) -> int:
    """About how many cases are indexed: the highest rowid, read from the index at once (as good for weighting
    words; count(*) reads every row of an FTS5 table: 20 ms at 200 000 cases)."""
    return int(session.execute(text("SELECT coalesce(max(rowid), 0) FROM case_words")).scalar_one())


def document_frequencies(session: Session, words: Iterable[str]) -> dict[str, int]:
    """How many indexed cases hold each word (a word none holds is left out)."""
    wanted = sorted(set(words))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ", ".join(f":w{i}" for i in range(len(chunk)))
        rows = session.execute(
            text(f"SELECT term, doc FROM case_words_vocab WHERE term IN ({marks})"),
            {f"w{i}": word for i, word in enumerate(chunk)},
        ).all()
        found.update({str(term): int(doc) for term, doc in rows})
    return found


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


def searching_words(words: Sequence[str], frequencies: dict[str, int], total: int) -> list[str]:
    """The words worth a BM25 search, rarest first: those no more than COMMON_SHARE of the cases hold (ranking every
    case that says 电梯 or 故障 costs 20 ms at 200 000 cases and finds nothing the rarer words miss), or the three
    rarest when every word is common. Words no case holds find nothing and are left out."""
    known = sorted((word for word in dict.fromkeys(words) if frequencies.get(word)), key=lambda w: frequencies[w])
    rare = [word for word in known if frequencies[word] <= max(COMMON_FLOOR, COMMON_SHARE * total)]
    return (rare or known[:3])[:QUERY_WORDS]


def fts_phrase(word: str) -> str:
    """`word` as an FTS5 phrase: quoted, its own quotes doubled, so nothing in it is read as query syntax."""
    return '"' + word.replace('"', '""') + '"'


def _fts_query(words: Sequence[str]) -> str:
    return " OR ".join(fts_phrase(word) for word in words)


def candidate_rowids(
    session: Session, rare_words: Sequence[str], compound: str, building: str, phone: str
) -> list[int]:
    """Cases worth ranking: the best by BM25 over the rarest words (rarest first), the latest at the address and of
    the phone."""
    found: dict[int, None] = {}
    if rare_words:
        rows = session.execute(
            text("SELECT rowid FROM case_words WHERE case_words MATCH :q ORDER BY bm25(case_words) LIMIT :n"),
            {"q": _fts_query(rare_words), "n": WORD_CANDIDATES},
        ).scalars()
        found.update(dict.fromkeys(int(rowid) for rowid in rows))
    rowid: ColumnElement[int] = literal_column("cases.rowid")
    if compound:
        where = [CaseRow.compound == compound]
        spellings = building_spellings(building)
        if spellings:  # "3号楼", "3栋", "3号" alike, each found through ix_cases_place
            where.append(CaseRow.building.in_(spellings))
        query = select(rowid).select_from(CaseRow).where(*where).order_by(CaseRow.registered_at.desc())
        found.update(dict.fromkeys(int(r) for r in session.scalars(query.limit(ADDRESS_CANDIDATES))))
    if phone:
        query = select(rowid).select_from(CaseRow).where(CaseRow.phone == phone).order_by(CaseRow.registered_at.desc())
        found.update(dict.fromkeys(int(r) for r in session.scalars(query.limit(PHONE_CANDIDATES))))
    return list(found)


_CANDIDATE_COLUMNS: tuple[Any, ...] = (
    CaseRow.id,
    CaseRow.number,
    CaseRow.description,
    CaseRow.compound,
    CaseRow.building,
    CaseRow.address,
    CaseRow.phone,
    CaseRow.category_code,
    CaseRow.status,
    CaseRow.registered_at,
    CaseRow.closed_at,
    CaseRow.satisfaction,
    literal_column("cases.rowid"),
)


def load_candidates(session: Session, rowids: Sequence[int]) -> list[CandidateRow]:
    """The candidates' facts and words: the columns the ranking needs, not the whole stored state."""
    if not rowids:
        return []
    marks = ", ".join(str(int(rowid)) for rowid in rowids)
    words = dict(session.execute(text(f"SELECT rowid, words FROM case_words WHERE rowid IN ({marks})")).tuples().all())
    rows = session.execute(select(*_CANDIDATE_COLUMNS).where(text(f"cases.rowid IN ({marks})"))).all()
    return [
        CandidateRow(
            case_id=row[0],
            number=row[1],
            words=tuple(str(words.get(row[12]) or "").split()),
            description=row[2],
            compound=row[3],
            building=row[4],
            address=row[5],
            phone=row[6],
            category_code=row[7],
            status=Status(row[8]),
            registered_at=row[9],
            closed_at=row[10],
            satisfaction=row[11],
        )
        for row in rows
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
