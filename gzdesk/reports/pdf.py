"""A small document builder for the supervision reports (reportlab platypus, embedded CJK fonts).

The fonts are the printed forms' (``gzdesk.printing.fonts``): body 仿宋/宋体-like, headings 黑体-like,
both embedded as subsets; a character the body face lacks is drawn with the heading face
(``FontSet.runs``). Check marks are never glyphs. Pages are A4 with 公文-like margins and a page
number at the foot (— 1 —).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _paragraph

from gzdesk.errors import UserError
from gzdesk.printing.fonts import FontSet, fonts

RED = colors.HexColor("#C00000")

# reportlab's CJK line breaking keeps ASCII and a few CJK marks off the start of a line, but not the
# full-width comma, semicolon, colon and closing brackets Chinese text uses (a line began "，我单位…").
_NO_LINE_START = "，；：！？》〉）〕】」』、。％"
for _module in (_paragraph, _textsplit):  # one paragraph of one font goes through textsplit.wordSplit
    _module.ALL_CANNOT_START += "".join(ch for ch in _NO_LINE_START if ch not in _module.ALL_CANNOT_START)


def markup(text: str, fs: FontSet, role: str = "body") -> str:
    """Escaped paragraph markup; runs the role's face lacks are set in the other face."""
    out = []
    for face, run in fs.runs(str(text), role):
        t = escape(run).replace("\n", "<br/>")
        default = fs.body if role == "body" else fs.title
        out.append(t if face is default else f'<font name="{face.name}">{t}</font>')
    return "".join(out)


