"""Similar cases at intake and in search (issue 17): the station's part of the engine.

The word lists come from `resources/similarity/` (an administrator may edit them); the index of each case's words
is kept by the storage layer (`storage/case_words.py`) and brought up to date here — the cases queued since the
last search, or all of them when the word lists changed — before each search, and in the background after the desk
starts (`index_similar`, with progress). Ranking is the domain's (`domain/similarity.py`).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from gridstation.assets import RESOURCES
from gridstation.domain.enums import SATISFACTION_LABELS, STATUS_LABELS, Satisfaction, Status
from gridstation.domain.listing import CaseQuery
from gridstation.domain.similarity import (
    REPEAT_DAYS,
    Candidate,
    Match,
    Place,
    Probe,
    Reason,
    idf,
    place_from_text,
    rank,
)
from gridstation.domain.validation import mask_phone
from gridstation.domain.words import Segmenter, WordList
from gridstation.services.cases import CaseCommands
from gridstation.services.reference import ReferenceData
from gridstation.services.staff import StaffMember
from gridstation.storage import case_words
from gridstation.storage import settings as stored_settings
from gridstation.storage.db import StorageError
from gridstation.storage.settings import SettingKey

WORD_LISTS = RESOURCES / "similarity"
log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (indexed so far, to index in all)
# Cases indexed with the write that stored them (a sync may bring many: the rest wait for the indexer).
NEW_CASES_BATCH = 50
WORD_COUNTS_KEPT = 50_000

_segmenters: dict[Path, Segmenter] = {}
_segmenters_lock = threading.Lock()


def station_segmenter(folder: Path | None = None) -> Segmenter:
    """One segmenter per process for the word lists in `folder` (`WORD_LISTS` by default; jieba's dictionary is
    loaded once)."""
    folder = folder or WORD_LISTS
    with _segmenters_lock:
        if folder not in _segmenters:
            terms = (folder / "terms.txt").read_text(encoding="utf-8")
            synonyms = (folder / "synonyms.txt").read_text(encoding="utf-8")
            _segmenters[folder] = Segmenter(WordList.parse(terms, synonyms), after_load=_keep_out_of_collections)
        return _segmenters[folder]


@lru_cache(maxsize=8)
def _fingerprint(segmenter: Segmenter) -> str:
    """The segmenter's word lists' fingerprint, hashed once per segmenter (its lists never change): it is compared
    before every search."""
    return segmenter.word_list.fingerprint


@lru_cache(maxsize=1024)
def _meaning(segmenter: Segmenter, word: str) -> tuple[str, ...]:
    """A searched word's words, each once: the list search segments the same few words with every reload."""
    return tuple(dict.fromkeys(segmenter.words(word)))


def _keep_out_of_collections() -> None:
    """jieba's dictionary lives as long as the desk: out of the garbage collector's full collections, which would
    otherwise walk it and hold the GIL for a quarter of a second while the clerk types (benchmarks/similar.py)."""
    gc.freeze()


@dataclass(frozen=True, slots=True)
class SimilarCase:
    """An earlier case like the one at hand: what it was, where it stands, how it was solved, and why it is shown."""

    case_id: str
    number: str
    score: float
    reasons: tuple[Reason, ...]
    description: str
    address: str
    status: Status
    category_code: str
    registered_at: datetime
    closed_at: datetime | None
    result: str
    satisfaction: str
    phone_masked: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def satisfaction_label(self) -> str:
        """The last 回访's answer (满意 / 基本满意 / 不满意), "" before any visit."""
        try:
            return SATISFACTION_LABELS[Satisfaction(self.satisfaction)] if self.satisfaction else ""
        except ValueError:
            return self.satisfaction


