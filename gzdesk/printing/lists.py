"""Any list of the window (账号台账, 待办, 检查结果, 人员) as a formatted A4 table in PDF.

A ``ListTable`` is what a page shows — title, the filters in force, column titles and the rows as
text — and ``render_list`` prints it: the title and the office on top, the header row repeated on
every page, cells wrapped (never cut off), thin rules, 第 N 页 共 M 页 and the date at the foot.
Columns are sized from their text; a table too wide for A4 portrait turns landscape, and one still
too wide shares the width out and wraps more. The fonts are the forms' own (``printing.fonts``:
embedded, so the PDF prints the same on any PC).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from gzdesk.dates import cn_date
from gzdesk.printing.fonts import FontSet, fonts

_WORD = re.compile(r"[0-9][0-9,.:/\-年月日]*[0-9日]|[0-9]")
MARGIN = 14 * mm
BODY_PT = 9.0
HEAD_PT = 9.0
TITLE_PT = 15.0
PAD = 1.6 * mm
LEADING = 1.3
MIN_COL = 11 * mm
MAX_COL = 80 * mm
GRID = 0.4
HEAD_FILL = (0.91, 0.93, 0.96)


@dataclass
class ListColumn:
    title: str
    align: str = "left"  # left / right / center
    max_mm: float | None = None  # a cap for a column of long texts (it wraps)


@dataclass
class ListTable:
    """A list as shown on a page: ``rows`` are the cells' texts, in the columns' order."""

    title: str
    columns: list[ListColumn]
    rows: list[list[str]]
    office: str = ""
    subtitle: str = ""  # the filters in force, e.g. 平台：抖音；状态：正常
    printed_on: date = field(default_factory=date.today)

    @property
    def dated_title(self) -> str:
        return f"{self.title}（{cn_date(self.printed_on)}）"


def wrap(fs: FontSet, text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points: Chinese breaks between any two characters,
    a Latin word or number is kept whole unless it alone is wider than the line."""
    out: list[str] = []
    for para in (text or "").split("\n"):
        line, line_w = "", 0.0
        i = 0
        while i < len(para):
            ch = para[i]
            if ch.isascii() and not ch.isspace():  # a whole word of Latin letters or digits
                j = i
                while j < len(para) and para[j].isascii() and not para[j].isspace():
                    j += 1
                piece = para[i:j]
            else:
                j, piece = i + 1, ch
            w = fs.width(piece, size)
            if line and line_w + w > width:
                out.append(line.rstrip())
                line, line_w = "", 0.0
                if piece.isspace():
                    i = j
                    continue
            if w > width:  # a word longer than the line: break it by characters
                for c in piece:
                    cw = fs.width(c, size)
                    if line and line_w + cw > width:
                        out.append(line)
                        line, line_w = "", 0.0
                    line += c
                    line_w += cw
            else:
                line += piece
                line_w += w
            i = j
        out.append(line.rstrip())
    return out or [""]


def column_widths(table: ListTable, fs: FontSet, page_width: float) -> tuple[list[float], bool]:
    """(widths in points, whether they fit without squeezing) for a frame ``page_width`` wide.

    Each column wants its 95th-percentile text (outliers wrap); a column never gets narrower than
    its longest number or date (2026年11月28日 is not broken) or its title's longest word, and
    when the columns must be squeezed only what they want beyond that is taken away."""
    natural, rigid = [], []
    sample = table.rows[:3000]  # a long list: its first rows tell the widths well enough
    for c, col in enumerate(table.columns):
        head = max(fs.width(word, HEAD_PT, "title") for word in col.title.split() or [""])
        texts = [r[c] if c < len(r) else "" for r in sample]
        widths = sorted(fs.width(t, BODY_PT) for t in texts)
        cell = widths[int(len(widths) * 0.95)] if widths else 0.0
        word = max((fs.width(w, BODY_PT) for t in texts for w in _WORD.findall(t)), default=0.0)
        cap = col.max_mm * mm if col.max_mm else MAX_COL
        least = max(min(word, 30 * mm), min(head, 24 * mm)) + 2 * PAD
        rigid.append(max(least, MIN_COL))
        natural.append(max(min(max(head, cell) + 2 * PAD, cap), rigid[-1]))
    total = sum(natural)
    if total <= page_width:
        spare = page_width - total  # the frame is filled: the widest columns take the rest
        weights = [w - MIN_COL + 1 for w in natural]
        return [w + spare * k / sum(weights) for w, k in zip(natural, weights, strict=True)], True
    fixed = sum(rigid)
    if fixed >= page_width:
        return [w * page_width / fixed for w in rigid], False
    factor = (page_width - fixed) / (total - fixed)
    return [r + (n - r) * factor for n, r in zip(natural, rigid, strict=True)], False


