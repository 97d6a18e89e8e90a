"""A workbook for the supervision reports: formats shared by every sheet, written atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from gzdesk.errors import UserError
from gzdesk.exchange.check_report import text_width


class Book:
    """``with Book(path) as b: b.sheet(...)``; the file appears only when everything was written."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix.lower() != ".xlsx":
            raise UserError(f"导出文件应以 .xlsx 结尾：{self.path.name}")
        if not self.path.parent.exists():
            raise UserError(f"文件夹不存在：{self.path.parent}")
        self.tmp = self.path.with_name(f".{self.path.stem}.tmp{os.getpid()}.xlsx")
        self.book = xlsxwriter.Workbook(str(self.tmp))
        font = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        border = {"border": 1, "border_color": "#999999"}
        self.f = {
            "title": self.book.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
                                           "valign": "vcenter"}),
            "sub": self.book.add_format({**font}),
            "head": self.book.add_format({**font, **border, "bold": True, "align": "center", "bg_color": "#DDEBF7",
                                          "text_wrap": True}),
            "cell": self.book.add_format({**font, **border, "text_wrap": True}),
            "num": self.book.add_format({**font, **border, "align": "center"}),
            "pct": self.book.add_format({**font, **border, "align": "center", "num_format": "0.0%"}),
            "red": self.book.add_format({**font, **border, "text_wrap": True, "font_color": "#C62828"}),
            "bold": self.book.add_format({**font, **border, "bold": True, "text_wrap": True}),
            "text": self.book.add_format({**font, "text_wrap": True, "valign": "top"}),
        }

    def __enter__(self) -> Book:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.book.close()
            if exc_type is None:
                os.replace(self.tmp, self.path)
        except PermissionError as e:
            raise UserError(f"无法写入 {self.path.name}：文件可能正在 Excel 中打开，请关闭后重试") from e
        finally:
            if self.tmp.exists():
                self.tmp.unlink()

    def sheet(self, name: str, title: str, subtitle: str, header: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[int], *, red_rows: Sequence[int] = (), pct_cols: Sequence[int] = ()) -> None:
        """Title, subtitle, frozen header, rows (numbers centred, text wrapped), A4 landscape."""
        ws = self.book.add_worksheet(name[:31])
        last = max(len(header) - 1, 0)
        for col, w in enumerate(widths):
            ws.set_column(col, col, w)
        ws.set_row(0, 28)
        ws.merge_range(0, 0, 0, last, title, self.f["title"]) if last else ws.write(0, 0, title, self.f["title"])
        ws.merge_range(1, 0, 1, last, subtitle, self.f["sub"]) if last else ws.write(1, 0, subtitle, self.f["sub"])
        ws.write_row(2, 0, list(header), self.f["head"])
        ws.freeze_panes(3, 0)
        for i, row in enumerate(rows):
            r = 3 + i
            lines = 1
            for c, v in enumerate(row):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v, self.f["pct"] if c in pct_cols else self.f["num"])
                else:
                    text = "" if v is None else str(v)
                    ws.write_string(r, c, text, self.f["red"] if i in red_rows else self.f["cell"])
                    if c < len(widths):
                        lines = max(lines, -(-text_width(text) // max(widths[c] - 1, 1)))
            ws.set_row(r, 14 * lines + 2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.set_footer("&C第 &P 页，共 &N 页")

    def text_sheet(self, name: str, title: str, sections: Sequence[tuple[str, str]]) -> None:
        """A sheet of headed paragraphs (the report's prose)."""
        ws = self.book.add_worksheet(name[:31])
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 90)
        ws.merge_range(0, 0, 0, 1, title, self.f["title"])
        for i, (head, text) in enumerate(sections):
            ws.write_string(2 + i, 0, head, self.f["bold"])
            ws.write_string(2 + i, 1, text or "", self.f["cell"])
            ws.set_row(2 + i, 14 * max(1, -(-text_width(text or "") // 88) + text.count("\n")) + 2)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
