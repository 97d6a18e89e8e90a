"""Render a form template with a filing's data (or blank) to PDF bytes with reportlab.

Two stages: ``layout_form`` turns a template and a context into pages of drawing operations (a
plain model the tests inspect: cell rectangles, type sizes, ticked boxes); ``draw_pages`` paints
them on a reportlab canvas. Borders are real table rules; check boxes are drawn squares with a
tick of two lines (no CJK font has ☐/☑); every text run uses an embedded TrueType subset.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from gzdesk.dates import cn_date
from gzdesk.printing import qr
from gzdesk.printing.context import blank_context, filing_context
from gzdesk.printing.fonts import FontSet, fonts
from gzdesk.printing.layout import LEADING, Flow, Token, fit_flow
from gzdesk.printing.templates import PAGE_SIZES_MM, Cond, Template, get
from gzdesk.workdays import WorkdayCalendar

PAD = 1.6 * mm  # inner cell padding, left and right
PAD_Y = 0.9 * mm  # inner cell padding, top and bottom
BLANK_DATE = "      年    月    日"
RULE = 0.6  # inner rules, points
FRAME = 1.1  # outer frame, points


# --------------------------------------------------------------------------- values


def lookup(ctx: dict[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    if head == "steps":
        title, _, key = rest.rpartition(".")
        return (ctx.get("steps", {}).get(title) or {}).get(key)
    node: Any = ctx
    for piece in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(piece)
    return node


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def holds(cond: Cond, ctx: dict[str, Any]) -> bool:
    for negate, path, values in cond.clauses:
        v = lookup(ctx, path)
        ok = bool(v) if values is None else _norm(v) in values
        if ok == negate:
            return False
    return True


@lru_cache(maxsize=4096)
def _provisional(d: date) -> bool:
    return not WorkdayCalendar.covered(d)


def show(value: Any) -> str:
    """A value as printed: dates 2026年11月22日 (预估 when the calendar is estimated), 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return cn_date(value, provisional=_provisional(value))
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def tokens_for(parts: list[dict[str, Any]], ctx: dict[str, Any]) -> list[Token]:
    out: list[Token] = []
    for p in parts:
        bold = bool(p.get("bold"))
        if "if" in p and not holds(p["if"], ctx):
            if "field" in p and "placeholder" in p:
                out.append(Token("text", str(p["placeholder"]), bold=bold))
            elif "field" in p and p.get("underline"):
                out.append(Token("text", "", underline=True, min_width=float(p.get("min_width_mm", 0)) * mm))
            continue
        if "unless" in p and holds(p["unless"], ctx):
            continue
        if "text" in p:
            out.append(Token("text", p["text"], bold=bold))
        elif "field" in p:
            value = show(lookup(ctx, p["field"]))
            if p.get("underline"):
                out.append(Token("text", value, underline=True, bold=bold,
                                 min_width=float(p.get("min_width_mm", 0)) * mm)
                           if value else Token("text", str(p.get("placeholder", "")), bold=bold)
                           if p.get("placeholder") else
                           Token("text", "", underline=True, min_width=float(p.get("min_width_mm", 0)) * mm))
            elif value:
                out.append(Token("text", value, bold=bold))
            elif p.get("placeholder"):
                out.append(Token("text", str(p["placeholder"]), bold=bold))
            elif p.get("min_width_mm"):
                out.append(Token("text", "", underline=True, min_width=float(p["min_width_mm"]) * mm))
        elif "date" in p:
            value = lookup(ctx, p["date"])
            out.append(Token("text", show(value) if value else BLANK_DATE, bold=bold))
        elif "box" in p:
            out.append(Token("box", checked=holds(p["box"], ctx)))
        elif p.get("hfill"):
            out.append(Token("hfill"))
        elif p.get("br"):
            out.append(Token("br"))
    # drop a trailing break that only separated empty content
    while out and out[-1].kind == "br":
        out.pop()
    return out


# --------------------------------------------------------------------------- layout model


@dataclass
class CellBox:
    """One laid-out cell: its rectangle (points, origin bottom-left) and what is printed in it."""

    row: int
    col: int
    x: float
    y: float
    w: float
    h: float
    body: Flow | None = None
    footer: list[Flow] = field(default_factory=list)
    image: tuple[str, Any] | None = None  # ("png", bytes) or ("qr", text)
    image_rect: tuple[float, float, float, float] | None = None
    align: str = "left"
    valign: str = "middle"
    body_top: float = 0.0  # y of the top of the body area
    body_h: float = 0.0

    def texts(self) -> list[str]:
        out = []
        for flow in ([self.body] if self.body else []) + self.footer:
            for line in flow.lines:
                out.append("".join(i.text for i in line.items if i.kind in ("text", "uline")))
        return out

    def boxes(self) -> list[bool]:
        out = []
        for flow in ([self.body] if self.body else []) + self.footer:
            for line in flow.lines:
                out.extend(i.checked for i in line.items if i.kind == "box")
        return out


