"""Issue 17: after the desk starts, cases not yet in the similar-case index (an upgrade, a large sync, new word
lists) are indexed on the thread pool, with progress in the status bar, while the clerk works on."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gridstation.domain.listing import CaseQuery
from gridstation.services import similar
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.word_index import WordIndexer
from tests.support.complaints import complaint

pytestmark = [pytest.mark.gui]


def test_the_index_is_built_in_the_background_with_progress(
    qtbot: QtBot, service: StationService, clerk: StaffMember, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(3):
        service.register_case(clerk, complaint(index))
    # New word lists (an administrator added a synonym): every case waits to be indexed with them.
    lists = tmp_path / "lists"
    lists.mkdir()
    for name in ("terms.txt", "synonyms.txt"):
        (lists / name).write_text((similar.WORD_LISTS / name).read_text(encoding="utf-8") + "\n整枝 疏枝\n", "utf-8")
    monkeypatch.setattr(similar, "WORD_LISTS", lists)
    assert service.similar_index_pending() == 3
    indexer = WordIndexer(service)
    messages: list[str] = []
    indexer.message.connect(lambda text, _ms: messages.append(text))
    with qtbot.waitSignal(indexer.message, check_params_cb=lambda text, _ms: "已建好" in text, timeout=10_000):
        indexer.start()
    assert messages[0] == "正在建立相似诉求索引：3 / 3 件" and messages[-1] == "相似诉求索引已建好（3 件）。"
    assert service.similar_index_pending() == 0
    assert service.word_segmenter().is_loaded
    assert service.count(CaseQuery(text="剪枝"), actor=clerk) == 2  # by meaning (修剪): no case says 剪枝
