"""Issue 17: words that match meaning, an address split as a clerk types it, and the ranking with its reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.similarity import (
    AddressMatch,
    Candidate,
    Place,
    Probe,
    Reason,
    address_match,
    place_from_text,
    rank,
    text_similarity,
)
from gridstation.services.similar import station_segmenter

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def words() -> object:
    return station_segmenter().words


def test_synonyms_and_field_terms_become_the_same_words(words) -> None:  # type: ignore[no-untyped-def]
    assert set(words("电梯停运")) & set(words("3号楼电梯又不动了")) >= {"电梯", "故障"}
    assert "电动车" in words("楼道里给电瓶车充电") and "电动车" in words("小电驴停在门口")
    assert "煤气罐" in words("液化气罐放在楼道里")
    assert "飞线充电" in words("从窗户拉电线给电动车充电")
    assert "窨井盖" in words("下水道盖子翘起来了")
    assert "僵尸车" in words("小区里有辆僵尸车")  # a field term kept whole
    assert words("噪声") == ["噪声"]  # two characters are a word
    assert words("的了请3号楼1201室") == []  # function words and address parts are not compared


def test_an_address_as_typed_is_split_by_the_stations_compounds() -> None:
    compounds = ["枫林苑", "枫林苑二期", "康乐小区"]
    assert place_from_text("枫林苑二期 3号楼 1201室", compounds) == Place("枫林苑二期", "3号楼", "1201室")
    assert place_from_text("康乐小区5栋2单元302", compounds) == Place("康乐小区", "5栋", "2单元302")
    assert place_from_text("梅园新村12号楼", compounds) == Place("梅园新村", "12号楼", "")
    assert place_from_text("", compounds) == Place()
    assert address_match(Place("枫林苑", "３号楼", "1201"), Place("枫林苑", "3栋", "1201室")) == AddressMatch.DOOR
    assert address_match(Place("枫林苑", "3号楼"), Place("枫林苑", "4号楼")) == AddressMatch.COMPOUND
    assert address_match(Place("枫林苑"), Place("康乐小区")) == AddressMatch.NONE


def test_a_building_written_with_a_hash_is_the_same_building() -> None:
    # "3#" is how many ledgers and clerks write 3号楼.
    assert address_match(Place("枫林苑", "3#", "1201"), Place("枫林苑", "3号楼", "1201室")) == AddressMatch.DOOR
    assert address_match(Place("枫林苑", "3#"), Place("枫林苑", "4号楼")) == AddressMatch.COMPOUND
    assert place_from_text("枫林苑3#1201室", ["枫林苑"]) == Place("枫林苑", "3#", "1201室")


def candidate(
    number: str,
    words: list[str],
    place: Place,
    *,
    is_open: bool,
    closed_days: int | None = None,
    category: str = "ELEVATOR",
    phone: str = "",
) -> Candidate:
    closed = None if closed_days is None else NOW - timedelta(days=closed_days)
    return Candidate(number, number, words, place, phone, category, is_open, NOW - timedelta(days=90), closed)


def test_the_same_problem_at_the_same_door_ranks_above_other_problems_there(words) -> None:  # type: ignore[no-untyped-def]
    here = Place("枫林苑", "3号楼", "1201室")
    weight = {"电梯": 0.5, "故障": 1.0, "电梯停运": 3.0, "广告": 3.0, "轿厢": 3.0, "噪声": 2.0, "老人": 2.0}
    same = candidate("A", words("3号楼电梯停运，老人上下楼困难"), here, is_open=False, closed_days=20)
    other_problem = candidate("B", words("电梯轿厢里广告屏声音太吵"), here, is_open=True)
    elsewhere = candidate("C", words("电梯停运"), Place("康乐小区", "5栋"), is_open=True)
    probe = Probe(words("电梯又不动了，老人下不了楼"), here, "", "ELEVATOR", NOW)
    ranked = rank(probe, [other_problem, elsewhere, same], weight)
    assert [m.candidate.number for m in ranked] == ["A", "C", "B"]
    assert ranked[0].reasons == (Reason.SIMILAR_TEXT, Reason.SAME_ADDRESS, Reason.REPEAT_AFTER_CLOSURE)
    assert Reason.OPEN_DUPLICATE not in ranked[2].reasons  # open, same door, but another problem
    assert ranked[1].reasons == (Reason.SIMILAR_TEXT,)  # the same problem elsewhere: no duplicate


def test_open_duplicate_and_repeat_after_closure_rules(words) -> None:  # type: ignore[no-untyped-def]
    here = Place("枫林苑", "3号楼")
    weight: dict[str, float] = {}
    text = words("楼道里堆满杂物")
    probe = Probe(text, here, "13812341234", "CORRIDOR", NOW)
    open_same = candidate("O", text, here, is_open=True, category="CORRIDOR")
    open_other_group = candidate("G", text, here, is_open=True, category="GREEN.LIGHT")
    closed_recent = candidate("R", text, here, is_open=False, closed_days=59, category="CORRIDOR")
    closed_other = candidate("X", ["纸箱", "回收"], here, is_open=False, closed_days=5, category="CORRIDOR")
    closed_long_ago = candidate("L", text, here, is_open=False, closed_days=61, category="CORRIDOR")
    by_phone = candidate("P", ["别的"], Place("康乐小区", "5栋"), is_open=True, phone="138 1234 1234")
    found = {
        m.candidate.number: m.reasons
        for m in rank(
            probe, [open_same, open_other_group, closed_recent, closed_other, closed_long_ago, by_phone], weight
        )
    }
    assert Reason.OPEN_DUPLICATE in found["O"]
    assert Reason.OPEN_DUPLICATE not in found["G"]  # another kind of problem, however alike the words
    # the same problem at the same building closed 59 days ago; another problem of that category is no 复发
    assert found["R"] == (Reason.SIMILAR_TEXT, Reason.SAME_ADDRESS, Reason.REPEAT_AFTER_CLOSURE)
    assert found["X"] == (Reason.SAME_ADDRESS,)
    assert Reason.REPEAT_AFTER_CLOSURE not in found["L"]
    assert found["P"] == (Reason.SAME_PHONE,)


def test_text_similarity_weights_rare_words() -> None:
    weight = {"电梯": 0.1, "轿厢": 3.0, "故障": 1.0}
    assert text_similarity(["电梯", "故障"], ["电梯", "故障"], weight) == pytest.approx(1.0)
    assert text_similarity(["电梯", "轿厢"], ["电梯", "故障"], weight) < 0.01
    assert text_similarity([], ["电梯"], weight) == 0.0