@dataclass
class PageLayout:
    width: float
    height: float
    cells: list[CellBox] = field(default_factory=list)
    frame: tuple[float, float, float, float] | None = None
    title: str | None = None
    title_y: float = 0.0
    header: list[tuple[float, Flow]] = field(default_factory=list)  # (baseline y of first line, flow)
    number: str | None = None
    continued: str | None = None  # the heading of a continuation page


@dataclass
class FormLayout:
    template: Template
    pages: list[PageLayout]

    @property
    def cells(self) -> list[CellBox]:
        return [c for p in self.pages for c in p.cells]


def _expand_rows(t: Template, ctx: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Rows with ``repeat: chain`` copied per approval step; each with the context it reads."""
    out = []
    for row in t.data["rows"]:
        if row.get("repeat") == "chain":
            chain = ctx.get("chain") or [{"title": x, "signer_label": None} for x in t.data["blank_chain"]]
            for step in chain:
                out.append((row, dict(ctx, step=step)))
        else:
            out.append((row, ctx))
    return out


def _blocks(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[list[int]]:
    """Groups of row indexes that must stay on one page (joined by row spans)."""
    blocks: list[list[int]] = []
    reach = -1
    for i, (row, _) in enumerate(rows):
        if i <= reach or (blocks and rows[i - 1][0].get("keep_with_next")):
            blocks[-1].append(i)
        else:
            blocks.append([i])
        for cell in row["cells"]:
            reach = max(reach, i + cell["rowspan"] - 1)
    return blocks


def _layout_cell(cell: dict[str, Any], ctx: dict[str, Any], box: CellBox, base: float, min_pt: float,
                 fs: FontSet) -> None:
    size = float(cell.get("size_pt", base))
    box.align = cell.get("align") or "left"
    box.valign = cell.get("valign") or "middle"
    inner_w = box.w - 2 * PAD
    avail = box.h - 2 * PAD_Y
    y_bottom = box.y + PAD_Y
    for line_parts in reversed(cell.get("footer") or []):
        toks = tokens_for(line_parts, ctx)
        flow = fit_flow(toks, inner_w, max(avail, size * LEADING), size, min_pt, fs)
        box.footer.insert(0, flow)
        avail -= flow.height
    box.body_top = box.y + box.h - PAD_Y
    image = cell.get("image")
    toks = tokens_for(cell.get("parts") or [], ctx)
    if image:
        # the caption takes what it needs; the image the rest
        cap = fit_flow(toks, inner_w, avail, size, min_pt, fs) if toks else None
        cap_h = cap.height if cap else 0.0
        box.body, box.body_h = cap, cap_h
        data = lookup(ctx, image["field"])
        text = lookup(ctx, image["qr_from"]) if image.get("qr_from") else None
        side = min(float(image.get("size_mm", 28)) * mm, avail - cap_h - 1, inner_w)
        if side > 10 and (data or text):
            box.image = ("png", data) if data else ("qr", str(text))
            ix = box.x + (box.w - side) / 2
            iy = y_bottom + (avail - cap_h - side) / 2 + (box.h - 2 * PAD_Y - avail)
            box.image_rect = (ix, iy, side, side)
        return
    box.body_h = max(avail, 0.0)
    if toks:
        box.body = fit_flow(toks, inner_w, box.body_h, size, min_pt, fs)


def layout_form(t: Template, ctx: dict[str, Any], fs: FontSet | None = None) -> FormLayout:
    """Pages of laid-out cells for one form."""
    fs = fs or fonts()
    page_w_mm, page_h_mm = PAGE_SIZES_MM[t.data["page"]["size"]]
    pw, ph = page_w_mm * mm, page_h_mm * mm
    top, right, bottom, left = (float(v) * mm for v in t.data["page"]["margins_mm"])
    f = t.data["fonts"]
    base, title_pt, min_pt = float(f["body_pt"]), float(f["title_pt"]), float(f["min_pt"])
    cols = t.data["columns"]
    table_w = pw - left - right
    col_x = [left]
    for c in cols:
        col_x.append(col_x[-1] + table_w * c / sum(cols))
    footer_h = 8 * mm
    number = (ctx.get("filing") or {}).get("number")

    rows = _expand_rows(t, ctx)
    heights = [row["height_mm"] * mm for row, _ in rows]
    # first-page head: title and header lines
    head_h = title_pt * 1.9
    header_flows: list[Flow] = []
    for line in t.data.get("header") or []:
        flow = fit_flow(tokens_for(line, ctx), table_w, base * LEADING * 2, base, min_pt, fs)
        header_flows.append(flow)
        head_h += flow.height + 1.5 * mm
    first_avail = ph - top - bottom - footer_h - head_h
    cont_h = base * 2.2  # continuation pages start with "《表名》（续）"
    later_avail = ph - top - bottom - footer_h - cont_h
    total = sum(heights)
    if first_avail < total <= first_avail / 0.86:  # a little too tall: tighten rather than break
        scale = first_avail / total
        heights = [h * scale for h in heights]
        total = first_avail

    pages: list[PageLayout] = []
    page_rows: list[list[int]] = [[]]
    used = 0.0
    for block in _blocks(rows):
        bh = sum(heights[i] for i in block)
        avail = first_avail if len(page_rows) == 1 else later_avail
        if used + bh > avail + 0.01 and page_rows[-1]:
            page_rows.append([])
            used = 0.0
        page_rows[-1].extend(block)
        used += bh

    for pi, indexes in enumerate(page_rows):
        page = PageLayout(pw, ph, number=number)
        y = ph - top
        if pi == 0:
            page.title = t.title
            page.title_y = y - title_pt
            y -= head_h
            hy = y + sum(fl.height + 1.5 * mm for fl in header_flows)
            for flow in header_flows:
                page.header.append((hy - flow.size, flow))
                hy -= flow.height + 1.5 * mm
        else:
            page.continued = f"《{t.title}》（续）"
            page.title_y = y - base
            y -= cont_h
        y_top = y
        # grid line positions for the rows on this page
        row_top: dict[int, float] = {}
        for i in indexes:
            row_top[i] = y
            y -= heights[i]
        page.frame = (left, y, table_w, y_top - y)
        for i in indexes:
            row, rctx = rows[i]
            for cell in row["cells"]:
                span = [k for k in range(i, i + cell["rowspan"]) if k in row_top]
                h = sum(heights[k] for k in span)
                x0, x1 = col_x[cell["col"]], col_x[cell["col"] + cell["colspan"]]
                box = CellBox(i, cell["col"], x0, row_top[i] - h, x1 - x0, h)
                _layout_cell(cell, rctx, box, base, min_pt, fs)
                page.cells.append(box)
        pages.append(page)
    return FormLayout(t, pages)


# --------------------------------------------------------------------------- drawing


def _draw_text(c: Canvas, fs: FontSet, x: float, y: float, text: str, size: float, role: str = "body") -> None:
    for face, run in fs.runs(text, role):
        c.setFont(face.name, size)
        c.drawString(x, y, run)
        x += face.width(run, size)


def _draw_box(c: Canvas, x: float, y: float, side: float, checked: bool) -> None:
    c.setLineWidth(0.6)
    c.rect(x, y, side, side, stroke=1, fill=0)
    if checked:
        c.setLineWidth(max(0.9, side * 0.12))
        p = c.beginPath()
        p.moveTo(x + side * 0.18, y + side * 0.52)
        p.lineTo(x + side * 0.42, y + side * 0.22)
        p.lineTo(x + side * 0.85, y + side * 0.86)
        c.drawPath(p, stroke=1, fill=0)


def _draw_flow(c: Canvas, fs: FontSet, flow: Flow, x: float, width: float, top: float, align: str) -> None:
    s = flow.size
    y = top - s * 0.96  # baseline of the first line
    for line in flow.lines:
        extra = max(width - line.width, 0.0)
        if line.hfill_at is not None:
            offset_before, offset_after = 0.0, extra
        elif align == "center":
            offset_before = offset_after = extra / 2
        elif align == "right":
            offset_before = offset_after = extra
        else:
            offset_before = offset_after = 0.0
        for k, it in enumerate(line.items):
            dx = offset_after if (line.hfill_at is not None and k >= line.hfill_at) else offset_before
            ix = x + it.x + dx
            role = "title" if it.bold else "body"
            if it.kind == "text":
                _draw_text(c, fs, ix, y, it.text, s, role)
            elif it.kind == "uline":
                if it.text:
                    _draw_text(c, fs, ix + s * 0.25, y, it.text, s, role)
                c.setLineWidth(0.5)
                c.line(ix, y - s * 0.18, ix + it.width, y - s * 0.18)
            elif it.kind == "box":
                _draw_box(c, ix, y - s * 0.08, it.width, it.checked)
        y -= s * LEADING


def _draw_cell(c: Canvas, fs: FontSet, box: CellBox) -> None:
    c.setLineWidth(RULE)
    c.rect(box.x, box.y, box.w, box.h, stroke=1, fill=0)
    inner_x, inner_w = box.x + PAD, box.w - 2 * PAD
    if box.body and box.body.lines:
        bh = box.body.height
        if box.image is not None or box.valign == "top":
            top = box.body_top
        elif box.valign == "bottom":
            top = box.body_top - box.body_h + bh
        else:
            top = box.body_top - (box.body_h - bh) / 2
        _draw_flow(c, fs, box.body, inner_x, inner_w, top, box.align)
    y = box.y + PAD_Y + sum(f.height for f in box.footer)
    for flow in box.footer:
        _draw_flow(c, fs, flow, inner_x, inner_w, y, box.align if box.align != "center" else "center")
        y -= flow.height
    if box.image is not None and box.image_rect is not None:
        x, y0, w, h = box.image_rect
        kind, payload = box.image
        if kind == "png" and not qr.draw_image(c, payload, x, y0, w, h):
            _draw_text(c, fs, x, y0 + h / 2, "（二维码图片无法读取）", 8)
        elif kind == "qr":
            qr.draw_qr(c, payload, x, y0, w)


def draw_pages(c: Canvas, fs: FontSet, layout: FormLayout, note: str = "") -> None:
    n = len(layout.pages)
    title_pt = float(layout.template.data["fonts"]["title_pt"])
    bottom = float(layout.template.data["page"]["margins_mm"][2]) * mm
    for k, page in enumerate(layout.pages, start=1):
        c.setPageSize((page.width, page.height))
        if page.title:
            w = fs.width(page.title, title_pt, "title")
            _draw_text(c, fs, (page.width - w) / 2, page.title_y, page.title, title_pt, "title")
        if page.continued:
            x0 = page.frame[0] if page.frame else 0
            _draw_text(c, fs, x0, page.title_y, page.continued, 10.5)
        if page.number and k == 1:
            label = f"备案编号：{page.number}"
            w = fs.width(label, 9)
            fx = page.frame[0] + page.frame[2] if page.frame else page.width
            _draw_text(c, fs, fx - w, page.title_y + title_pt + 2, label, 9)
        for y, flow in page.header:
            x0 = page.frame[0] if page.frame else 0
            _draw_flow(c, fs, flow, x0, page.frame[2] if page.frame else page.width, y + flow.size, "left")
        for box in page.cells:
            _draw_cell(c, fs, box)
        if page.frame:
            c.setLineWidth(FRAME)
            c.rect(*page.frame, stroke=1, fill=0)
        foot = f"第 {k} 页 共 {n} 页"
        if page.number:
            foot += f"    备案编号：{page.number}"
        w = fs.width(foot, 9)
        _draw_text(c, fs, (page.width - w) / 2, bottom, foot, 9)
        if note:  # small, under the page number: the audit chain head when printed (gzdesk.audit)
            w = fs.width(note, 6.5)
            _draw_text(c, fs, (page.width - w) / 2, bottom - 9, note, 6.5)
        c.showPage()


def _new_canvas(buf: io.BytesIO, title: str) -> Canvas:
    c = Canvas(buf, pageCompression=1, initialFontName=fonts().body.name)
    c.setTitle(title)
    c.setAuthor("gzdesk")
    c.setCreator("gzdesk 政务新媒体备案台账")
    return c


def render_layouts(layouts: list[FormLayout], title: str, note: str = "") -> bytes:
    fs = fonts()
    buf = io.BytesIO()
    c = _new_canvas(buf, title)
    for layout in layouts:
        draw_pages(c, fs, layout, note)
    c.save()
    return buf.getvalue()


def render_context(template: Template, ctx: dict[str, Any], note: str = "") -> bytes:
    """PDF bytes of one form filled from ``ctx`` (see ``gzdesk.printing.context.build_context``)."""
    number = (ctx.get("filing") or {}).get("number")
    title = template.title + (f"（{number}）" if number else "")
    return render_layouts([layout_form(template, ctx)], title, note)


def audit_note(session) -> str:
    """The footer's small line: the audit chain head when the form was printed, which anyone can
    later compare with ``gzdesk verify --head`` (it proves nothing by itself, see ``gzdesk.audit``)."""
    from gzdesk import audit

    head = audit.chain_head(session.connection())
    return f"打印时审计链末端：第 {head[0]} 条 {head[1][:16]}" if head else ""


def render_blank(template_id: str, chain: list | None = None) -> bytes:
    """A blank form (for filling in by hand). ``chain``: the approval blocks of a template with an
    approval region — titles, or ``{"title", "signer_label"}`` dicts as in a profile's chain."""
    t = get(template_id)
    return render_context(t, blank_context(chain))


def render_filing(session, filing_id: int) -> bytes:
    """The filled form of one filing (its frozen account data, steps and office)."""
    template_id, ctx = filing_context(session, filing_id)
    return render_context(get(template_id), ctx, audit_note(session))


def render_filings(session, filing_ids: list[int]) -> bytes:
    """Several filings in one PDF (batch printing), each with its own page numbering."""
    layouts = []
    for fid in filing_ids:
        template_id, ctx = filing_context(session, fid)
        layouts.append(layout_form(get(template_id), ctx))
    return render_layouts(layouts, "政务新媒体备案登记表", audit_note(session))
