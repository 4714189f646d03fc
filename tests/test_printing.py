"""Every paper document rendered to PDF and read back the way a person or a scanner would: page size, the Chinese
text through pdftotext, the phone masked, the QR code decoded with zbarimg."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from reportlab.platypus import Paragraph
from sqlalchemy import update

from gridstation.common.pdf_text import MISSING_GLYPH, printable, shorten
from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.errors import ValidationError
from gridstation.printing.forms import render_area_report_form, render_follow_up_form
from gridstation.printing.layout import LaidOutParagraph, build_pdf, style
from gridstation.printing.morning_report import render_morning_report
from gridstation.printing.paperwork import Paperwork, PrintSettings
from gridstation.printing.receipt import render_receipt
from gridstation.printing.templates import receipt_papers
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import CategoryRow
from gridstation.storage.settings import SettingKey
from tests.support.clock import FakeClock

MM = 72 / 25.4
PHONE = "13812341234"
MASKED = "138****1234"
SHADE = "楼前香樟树长得太高，遮挡三楼住户采光，白天屋里也要开灯，希望尽快修剪。"
TOOLS = ("pdftotext", "pdfinfo", "pdftoppm", "zbarimg")


@pytest.fixture(autouse=True, scope="module")
def tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must install poppler-utils and zbar-tools (scripts/test.sh does); missing {missing}")
    if missing:
        pytest.skip(f"missing {missing}: run scripts/test.sh, which installs them")


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """pdftotext breaks lines where the PDF wraps; compare without whitespace."""
    return re.sub(r"\s+", "", text)


def page_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[float, float]]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "page")], check=True)
    found: list[str] = []
    for image in sorted(tmp_path.glob("page*.png")):
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
        found += [line for line in result.stdout.splitlines() if line]
    return found


def register(service: StationService, clerk: StaffMember, *, tier: Tier = Tier.QUICK, description: str = SHADE,
             anonymous: bool = False, name: str = "张建华", category: str = "GREEN.LIGHT",
             channel: Channel = Channel.WALK_IN) -> str:
    intake = Intake.validated(
        channel=channel, category_code=category, description=description, tier=tier,
        compound="枫林苑", building="3号楼", address="枫林苑3号楼", grid_code="G01",
        complainant_name=name, phone=PHONE, anonymous=anonymous,
        answer="已当场解释垃圾分类投放时间" if tier is Tier.ON_THE_SPOT else "",
    )
    return service.register_case(clerk, intake).id


# ---------------------------------------------------------------- receipt slip


@pytest.mark.parametrize(("paper", "width_mm", "height_mm"),
                         [("thermal80", 80, None), ("thermal58", 58, None), ("a5", 148, 210), ("a4", 210, 297)])
def test_receipt_on_every_paper_has_its_fields_the_phone_masked_and_a_qr_with_the_number(
    service: StationService, clerk: StaffMember, tmp_path: Path, paper: str, width_mm: int, height_mm: int | None
) -> None:
    case_id = register(service, clerk)
    data = Paperwork(service).receipt(case_id)
    pdf = render_receipt(data, paper)

    (width, height), *more = page_sizes(pdf, tmp_path)
    assert not more
    assert width == pytest.approx(width_mm * MM, abs=0.5)
    if height_mm is None:
        assert 60 * MM < height < 400 * MM  # a roll is cut to the slip's length
    else:
        assert height == pytest.approx(height_mm * MM, abs=0.5)
    text = flat(pdf_text(pdf, tmp_path))
    for expected in ("枫林居委会民情快办工作站", "民情诉求受理回执", data.number, "2026-11-2309:30", "来访",
                     "绿化/树木遮挡采光", "张**", MASKED, "枫林苑3号楼", flat(SHADE), "1小时内响应（协同快办）",
                     "李明", "个人信息保护提示", "021-64331234"):
        assert flat(expected) in text, expected
    assert PHONE not in text
    assert "张建华" not in text
    assert "补打" not in text
    assert qr_codes(pdf, tmp_path) == [data.number]


def test_receipt_promise_comes_from_the_policy_and_the_tier(service: StationService, clerk: StaffMember,
                                                            admin: StaffMember, tmp_path: Path) -> None:
    paperwork = Paperwork(service)
    # A walk-in is in contact at registration: the receipt promises the on-site deadline the desk then counts.
    tracked = paperwork.receipt(register(service, clerk, tier=Tier.TRACKED))
    assert tracked.promise == "15 分钟内响应"
    hotline = paperwork.receipt(register(service, clerk, tier=Tier.TRACKED, channel=Channel.HOTLINE_12345))
    assert hotline.promise == "5 分钟内响应"
    on_the_spot = paperwork.receipt(register(service, clerk, tier=Tier.ON_THE_SPOT))
    assert on_the_spot.promise == "已当场答复"
    assert "已当场解释垃圾分类投放时间" in flat(pdf_text(render_receipt(on_the_spot), tmp_path))
    policy = service.deadline_policy()
    from gridstation.domain.sla import DeadlinePolicy, Stage

    changed = DeadlinePolicy(by_tier={**policy.by_tier, Tier.QUICK: {**policy.by_tier[Tier.QUICK], Stage.ON_SITE: 90}})
    service.set_deadline_policy(admin, changed)
    assert paperwork.receipt(register(service, clerk)).promise == "1 小时 30 分钟内响应"


def test_anonymous_complainant_is_not_named_and_long_text_is_cut_with_a_mark(
    service: StationService, clerk: StaffMember, tmp_path: Path
) -> None:
    long_text = "隧道出口处车辆经常鸣笛，夜间尤其严重，" * 20
    case_id = register(service, clerk, anonymous=True, description=long_text)
    data = Paperwork(service).receipt(case_id)
    text = flat(pdf_text(render_receipt(data), tmp_path))
    assert "匿名" in text and "张" not in text
    assert "……（内容较长，全文以登记为准）" in text
    assert flat(long_text) not in text
    assert flat(long_text[:100]) in text


def test_rare_characters_print_as_a_visible_mark_with_a_note(service: StationService, clerk: StaffMember,
                                                             tmp_path: Path) -> None:
    case_id = register(service, clerk, name="𠮷田", description="楼道堆放杂物😀，存在火灾隐患，请物业清理。")
    text = flat(pdf_text(render_receipt(Paperwork(service).receipt(case_id)), tmp_path))
    assert f"楼道堆放杂物{MISSING_GLYPH}，存在火灾隐患" in text
    assert f"{MISSING_GLYPH}*" in text  # the masked name keeps its first character, as a mark
    assert "注：〓为打印字体无法显示的字符" in text
    assert printable("香樟\ufe0f树") == ("香樟树", False)  # a variation selector has no glyph and needs no mark


def test_shorten_counts_code_points_and_marks_the_cut() -> None:
    assert shorten("一二三", 3, "…") == "一二三"
    assert shorten("一二三四", 3, "…") == "一二三…"
    assert shorten("𠮷𠮷𠮷𠮷", 2, "…") == "𠮷𠮷…"


def test_a_laid_out_paragraph_splits_across_pages_as_reportlabs_does() -> None:
    """The receipt's paragraphs (layout.LaidOutParagraph: line breaks kept, plain text without the markup parser)
    make the same PDF as reportlab's Paragraph, also when a page break splits them."""
    text = SHADE * 30
    pages = (200, 150)
    expected = build_pdf([Paragraph(text, style(9))], pages, 10, title="split")
    assert build_pdf([LaidOutParagraph(text, style(9))], pages, 10, title="split") == expected
    assert expected.count(b"/Type /Page\n") > 2


