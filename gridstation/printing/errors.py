"""Printer failures, each with a message a clerk can act on. The case is always saved before printing starts."""

from __future__ import annotations

from gridstation.domain.errors import DomainError

PRINTER_MESSAGES: dict[str, str] = {
    "printer.none": "本机没有安装打印机。请安装打印机，或将文档另存为 PDF。",
    "printer.missing": "找不到打印机「{printer}」{detail}。请检查打印机名称和连接，或在打印设置中另选打印机。",
    "printer.offline": "打印机「{printer}」未连接或未开机。请检查电源和连线后点“重试”。",
    "printer.out_of_paper": "打印机「{printer}」缺纸。请装入纸卷后点“重试”。",
    "printer.cover_open": "打印机「{printer}」的纸仓盖未合上。请合上后点“重试”。",
    "printer.failed": "打印机「{printer}」未能完成打印：{detail}。可以点“重试”或另存为 PDF。",
}


class PrinterError(DomainError):
    """`code` is one of PRINTER_MESSAGES; `retryable` says whether trying again may help."""

    def __init__(self, code: str, printer: str = "", detail: str = "", *, retryable: bool = True) -> None:
        self.template_zh = PRINTER_MESSAGES[code]
        printer = printer or "默认打印机"
        # Only a failure needs a cause spelled out; elsewhere the detail is an optional aside in brackets.
        detail = (detail or "未知原因") if code == "printer.failed" else (f"（{detail}）" if detail else "")
        super().__init__(code, self.template_zh.format(printer=printer, detail=detail), printer=printer, detail=detail)
        self.retryable = retryable
