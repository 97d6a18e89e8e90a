"""Write rule findings (``gzdesk.rules.check``) as a formatted workbook: 《政务新媒体制度检查结果》.

One sheet 检查结果: a title row, a subtitle with the office, the check date and the counts, a frozen
header (序号, 级别, 规则, 账号, 主办单位, 问题, 依据), 否决 rows in red and 问题 rows in amber, widths
that fit A4 landscape. Used by ``gzdesk check --xlsx`` and by the 检查 page's 导出检查结果….
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange.write_target import check_target, write_error
from gzdesk.rules import RULE_LABELS, Finding

SHEET = "检查结果"
TITLE = "政务新媒体制度检查结果"
HEADERS = ("序号", "级别", "规则", "账号", "主办单位", "问题", "依据")
WIDTHS = (6, 7, 20, 24, 26, 56, 46)
WRAPPED = (2, 3, 4, 5, 6)  # columns whose text wraps: their longest sets the row height
LINE_PT = 14  # one line of 10 pt 宋体
HEADER_ROW = 2
LEVELS = ("否决", "问题", "提示")


def summary_text(findings: Sequence[Finding], today: date, counts: Counter[str] | None = None) -> str:
    """共 N 条：否决 a 条、问题 b 条、提示 c 条，按2026年11月22日检查 (the page shows the same line).
    ``counts``: the findings by level, when the caller has them already."""
    counts = Counter(f.level for f in findings) if counts is None else counts
    parts = "、".join(f"{level} {counts.get(level, 0)} 条" for level in LEVELS)
    return f"共 {len(findings)} 条：{parts}，按{cn_date(today)}检查"


def row_values(n: int, f: Finding) -> list[object]:
    return [n, f.level, RULE_LABELS.get(f.rule, f.rule), f.account or "（全单位）", f.host_unit, f.message, f.article]


def text_width(text: str) -> int:
    """Width in Excel column units: a full-width (CJK) character is about two.

    Counted from the UTF-8 length (CJK characters and full-width punctuation take 3 bytes, ASCII
    1): per-character ``unicodedata`` lookups made exporting 150,000 findings seconds slower.
    """
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def row_height(values: Sequence[object]) -> float:
    """Height of a row whose wrapped cells need the most lines (XlsxWriter cannot measure text,
    and LibreOffice/WPS do not re-fit rows on opening, so long 依据 would overflow into the next row)."""
    lines = max(math.ceil(text_width(str(values[c] or "")) / (WIDTHS[c] - 1)) for c in WRAPPED)
    return LINE_PT * max(1, lines) + 2


def write_check_report(path: str | Path, findings: Sequence[Finding], today: date, office_unit: str = "") -> int:
    """Write ``findings`` to ``path`` (.xlsx); returns the number of rows written.

    Written under a temporary name and renamed, so a failure never leaves half a file behind.
    XlsxWriter is imported here, when a report is written: the 检查 page imports this module at
    every start of the window (~0.15 s).
    """
    import xlsxwriter.exceptions

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{path.name}")
    check_target(path)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.xlsx")
    try:
        _write(tmp, findings, today, office_unit)
        os.replace(tmp, path)
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as exc:  # full disk, read-only, open in Excel…
        raise write_error(exc, path) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    return len(findings)


def _write(path: Path, findings: Sequence[Finding], today: date, office_unit: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    font = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    border = {"border": 1, "border_color": "#999999"}
    title = book.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
                             "valign": "vcenter"})
    subtitle = book.add_format({**font, "align": "left"})
    header = book.add_format({**font, **border, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
    cells = {
        "否决": book.add_format({**font, **border, "text_wrap": True, "font_color": "#C62828", "bg_color": "#FDECEA"}),
        "问题": book.add_format({**font, **border, "text_wrap": True, "font_color": "#8A4B00"}),
        "提示": book.add_format({**font, **border, "text_wrap": True}),
    }
    centred = {level: book.add_format({**font, **border, "align": "center", **extra})
               for level, extra in (("否决", {"font_color": "#C62828", "bg_color": "#FDECEA", "bold": True}),
                                    ("问题", {"font_color": "#8A4B00"}), ("提示", {}))}

    ws = book.add_worksheet(SHEET)
    last = len(HEADERS) - 1
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.set_row(0, 28)
    ws.merge_range(0, 0, 0, last, TITLE, title)
    who = f"{office_unit}　" if office_unit else ""
    ws.merge_range(1, 0, 1, last, who + summary_text(findings, today), subtitle)
    ws.write_row(HEADER_ROW, 0, HEADERS, header)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    for i, f in enumerate(findings, start=1):
        row = HEADER_ROW + i
        values = row_values(i, f)
        ws.set_row(row, row_height(values))
        fmt = cells.get(f.level, cells["提示"])
        mid = centred.get(f.level, centred["提示"])
        ws.write_number(row, 0, i, mid)
        ws.write_string(row, 1, str(values[1]), mid)
        for col in range(2, len(values)):
            ws.write_string(row, col, str(values[col] or ""), fmt)
    last_row = max(HEADER_ROW + len(findings), HEADER_ROW)
    ws.autofilter(HEADER_ROW, 0, last_row, last)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    book.close()