class Doc:
    """Collects flowables; ``write(path)`` renders them to a PDF (atomically)."""

    def __init__(self, title: str, *, wide: bool = False):
        self.fs = fonts()
        self.title = title
        self.pagesize = landscape(A4) if wide else A4
        self.story: list[Flowable] = []
        body, head = self.fs.body.name, self.fs.title.name
        self.styles = {
            "title": ParagraphStyle("title", fontName=head, fontSize=18, leading=28, alignment=TA_CENTER,
                                    spaceAfter=4 * mm, wordWrap="CJK"),
            "subtitle": ParagraphStyle("subtitle", fontName=body, fontSize=12, leading=18, alignment=TA_CENTER,
                                       spaceAfter=5 * mm, wordWrap="CJK"),
            "h1": ParagraphStyle("h1", fontName=head, fontSize=14, leading=22, spaceBefore=3 * mm,
                                 spaceAfter=1.5 * mm, wordWrap="CJK", keepWithNext=1),  # never last on a page
            "body": ParagraphStyle("body", fontName=body, fontSize=12, leading=20, firstLineIndent=24,
                                   alignment=TA_JUSTIFY, wordWrap="CJK"),
            "plain": ParagraphStyle("plain", fontName=body, fontSize=12, leading=20, wordWrap="CJK"),
            "cell": ParagraphStyle("cell", fontName=body, fontSize=9.5, leading=13, wordWrap="CJK"),
            "cellc": ParagraphStyle("cellc", fontName=body, fontSize=9.5, leading=13, alignment=TA_CENTER,
                                    wordWrap="CJK"),
            "cell_s": ParagraphStyle("cell_s", fontName=body, fontSize=8.5, leading=11, wordWrap="CJK"),
            "cellc_s": ParagraphStyle("cellc_s", fontName=body, fontSize=8.5, leading=11, alignment=TA_CENTER,
                                      wordWrap="CJK"),
            "head": ParagraphStyle("head", fontName=head, fontSize=9.5, leading=13, alignment=TA_CENTER,
                                   wordWrap="CJK"),
            "small": ParagraphStyle("small", fontName=body, fontSize=9.5, leading=14, wordWrap="CJK"),
            "right": ParagraphStyle("right", fontName=body, fontSize=12, leading=20, alignment=TA_RIGHT,
                                    wordWrap="CJK"),
            "issuer": ParagraphStyle("issuer", fontName=head, fontSize=26, leading=36, alignment=TA_CENTER,
                                     textColor=RED, wordWrap="CJK"),
            "docno": ParagraphStyle("docno", fontName=body, fontSize=12, leading=20, alignment=TA_CENTER,
                                    wordWrap="CJK"),
        }

    @property
    def width(self) -> float:
        return self.pagesize[0] - 2 * 25 * mm

    def p(self, text: str, style: str = "body") -> Paragraph:
        role = "title" if self.styles[style].fontName == self.fs.title.name else "body"
        return Paragraph(markup(text, self.fs, role), self.styles[style])

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def para(self, text: str, style: str = "body") -> None:
        self.story.append(self.p(text, style))

    def space(self, h_mm: float = 3) -> None:
        self.story.append(Spacer(1, h_mm * mm))

    def red_rule(self) -> None:
        self.story.append(_Rule(self.width, RED, 1.6))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]], widths_mm: Sequence[float],
              *, centred: Sequence[int] = (), spans: Sequence[tuple] = (), shade: Sequence[int] = (),
              red: Sequence[int] = (), repeat: int = 1, small: bool = False) -> None:
        """A ruled table: header row in the heading face, cells wrapped; ``centred`` column indexes;
        ``spans`` reportlab SPAN commands ((c0, r0), (c1, r1)) in data coordinates (header is row 0);
        ``shade`` data rows (1-based) with a light grey background, ``red`` with a light red one."""
        total = sum(widths_mm)
        scale = self.width / (total * mm) if total * mm > self.width else 1.0
        widths = [w * mm * scale for w in widths_mm]
        data = [[self.p(h, "head") for h in header]] if header else []
        for r in rows:
            data.append([c if isinstance(c, Flowable) else
                         self.p("" if c is None else str(c),
                                ("cellc" if i in centred else "cell") + ("_s" if small else ""))
                         for i, c in enumerate(r)])
        pad = (1.5, 2.5) if small else (2.5, 3.5)
        style = [("FONTNAME", (0, 0), (-1, -1), self.fs.body.name),  # the table's own default is Helvetica
                 ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("TOPPADDING", (0, 0), (-1, -1), pad[0]), ("BOTTOMPADDING", (0, 0), (-1, -1), pad[1]),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")))
        for a, b in spans:
            style.append(("SPAN", a, b))
        for row_no in shade:
            style.append(("BACKGROUND", (0, row_no), (-1, row_no), colors.HexColor("#F0F0F0")))
        for row_no in red:
            style.append(("BACKGROUND", (0, row_no), (-1, row_no), colors.HexColor("#FDECEA")))
        t = Table(data, colWidths=widths, repeatRows=repeat if header else 0)
        t.setStyle(TableStyle(style))
        self.story.append(t)
        self.story.append(Spacer(1, 2.5 * mm))

    def signature(self, lines: Sequence[str], space_mm: float = 8) -> None:
        """Right-aligned lines (报送单位（盖章）, 负责人签字, 年 月 日) kept together with the paragraph
        before them: a signature never stands alone on a page (公文 practice)."""
        block = [Spacer(1, space_mm * mm)] + [self.p(line, "right") for line in lines]
        if self.story and isinstance(self.story[-1], Paragraph):
            block.insert(0, self.story.pop())
        self.story.append(KeepTogether(block))

    def render(self) -> bytes:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=self.pagesize, leftMargin=25 * mm, rightMargin=25 * mm,
                                topMargin=25 * mm, bottomMargin=22 * mm, title=self.title, author="gzdesk",
                                creator="gzdesk 政务新媒体备案台账", initialFontName=self.fs.body.name)
        body = self.fs.body.name

        def footer(canvas, document) -> None:
            canvas.saveState()
            canvas.setFont(body, 11)
            canvas.drawCentredString(self.pagesize[0] / 2, 12 * mm, f"— {document.page} —")
            canvas.restoreState()

        doc.build(list(self.story), onFirstPage=footer, onLaterPages=footer)
        return buf.getvalue()

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        if not path.parent.exists():
            raise UserError(f"文件夹不存在：{path.parent}")
        data = self.render()
        tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except PermissionError as exc:
            raise UserError(f"无法写入 {path.name}：文件可能正在打开，请关闭后重试") from exc
        finally:
            if tmp.exists():
                tmp.unlink()
        return path


class _Rule(Flowable):
    def __init__(self, width: float, colour, thickness: float):
        super().__init__()
        self.width, self.colour, self.thickness = width, colour, thickness

    def wrap(self, _w, _h):
        return self.width, 3 * mm

    def draw(self) -> None:
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 1.5 * mm, self.width, 1.5 * mm)
