"""A list of the window (``printing.lists.ListTable``) as an Excel workbook, as the page shows it.

Title and office on top, the filters in force, a frozen header with an autofilter, widths from the
text, long cells wrapped. Written under a temporary name and renamed: a failure (the file open in
Excel) leaves no half-written file and the old one as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import xlsxwriter

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.printing.lists import ListTable
from gzdesk.text import display_width

HEADER_ROW = 3


def write_list_xlsx(table: ListTable, path: str | Path) -> int:
    """Write the table; returns the number of rows written."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{path.name}")
    if not path.parent.is_dir():
        raise UserError(f"文件夹不存在：{path.parent}")
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.xlsx")
    try:
        _write(table, tmp)
        os.replace(tmp, path)
    except PermissionError as exc:
        raise UserError(f"无法写入 {path.name}：文件可能正在 Excel 中打开，请关闭后重试") from exc
    except OSError as exc:
        raise UserError(f"无法写入 {path.name}：{exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return len(table.rows)


def _write(table: ListTable, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    font = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    border = {"border": 1, "border_color": "#999999"}
    title = book.add_format({"font_name": "黑体", "font_size": 15, "bold": True, "align": "center",
                             "valign": "vcenter"})
    info = book.add_format({**font})
    header = book.add_format({**font, **border, "bold": True, "align": "center", "text_wrap": True,
                              "bg_color": "#DDEBF7"})
    cell = {align: book.add_format({**font, **border, "text_wrap": True, "align": align})
            for align in ("left", "right", "center")}
    ws = book.add_worksheet(table.title[:31])
    last = max(len(table.columns) - 1, 0)
    widths = []
    for c, col in enumerate(table.columns):
        texts = [r[c] for r in table.rows[:3000] if c < len(r)]
        longest = max([display_width(col.title)] + [display_width(t) for t in texts])
        cap = 60 if not col.max_mm else max(10, int(col.max_mm / 2))
        widths.append(min(max(longest + 2, 6), cap))
        ws.set_column(c, c, widths[-1])
    ws.set_row(0, 26)
    ws.merge_range(0, 0, 0, last, table.title, title) if last else ws.write_string(0, 0, table.title, title)
    ws.write_string(1, 0, "　".join(x for x in (table.office, table.subtitle) if x), info)
    ws.write_string(2, 0, f"导出日期：{cn_date(table.printed_on)}　共 {len(table.rows)} 行", info)
    ws.write_row(HEADER_ROW, 0, [c.title for c in table.columns], header)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
        lines = max([1] + [-(-display_width(t) // widths[c]) for c, t in enumerate(row) if c < len(widths)])
        if lines > 1:
            ws.set_row(i, 14 * min(lines, 6))
        for c, text in enumerate(row[:len(table.columns)]):
            ws.write_string(i, c, text or "", cell[table.columns[c].align])
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(table.rows), 1), last)
    book.close()