def test_documents_print_a_leaf_under_its_parent_and_other_categories_by_name(
    service: StationService, admin: StaffMember
) -> None:
    """The labels documents print (one query) are those the picker and the list show: a leaf as "父类 / 子类", a parent
    or a retired category by its name, a leaf under a retired parent by its own name."""
    service.import_reference_csv(
        admin, "categories", "code,name,parent_code\nPET,宠物管理,\nPET.DOG,犬只扰民,PET\nPET.CAT,投喂流浪猫,PET\n"
        "OLD,旧分类,\nOLD.ONE,旧分类子项,OLD\n"
    )
    with service.transaction() as session:
        session.execute(update(CategoryRow).where(CategoryRow.code.in_(["PET.CAT", "OLD"])).values(active=False))
    labels = service.category_labels()

    expected = service.category_names()
    expected.update({choice.code: choice.label for choice in service.category_choices()})
    assert labels == expected
    assert (labels["PET.DOG"], labels["PET"], labels["PET.CAT"]) == ("宠物管理 / 犬只扰民", "宠物管理", "投喂流浪猫")
    assert labels["OLD.ONE"] == "旧分类子项"
    assert labels["GREEN.LIGHT"] == "绿化 / 树木遮挡采光"


def test_reprint_is_marked_with_its_time_and_written_to_the_history(
    service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    paperwork = Paperwork(service)
    case_id = register(service, clerk)
    first = paperwork.receipt(case_id)
    assert first.reprint_at is None
    paperwork.record_receipt_printed(clerk, case_id, "thermal80")
    clock.advance(hours=2, minutes=5)
    again = paperwork.receipt(case_id)
    assert again.reprint_at is not None
    text = flat(pdf_text(render_receipt(again, "thermal80", stub=True), tmp_path))
    assert "【补打】2026-11-2311:35" in text
    assert text.count(again.number) == 2 and "存根（工作站留存）" in text
    paperwork.record_receipt_printed(clerk, case_id, "a4")
    history = [e for e in service.timeline(case_id) if e.type is EventType.RECEIPT_PRINTED]
    assert [e.payload["reprint"] for e in history] == [False, True]
    assert [e.payload["paper"] for e in history] == ["80 毫米热敏纸", "A4 纸"]
    assert history[1].occurred_at - history[0].occurred_at == timedelta(hours=2, minutes=5)
    assert service.case(case_id).receipts_printed == 2


def test_qr_carries_the_status_lookup_address_when_the_station_has_a_server(
    service: StationService, clerk: StaffMember, admin: StaffMember, tmp_path: Path
) -> None:
    service.set_setting(admin, SettingKey.STATUS_PAGE_URL, "https://chengyun.example.gov.cn/")
    data = Paperwork(service).receipt(register(service, clerk))
    url = f"https://chengyun.example.gov.cn/status/{data.number}"
    assert qr_codes(render_receipt(data, "thermal58"), tmp_path) == [url]
    assert flat(url) in flat(pdf_text(render_receipt(data, "thermal58"), tmp_path))


# ---------------------------------------------------------------- forms


def closed_case(service: StationService, clerk: StaffMember, clock: FakeClock) -> str:
    case_id = register(service, clerk, tier=Tier.TRACKED, channel=Channel.HOTLINE_12345)
    for event_type, payload in (
        (EventType.FIRST_CONTACT, {"note": "已电话联系居民"}),
        (EventType.DISPATCHED, {"assignee": "绿化市容所", "note": "请安排修剪"}),
        (EventType.ARRIVED_ON_SITE, {"note": "绿化工人到场"}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": "已修剪遮挡窗户的树枝"}),
        (EventType.CLOSED, {"answer": "已修剪树枝，居民表示采光恢复"}),
    ):
        clock.advance(minutes=4)
        service.record(clerk, case_id, event_type, payload)
    return case_id


def test_follow_up_form_prefilled_from_a_case(service: StationService, clerk: StaffMember, clock: FakeClock,
                                              tmp_path: Path) -> None:
    case_id = closed_case(service, clerk, clock)
    data = Paperwork(service).follow_up_form(case_id)
    pdf = render_follow_up_form(data)
    assert page_sizes(pdf, tmp_path) == [(pytest.approx(595.3, abs=0.5), pytest.approx(841.9, abs=0.5))]
    text = flat(pdf_text(pdf, tmp_path))
    for expected in ("民情诉求回访满意度表", data.number, MASKED, "张**", "已修剪树枝，居民表示采光恢复",
                     "部门反馈回访", "□已解决", "□部分解决", "□未解决", "□满意", "□基本满意", "□不满意",
                     "回访人（签字）", "居民（签字）", "回访日期", "2026-11-2309:50"):
        assert flat(expected) in text, expected
    assert PHONE not in text


def test_blank_follow_up_form_has_the_options_and_lines_to_write_on(service: StationService,
                                                                    tmp_path: Path) -> None:
    text = flat(pdf_text(render_follow_up_form(Paperwork(service).follow_up_form(None)), tmp_path))
    assert "□部门反馈回访□工作站回访" in text
    assert "□已解决□部分解决□未解决" in text
    assert "受理编号________________" in text


def test_area_report_form_lists_departments_and_steps_from_the_event_log(
    service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    case_id = closed_case(service, clerk, clock)
    data = Paperwork(service).area_report(case_id, proposal="协调绿化市容所每季度巡查修剪",
                                          support="申请专项养护经费", reporter="赵建国")
    assert data.departments == ("绿化市容所",)
    text = flat(pdf_text(render_area_report_form(data), tmp_path))
    for expected in ("片区民情调研问题反馈表", "第一网格", data.number, flat(SHADE), "枫林苑3号楼", "绿化市容所",
                     "09:34先联：已电话联系居民", "09:38派单：请安排修剪", "09:46处置：已修剪遮挡窗户的树枝",
                     "协调绿化市容所每季度巡查修剪", "申请专项养护经费", "填报人（签字）（赵建国）",
                     "网格长（签字）", "相关部门（签字）"):
        assert flat(expected) in text, expected
    blank = flat(pdf_text(render_area_report_form(Paperwork(service).area_report(None)), tmp_path))
    assert "问题描述" in blank and "拟解决方案" in blank and "受理编号________________" in blank


# ---------------------------------------------------------------- morning report


def test_morning_report_is_a4_with_every_section_and_the_kpis(service: StationService, clerk: StaffMember,
                                                              admin: StaffMember, clock: FakeClock,
                                                              tmp_path: Path) -> None:
    done = closed_case(service, clerk, clock)
    service.record(clerk, done, EventType.FOLLOW_UP, {"kind": "department_feedback", "satisfaction": "satisfied",
                                                       "resolution": "resolved"})
    late = register(service, clerk, tier=Tier.TRACKED, description="绿化带下污水井盖被泥土覆盖，下雨积水。",
                    category="DRAIN.COVER", channel=Channel.HOTLINE_12345)
    service.record(admin, late, EventType.CONFERENCE_FLAGGED, {"flagged": True, "reason": "涉及排水与绿化两个部门"})
    clock.advance(minutes=20)
    data = Paperwork(service).morning_report(admin)
    pdf = render_morning_report(data)
    sizes = page_sizes(pdf, tmp_path)
    assert sizes and all(size == (pytest.approx(595.3, abs=0.5), pytest.approx(841.9, abs=0.5)) for size in sizes)
    text = flat(pdf_text(pdf, tmp_path))
    for expected in ("民情快办晨会日报", "一、昨日以来新增诉求（2件）", "二、在办诉求", "三、超时诉求（1件）",
                     "四、提请难题会诊（1件）", "涉及排水与绿化两个部门", "五、工作指标", "先联率", "解决率",
                     "满意率", "按时率", "响应超15分钟", "100.0%（1/1）", "工作指标对比", "制表：王芳"):
        assert flat(expected) in text, expected
    assert service.case(late).number in text


# ---------------------------------------------------------------- settings


def test_print_settings_round_trip_and_refuse_bad_values(service: StationService, admin: StaffMember,
                                                         clerk: StaffMember) -> None:
    paperwork = Paperwork(service)
    assert paperwork.print_settings() == PrintSettings()
    from gridstation.printing.config import EscPosSettings

    wanted = PrintSettings(receipt_paper="thermal58", receipt_mode="preview", station_stub=True,
                           escpos=EscPosSettings(kind="network", host=" 192.168.1.50 ", port=9100))
    saved = paperwork.set_print_settings(admin, wanted)
    assert saved.escpos.host == "192.168.1.50"
    assert paperwork.print_settings() == saved
    for bad, field in ((PrintSettings(receipt_paper="b5"), "receipt_paper"),
                       (PrintSettings(receipt_mode="fax"), "receipt_mode"),
                       (PrintSettings(escpos=EscPosSettings(kind="network")), "escpos_host"),
                       (PrintSettings(escpos=EscPosSettings(kind="usb", usb_vendor="xyz")), "escpos_usb"),
                       (PrintSettings(receipt_paper="a4", escpos=EscPosSettings(kind="serial", serial_device="COM3")),
                        "receipt_paper")):
        with pytest.raises(ValidationError) as info:
            paperwork.set_print_settings(admin, bad)
        assert info.value.field == field
    assert paperwork.print_settings() == saved
    from gridstation.domain.errors import DomainError

    with pytest.raises(DomainError, match="无权"):
        paperwork.set_print_settings(clerk, PrintSettings())
    assert set(receipt_papers()) == {"thermal80", "thermal58", "a5", "a4"}