def page_size(table: ListTable, fs: FontSet) -> tuple[float, float]:
    """A4 portrait, or landscape when the columns do not fit portrait."""
    portrait = A4[0] - 2 * MARGIN
    _widths, fits = column_widths(table, fs, portrait)
    return A4 if fits else landscape(A4)


def _text(c: Canvas, fs: FontSet, x: float, y: float, text: str, size: float, role: str = "body") -> None:
    for face, run in fs.runs(text, role):
        c.setFont(face.name, size)
        c.drawString(x, y, run)
        x += face.width(run, size)


def _cell_lines(fs: FontSet, text: str, width: float, size: float, role: str = "body") -> list[str]:
    return wrap(fs, text, width - 2 * PAD, size)


def render_list(table: ListTable) -> bytes:
    """The table as an A4 PDF (see the module docstring)."""
    fs = fonts()
    size = page_size(table, fs)
    page_w, page_h = size
    frame_w = page_w - 2 * MARGIN
    widths, _fits = column_widths(table, fs, frame_w)
    line_h = BODY_PT * LEADING
    head_lines = [_cell_lines(fs, col.title, w, HEAD_PT, "title") for col, w in zip(table.columns, widths, strict=True)]
    head_h = max(len(lines) for lines in head_lines) * HEAD_PT * LEADING + 2 * PAD
    rows = [[_cell_lines(fs, (r[c] if c < len(r) else ""), widths[c], BODY_PT) for c in range(len(widths))]
            for r in table.rows]
    heights = [max(len(lines) for lines in cells) * line_h + 2 * PAD for cells in rows]

    # pages: the first carries the title block; every page the header row and the foot
    title_h = TITLE_PT * 1.6 + (BODY_PT * 1.8 if (table.office or table.subtitle) else 0) + 4 * mm
    foot_h = 8 * mm
    pages: list[list[int]] = [[]]
    room = page_h - 2 * MARGIN - foot_h - title_h - head_h
    for i, h in enumerate(heights):
        if h > room and pages[-1]:
            pages.append([])
            room = page_h - 2 * MARGIN - foot_h - head_h - (TITLE_PT + 4 * mm)
        pages[-1].append(i)
        room -= h

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size, pageCompression=1, initialFontName=fs.body.name)
    c.setTitle(table.dated_title)
    c.setAuthor("gzdesk")
    c.setCreator("gzdesk 政务新媒体备案台账")
    total = len(pages)
    for n, page_rows in enumerate(pages, start=1):
        y = page_h - MARGIN
        if n == 1:
            tw = fs.width(table.title, TITLE_PT, "title")
            _text(c, fs, (page_w - tw) / 2, y - TITLE_PT, table.title, TITLE_PT, "title")
            y -= TITLE_PT * 1.6
            info = "　".join(x for x in (table.office, table.subtitle) if x)
            if info:
                _text(c, fs, MARGIN, y - BODY_PT, info, BODY_PT)
                right = f"共 {len(table.rows)} 行"
                _text(c, fs, page_w - MARGIN - fs.width(right, BODY_PT), y - BODY_PT, right, BODY_PT)
                y -= BODY_PT * 1.8
            y -= 4 * mm
        else:
            label = f"{table.title}（续）"
            _text(c, fs, MARGIN, y - TITLE_PT * 0.7, label, TITLE_PT * 0.7, "title")
            y -= TITLE_PT + 4 * mm
        y = _draw_row(c, fs, widths, head_lines, y, head_h, HEAD_PT, header=True, columns=table.columns)
        for i in page_rows:
            y = _draw_row(c, fs, widths, rows[i], y, heights[i], BODY_PT, columns=table.columns)
        foot = f"第 {n} 页 共 {total} 页"
        _text(c, fs, (page_w - fs.width(foot, 8.5)) / 2, MARGIN - 2 * mm, foot, 8.5)
        when = f"打印日期：{cn_date(table.printed_on)}"
        _text(c, fs, page_w - MARGIN - fs.width(when, 8.5), MARGIN - 2 * mm, when, 8.5)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_row(c: Canvas, fs: FontSet, widths: list[float], cells: list[list[str]], top: float, height: float,
              size: float, *, columns: list[ListColumn], header: bool = False) -> float:
    x = MARGIN
    c.setLineWidth(GRID)
    if header:
        c.setFillColorRGB(*HEAD_FILL)
        c.rect(MARGIN, top - height, sum(widths), height, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
    for w, lines, col in zip(widths, cells, columns, strict=True):
        c.rect(x, top - height, w, height, stroke=1, fill=0)
        y = top - PAD - size
        for line in lines:
            lw = fs.width(line, size, "title" if header else "body")
            align = "center" if header else col.align
            lx = x + PAD if align == "left" else (x + w - PAD - lw if align == "right" else x + (w - lw) / 2)
            _text(c, fs, lx, y, line, size, "title" if header else "body")
            y -= size * LEADING
        x += w
    return top - height
