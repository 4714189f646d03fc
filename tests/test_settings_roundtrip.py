"""`gridstation settings show > current.json` then `settings set deadlines current.json` (docs/sla.md) keeps every
deadline; a file that is not a complete, valid policy is refused with a Chinese message naming the field, and
changes nothing (issue 14, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gridstation.cli import main as cli
from gridstation.cli.context import DATA_DIR_ENV, PIN_ENV, USER_ENV
from gridstation.domain.enums import Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.sla import ColourScheme, Stage, default_policy
from gridstation.domain.sla_document import colours_from_document, policy_from_document
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.deadline_settings import DeadlineSettingsDialog
from tests.support.clock import FakeClock
from tests.support.complaints import walk_in
from tests.support.qt_input import commit_text, press
from tests.support.staff import ADMIN_NAME, ADMIN_PIN

ADMIN = ("--user", ADMIN_NAME, "--pin", ADMIN_PIN)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def station(data_dir: Path) -> Path:
    """A station with one open case, whose deadline the tests watch; closed again so the CLI opens it alone."""
    service = StationService(data_dir, now=FakeClock())
    service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN,
                       sub_district="湖南路街道", contact_phone="021-64331234")
    service.register_case(service.sign_in(ADMIN_NAME, ADMIN_PIN), walk_in(0))
    service.close()
    return data_dir


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def shown(capsys: pytest.CaptureFixture[str], station: Path) -> dict[str, object]:
    code, out, _ = run(capsys, "--data-dir", str(station), "settings", "show")
    assert code == 0
    loaded: dict[str, object] = json.loads(out)
    return loaded


def due_times(station: Path) -> list[object]:
    service = StationService(station, now=FakeClock())
    try:
        return [summary.sla_due_at for summary in service.search(CaseQuery())]
    finally:
        service.close()


def test_the_documented_round_trip_keeps_every_deadline(capsys: pytest.CaptureFixture[str], station: Path,
                                                        tmp_path: Path) -> None:
    before, due_before = shown(capsys, station), due_times(station)
    assert due_before and all(due is not None for due in due_before)
    current = tmp_path / "current.json"
    current.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")

    code, out, err = run(capsys, "--data-dir", str(station), "settings", "set", "deadlines", str(current), *ADMIN)

    assert (code, err) == (0, "") and "已更新时限标准" in out
    assert shown(capsys, station) == before
    assert due_times(station) == due_before


def test_a_bare_complete_policy_is_accepted(capsys: pytest.CaptureFixture[str], station: Path,
                                            tmp_path: Path) -> None:
    policy = default_policy().to_json()
    policy["by_tier"]["tracked"]["dispose"] = 120
    policy["by_category"] = {"BUILD.SHED": {"*": {"dispose": 1440}}}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy), encoding="utf-8")

    code, _, err = run(capsys, "--data-dir", str(station), "settings", "set", "deadlines", str(path), *ADMIN)

    assert (code, err) == (0, "")
    assert shown(capsys, station)["deadlines"] == policy


def partial_policy() -> dict[str, object]:
    policy = default_policy().to_json()
    del policy["by_tier"]["quick"]["respond"]
    return policy


def wrong_type_policy() -> dict[str, object]:
    policy = default_policy().to_json()
    policy["by_tier"]["tracked"]["respond"] = "abc"
    return policy


def unknown_field_policy() -> dict[str, object]:
    policy = default_policy().to_json()
    policy["by_tier"]["tracked"]["lunch"] = 60
    return policy


def edited_policy(edit: str) -> dict[str, object]:
    """The default policy with one mistake a person makes when editing it by hand."""
    policy = default_policy().to_json()
    if edit == "misspelled-tier":
        policy["by_tier"]["quck"] = policy["by_tier"]["quick"]
    elif edit == "negative":
        policy["by_tier"]["quick"]["dispose"] = -30
    elif edit == "unknown-category":
        policy["by_category"] = {"GREEN.LIGHT": {"*": {"dispose": 120}}, "GREEN.LIHGT": {"*": {"dispose": 60}}}
    return policy


REFUSED = [
    pytest.param(json.dumps(edited_policy("misspelled-tier")), "未知字段：by_tier.quck", id="misspelled-tier"),
    pytest.param(json.dumps(edited_policy("negative")), "by_tier.quick.dispose 应为正整数", id="negative"),
    pytest.param(
        json.dumps(edited_policy("unknown-category")),
        "by_category.GREEN.LIHGT 不是本站的诉求分类代码，是否为 GREEN.LIGHT？",
        id="unknown-category",
    ),
    pytest.param('{"respond": 5}', "时限标准缺少字段：by_tier", id="stray-file"),
    pytest.param(json.dumps(partial_policy()), "时限标准缺少字段：by_tier.quick.respond", id="partial"),
    pytest.param(json.dumps(wrong_type_policy()), "by_tier.tracked.respond 应为正整数（分钟", id="wrong-type"),
    pytest.param(json.dumps(unknown_field_policy()), "未知字段：by_tier.tracked.lunch", id="unknown-field"),
    pytest.param('{"deadlines": {}, "colours": {}}', "时限标准缺少字段：by_tier", id="empty-deadlines"),
    pytest.param("{}", "时限标准缺少字段：by_tier", id="empty-object"),
    pytest.param("[5, 15]", "应为 JSON 对象", id="not-an-object"),
    pytest.param("", "设置内容是空的", id="empty-file"),
    pytest.param("respond = 5", "不是有效的 JSON", id="not-json"),
]


@pytest.mark.parametrize(("content", "message"), REFUSED)
def test_a_file_that_is_not_a_complete_policy_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], station: Path, tmp_path: Path, content: str, message: str
) -> None:
    before, due_before = shown(capsys, station), due_times(station)
    path = tmp_path / "policy.json"
    path.write_text(content, encoding="utf-8")

    code, out, err = run(capsys, "--data-dir", str(station), "settings", "set", "deadlines", str(path), *ADMIN)

    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err and "invalid literal" not in err and "Error" not in err
    assert shown(capsys, station) == before
    assert due_times(station) == due_before


def test_the_wrong_value_is_quoted_as_written() -> None:
    with pytest.raises(DomainError) as refused:
        policy_from_document(wrong_type_policy())
    assert "收到 'abc'" in refused.value.message_zh
    for value, written in ((True, "true"), (0, "0"), (5.5, "5.5"), (10**9, "1000000000")):
        document = default_policy().to_json()
        document["by_tier"]["quick"]["on_site"] = value
        with pytest.raises(DomainError, match=f"by_tier.quick.on_site .*收到 {written}"):
            policy_from_document(document)


def test_null_means_no_deadline_and_is_kept() -> None:
    document = default_policy().to_json()
    assert document["by_tier"]["quick"]["follow_up"] is None
    assert policy_from_document(document) == default_policy()


def test_colours_round_trip_and_refusals(capsys: pytest.CaptureFixture[str], station: Path, tmp_path: Path) -> None:
    before = shown(capsys, station)
    assert colours_from_document(before) == ColourScheme()
    current = tmp_path / "current.json"
    current.write_text(json.dumps(before), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(station), "settings", "set", "colours", str(current), *ADMIN)
    assert (code, err) == (0, "")
    assert shown(capsys, station) == before

    stray = tmp_path / "stray.json"
    stray.write_text('{"respond": 5}', encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(station), "settings", "set", "colours", str(stray), *ADMIN)
    assert code == 2 and "未知字段：respond" in err
    with pytest.raises(DomainError, match="缺少字段：orange_from"):
        colours_from_document({"blue_from": 0.5, "yellow_from": 0.75})
    with pytest.raises(DomainError, match=r"colours\.red 应为 #RRGGBB"):
        colours_from_document({"blue_from": 0.5, "yellow_from": 0.75, "orange_from": 0.9, "colours": {"red": "红"}})
    assert shown(capsys, station) == before


# ---------------------------------------------------------------- the desk's 时限标准 dialog


def replace_text(dialog: DeadlineSettingsDialog, text: str) -> None:
    """Select everything in the editor and type over it, as an admin pasting a file's contents."""
    press(dialog.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(dialog.editor, Qt.Key.Key_Delete)
    commit_text(dialog.editor, text)


def click_save(qtbot: QtBot, dialog: DeadlineSettingsDialog) -> None:
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert save is not None and save.text() == "保存"
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


@pytest.mark.gui
@pytest.mark.parametrize(("content", "message"), [p for p in REFUSED if p.id not in ("empty-file",)])
def test_the_desk_dialog_refuses_what_the_command_refuses(
    qtbot: QtBot, service: StationService, admin: StaffMember, content: str, message: str
) -> None:
    before = service.deadline_policy()
    dialog = DeadlineSettingsDialog(service, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    replace_text(dialog, content)
    assert dialog.editor.toPlainText() == content
    click_save(qtbot, dialog)
    qtbot.waitUntil(dialog.error.isVisible)
    assert message in dialog.error.text()
    assert dialog.isVisible() and dialog.saved is None
    assert service.deadline_policy() == before


@pytest.mark.gui
def test_the_desk_dialog_saves_the_show_output_and_a_change(
    qtbot: QtBot, service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    dialog = DeadlineSettingsDialog(service, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert json.loads(dialog.editor.toPlainText()) == default_policy().to_json()
    changed = {"deadlines": default_policy().to_json(), "colours": ColourScheme().to_json(), "retention": {"years": 3}}
    changed["deadlines"]["by_tier"]["tracked"]["dispose"] = 120
    current = tmp_path / "current.json"
    current.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    dialog.load(current)
    with qtbot.waitSignal(dialog.accepted):
        click_save(qtbot, dialog)
    assert service.deadline_policy().by_tier[Tier.TRACKED][Stage.DISPOSE] == 120