class SimilarCases(ReferenceData, CaseCommands):
    _word_counts: tuple[int, dict[str, int]] | None = None  # (indexed cases then, word → cases holding it)

    def word_segmenter(self) -> Segmenter:
        return station_segmenter()

    def _with_meanings(self, query: CaseQuery) -> CaseQuery:
        if not query.text.strip() or query.meanings:
            return query
        self._index_if_writable()  # cases a sync brought, or stored before the dictionary was loaded
        segmenter = self.word_segmenter()
        return replace(query, meanings=tuple(_meaning(segmenter, word) for word in query.text.split()))

    def _index_words(self, session: Session) -> None:
        """A case just written is indexed in the same transaction once the dictionary is loaded; until then (the
        first second after a start) the queue keeps it for the background indexer or the next search."""
        segmenter = self.word_segmenter()
        if segmenter.is_loaded:
            session.flush()
            case_words.index_pending(session, _index_text(segmenter), NEW_CASES_BATCH)

    def _frequencies(self, session: Session, words: Iterable[str], total: int) -> dict[str, int]:
        """How many cases hold each word (those no case holds left out), with `total` cases indexed now: remembered
        between look-ups (the same words come back with every keystroke batch; a lookup of a few hundred words costs
        up to 25 ms at 200 000 cases), and read again once the index has grown by a twentieth — an idf moves little
        with a few new cases — or the remembered words grow past WORD_COUNTS_KEPT."""
        counted_at, known = self._word_counts or (total, {})
        if not counted_at <= total <= counted_at * 1.05 + 20 or len(known) > WORD_COUNTS_KEPT:
            counted_at, known = total, {}
        wanted = set(words)
        missing = [word for word in wanted if word not in known]
        if missing:
            found = case_words.document_frequencies(session, missing)
            known.update({word: found.get(word, 0) for word in missing})
        self._word_counts = (counted_at, known)
        return {word: known[word] for word in wanted if known[word]}

    def _index_if_writable(self) -> None:
        """Bring the index up to date before a search, if the database can be written now: a search must still answer
        (from the index as it is) while another program holds the lock or the disk is read-only."""
        try:
            self.index_similar()
        except StorageError as err:
            log.info("similar-case index not brought up to date before a search: %s", err.code)

    def similar_index_pending(self) -> int:
        """How many cases wait to be indexed (after an upgrade, an import, or a change of the word lists)."""
        with self._read() as session:
            if self._lists_changed(session):
                return case_words.case_count(session)
            return case_words.pending_count(session)

    def _lists_changed(self, session: Session) -> bool:
        """The index was built with other word lists than the station's now (or never built)."""
        stored = stored_settings.setting(session, SettingKey.CASE_WORDS_FINGERPRINT)
        return bool(stored != _fingerprint(self.word_segmenter()))

    def index_similar(self, progress: Progress | None = None, batch: int = case_words.INDEX_BATCH) -> int:
        """Index every queued case, a batch per transaction (the desk's work goes on between batches); how many."""
        segmenter = self.word_segmenter()
        with self._read() as session:  # the usual answer, without taking the write lock: nothing to do
            if case_words.is_current(session, _fingerprint(segmenter)):
                return 0
        with self._write() as session:
            if self._lists_changed(session):
                case_words.queue_all(session)
                fingerprint = _fingerprint(segmenter)
                stored_settings.put_setting(session, SettingKey.CASE_WORDS_FINGERPRINT, fingerprint)
                self._word_counts = None  # other lists, other words
            total = case_words.pending_count(session)
        if total == 0:
            return 0
        segmenter.load()
        done = 0
        while True:
            with self._write() as session:
                count = case_words.index_pending(session, _index_text(segmenter), batch)
            if count == 0:
                return done
            done += count
            if progress is not None:
                progress(min(done, total), max(total, done))

    def similar_cases(
        self,
        actor: StaffMember,
        text: str,
        *,
        address: str = "",
        place: Place | None = None,
        phone: str = "",
        category_code: str = "",
        limit: int = 10,
        repeat_days: int = REPEAT_DAYS,
    ) -> list[SimilarCase]:
        """Earlier cases like this one, best first (`domain/similarity.rank`). `place` if the intake form has it
        split, else `address` as typed (split by the station's compounds). Searching by phone is audited."""
        self._audit_phone_lookup(actor, [phone.strip()] if phone.strip() else [], "cases.similar_phone")
        if place is None:
            place = place_from_text(address, [compound.name for compound in self.compounds()])
        else:  # the form's fields, as typed ("12号301" in the building field): read as one address
            place = place_from_text(place.compound + place.building + place.door, [place.compound])
        self._index_if_writable()
        segmenter = self.word_segmenter()
        words = segmenter.words(text.replace(place.compound, " ") if place.compound else text)
        with self._read() as session:
            total = case_words.indexed_count(session)
            frequencies = self._frequencies(session, words, total)
            rare = case_words.searching_words(words, frequencies, total)
            rowids = case_words.candidate_rowids(session, rare, place.compound, place.building, phone.strip())
            rows = case_words.load_candidates(session, rowids)
            candidate_words = {word for row in rows for word in row.words} - frequencies.keys()
            frequencies.update(self._frequencies(session, candidate_words, total))
            weight = {word: idf(count, max(total, 1)) for word, count in frequencies.items()}
            probe = Probe(words, place, phone.strip(), category_code, self._now(), text)
            candidates = {row.case_id: row for row in rows}
            ranked = rank(probe, [_candidate(row) for row in rows], weight, repeat_days=repeat_days, limit=limit)
            results = case_words.disposal_results(session, [match.candidate.case_id for match in ranked])
        return [_similar(match, candidates[match.candidate.case_id], results) for match in ranked]


def _index_text(segmenter: Segmenter) -> case_words.IndexText:
    def index_text(description: str, compound: str) -> str:
        # The compound's name is compared as the address, not as words of the complaint.
        return segmenter.index_text(description.replace(compound, " ") if compound else description)

    return index_text


def _candidate(row: case_words.CandidateRow) -> Candidate:
    return Candidate(
        case_id=row.case_id,
        number=row.number,
        words=row.words,
        place=place_from_text(row.compound + row.building + row.address, [row.compound]),
        phone=row.phone,
        category_code=row.category_code,
        is_open=row.is_open,
        registered_at=row.registered_at,
        closed_at=row.closed_at,
        text=row.description,
    )


def _similar(match: Match, row: case_words.CandidateRow, results: dict[str, str]) -> SimilarCase:
    return SimilarCase(
        case_id=row.case_id,
        number=row.number,
        score=match.score,
        reasons=match.reasons,
        description=row.description,
        address="".join(part for part in (row.compound, row.building, row.address) if part),
        status=row.status,
        category_code=row.category_code,
        registered_at=row.registered_at,
        closed_at=row.closed_at,
        result=results.get(row.case_id, ""),
        satisfaction=row.satisfaction,
        phone_masked=mask_phone(row.phone) if row.phone else "",
    )
