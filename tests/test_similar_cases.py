"""Issue 17 at the station: the similar-case index kept up to date, `similar_cases` with its reasons, and
`gridstation cases similar --json` — the same engine the intake panel uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from gridstation.cli import main as cli
from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.similarity import Reason
from gridstation.services import similar
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import AuditRow
from tests.support.clock import FakeClock
from tests.support.complaints import walk_to_closed
from tests.support.staff import CLERK_PIN

PHONE = "13812345678"


def register(
    service: StationService,
    clerk: StaffMember,
    description: str,
    *,
    compound: str = "枫林苑",
    building: str = "3号楼",
    door: str = "1201室",
    category: str = "GREEN.LIGHT",
    phone: str = PHONE,
) -> str:
    intake = Intake.validated(
        channel=Channel.HOTLINE_12345,
        category_code=category,
        description=description,
        tier=Tier.QUICK,
        compound=compound,
        building=building,
        address=door,
        complainant_name="张伟",
        phone=phone,
    )
    return service.register_case(clerk, intake).id


@pytest.fixture
def station(service: StationService, clerk: StaffMember, clock: FakeClock) -> StationService:
    fixed = register(service, clerk, "3号楼前香樟树太高，遮挡1201室采光，希望修剪。")
    walk_to_closed(service, clerk, clock, fixed, "绿化所已修剪遮挡窗户的树枝")
    register(service, clerk, "3号楼楼道里堆满纸箱和旧家具，影响通行。", category="FIRE.CORRIDOR", phone="13900001111")
    register(
        service,
        clerk,
        "康乐小区5栋门口香樟树遮挡采光",
        compound="康乐小区",
        building="5栋",
        door="",
        phone="13900002222",
    )
    clock.advance(days=10)
    assert service.index_similar() == 3
    return service


def test_a_repeat_after_closure_and_an_open_duplicate_with_their_reasons(
    station: StationService, clerk: StaffMember
) -> None:
    found = station.similar_cases(
        clerk, "家门口那棵大树又挡住阳光了", address="枫林苑3号楼1201室", category_code="GREEN.LIGHT"
    )
    first = found[0]
    assert first.description.startswith("3号楼前香樟树太高")
    assert first.reasons == (Reason.SIMILAR_TEXT, Reason.SAME_ADDRESS, Reason.REPEAT_AFTER_CLOSURE)
    assert first.result == "绿化所已修剪遮挡窗户的树枝" and first.status_label == "已办结"
    assert [case.description[:5] for case in found] == ["3号楼前香", "康乐小区5", "3号楼楼道"]
    assert found[1].reasons == (Reason.SIMILAR_TEXT,)  # the same problem in another compound
    assert found[2].reasons == (Reason.SAME_ADDRESS,)  # another problem at the same address: history only

    corridor = station.similar_cases(
        clerk, "楼道杂物堆放", address="枫林苑 3号楼 1201室", category_code="FIRE.CORRIDOR"
    )
    assert corridor[0].reasons == (Reason.SIMILAR_TEXT, Reason.SAME_ADDRESS, Reason.OPEN_DUPLICATE)


def test_the_index_follows_new_cases_corrections_and_the_word_lists(
    station: StationService, clerk: StaffMember, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = register(station, clerk, "电动车在楼道里充电", compound="梅园新村", building="12号楼", door="")
    assert station.similar_index_pending() == 0  # indexed in the write that stored it (the dictionary is loaded)
    assert station.similar_cases(clerk, "电瓶车楼道充电")[0].case_id == case_id
    station.record(
        clerk,
        case_id,
        EventType.INTAKE_CORRECTED,
        {"field": "description", "value": "僵尸车长期占用消防通道", "reason": "登记时写错了"},
    )
    assert station.similar_index_pending() == 0
    assert station.similar_cases(clerk, "废弃车辆堵住消防车道")[0].case_id == case_id
    assert all(case.case_id != case_id for case in station.similar_cases(clerk, "电瓶车楼道充电"))

    # An administrator adds a synonym: every case is indexed again with the new lists, with progress.
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "terms.txt").write_text((similar.WORD_LISTS / "terms.txt").read_text(encoding="utf-8"), "utf-8")
    synonyms = (similar.WORD_LISTS / "synonyms.txt").read_text(encoding="utf-8") + "\n修剪 整枝 疏枝\n"
    (lists / "synonyms.txt").write_text(synonyms, "utf-8")
    monkeypatch.setattr(similar, "WORD_LISTS", lists)
    assert not station.word_segmenter().is_loaded  # new lists: a new dictionary, loaded on first use
    queued = register(station, clerk, "梅园新村12号楼门口香樟树需要整枝", compound="梅园新村", building="12号楼")
    assert station.similar_index_pending() == 5  # every case, to be indexed with the new lists
    seen: list[tuple[int, int]] = []
    assert station.index_similar(progress=lambda done, total: seen.append((done, total)), batch=3) == 5
    assert seen == [(3, 5), (5, 5)]
    assert station.similar_index_pending() == 0
    assert station.similar_cases(clerk, "修剪香樟树", address="梅园新村12号楼")[0].case_id == queued
    with station.reading() as session:
        words = session.execute(text("SELECT words FROM case_words")).scalars().all()
    assert any("修剪" in row for row in words)
    assert station.similar_cases(clerk, "请来给大树疏枝", address="枫林苑3号楼")[0].description.startswith(
        "3号楼前香樟树"
    )


def test_a_phone_lookup_is_audited_once_per_number(station: StationService, clerk: StaffMember) -> None:
    found = station.similar_cases(clerk, "", phone=PHONE)
    assert [Reason.SAME_PHONE in case.reasons for case in found] == [True]
    station.similar_cases(clerk, "树", phone=PHONE)
    with station.reading() as session:
        audited = session.scalars(select(AuditRow).where(AuditRow.action == "cases.similar_phone")).all()
    assert len(audited) == 1 and audited[0].detail == {"phone": ["138****5678"]}


def test_the_command_line_gives_the_same_answer_as_json(
    station: StationService, clerk: StaffMember, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    args = [
        "--data-dir",
        str(data_dir),
        "cases",
        "similar",
        "--text",
        "大树挡住阳光",
        "--address",
        "枫林苑3号楼1201室",
        "--limit",
        "2",
        "--json",
        "--user",
        clerk.name,
        "--pin",
        CLERK_PIN,
    ]
    assert cli.main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    assert set(rows[0]) >= {"number", "score", "reasons", "description", "address", "status"}
    assert rows[0]["reasons"] == ["similar_text", "same_address", "repeat_after_closure"]
    assert rows[0]["address"] == "枫林苑3号楼1201室" and rows[0]["status"] == "closed"
    assert rows[0]["score"] > rows[1]["score"]
    assert cli.main(["--data-dir", str(data_dir), "cases", "similar", "--user", clerk.name, "--pin", CLERK_PIN]) != 0
    assert "请至少给出 --text、--address 或 --phone 之一" in capsys.readouterr().err


def test_the_case_list_finds_cases_by_meaning_as_well_as_by_text(station: StationService, clerk: StaffMember) -> None:
    from gridstation.domain.listing import CaseQuery

    lift = register(station, clerk, "5号楼电梯坏了，老人下不了楼", category="PROP.LIFT", building="5号楼")
    bike = register(station, clerk, "楼道里有人给电瓶车充电", category="FIRE.CHARGE")

    def found(words: str) -> set[str]:
        return set(station.case_ids(CaseQuery(text=words), actor=clerk))

    assert lift in found("电梯停运")  # the index was kept in the same write, the dictionary being loaded
    assert lift in found("电梯 不动")
    assert bike in found("电动车") and bike not in found("电梯停运")
    assert found("噪声") == set()  # two characters, and nothing about noise
    assert bike in found("电瓶")  # a part of a word still finds it by its text
    assert station.count(CaseQuery(text="电动车"), actor=clerk) == 1
