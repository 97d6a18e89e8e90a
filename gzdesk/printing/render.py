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
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from gzdesk.dates import cn_date
from gzdesk.printing import qr
from gzdesk.printing.context import blank_context, filing_context
from gzdesk.printing.fonts import FontSet, fonts
from gzdesk.printing.layout import LEADING, Flow, Token, fit_flow, natural_height, sizes
from gzdesk.printing.options import PrintOptions
from gzdesk.printing.templates import PAGE_SIZES_MM, Cond, Template, get

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


def show(value: Any) -> str:
    """A value as printed: dates 2026年11月22日, 是/否.

    Every date a form prints was entered (填表时间, 创建日期, the day a step was signed): none rests
    on the working-day calendar, so none is marked 预估 — a 2027 signature is not an estimate.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return cn_date(value)
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
            out.append(Token("text", p["text"], bold=bold, nobreak=bool(p.get("nobreak"))))
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
            blank = str(p["blank"]) if "blank" in p else BLANK_DATE  # 南通 开设时间: an empty cell, as in the seed
            if value or blank:
                out.append(Token("text", show(value) if value else blank, bold=bold))
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

OVERFLOW_MARK = "……（见附页）"
SHORT_MARK = "…见附页"  # in a cell narrower than a dozen characters
SEAL_FLOOR = 30 * mm  # seal room kept for an 意见 block even when the values are long
MIN_ROW = 6.5 * mm  # no row lower than one line of 10.5 pt with its padding


@dataclass
class Overflow:
    """A value that did not fit its cell even at the smallest size: printed whole on the 附页."""

    label: str
    text: str


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
    image_caption: str | None = None  # under a generated QR code: （据访问链接生成）
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
        out: list[bool] = []
        for flow in ([self.body] if self.body else []) + self.footer:
            for line in flow.lines:
                out.extend(i.checked for i in line.items if i.kind == "box")
        return out

    def sizes(self) -> list[float]:
        """The type sizes of the text printed in this cell."""
        return [f.size for f in ([self.body] if self.body else []) + self.footer if f.lines]

    @property
    def truncated(self) -> bool:
        return any(f.truncated for f in ([self.body] if self.body else []) + self.footer)


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
    attachment_label: str | None = None  # 附件1, above the title (南通)
    appendix: list[tuple[float, Flow, bool]] = field(default_factory=list)  # 附页: (top y, flow, is heading)


@dataclass
class FormLayout:
    template: Template
    pages: list[PageLayout]
    overflow: list[Overflow] = field(default_factory=list)

    @property
    def cells(self) -> list[CellBox]:
        return [c for p in self.pages for c in p.cells]

    @property
    def form_pages(self) -> list[PageLayout]:
        return [p for p in self.pages if not p.appendix]


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


def _literal(cell: dict[str, Any]) -> str:
    """The printed text of a cell made of literal text only ("" when it holds any value)."""
    parts = cell.get("parts") or []
    if not parts or any(set(p) - {"text", "bold", "nobreak"} for p in parts) or cell.get("image"):
        return ""
    return "".join(p["text"] for p in parts).replace("\n", "")


def _labels(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[tuple[int, int], str]:
    """The label of each value cell, for its heading on the 附页: the cell's own ``label``, else the
    nearest all-literal cell to its left in the row, else its own leading literal text, else the
    row's approval step title."""
    out: dict[tuple[int, int], str] = {}
    heads: dict[int, tuple[str, int]] = {}  # column → (its heading in a header row, last row it heads)
    for i, (row, rctx) in enumerate(rows):
        texts = ["".join(_literal(c).split()) for c in row["cells"]]
        if len(texts) >= 3 and all(texts[1:]):  # a header row (职责 / 姓名 / 单位及职务 …)
            reach = i + max(c["rowspan"] for c in row["cells"]) - 1
            for c, text in zip(row["cells"], texts, strict=True):
                heads[c["col"]] = (text, reach)
        left = ""
        for cell in row["cells"]:
            text = "".join(_literal(cell).split())
            if text:
                left = text
                continue
            head = heads.get(cell["col"])
            label = cell.get("label") or (f"{left}{head[0]}" if head and i <= head[1] and left else left)
            if not label:
                lead = []
                for p in cell.get("parts") or []:
                    if set(p) - {"text", "bold", "nobreak"}:
                        break
                    lead.append(p["text"])
                label = "".join("".join(lead).split()).rstrip("：:")
            if not label and "step" in rctx:
                label = str(rctx["step"].get("title") or "")
            out[(i, cell["col"])] = label or "（未命名栏目）"
    return out


def _tokens_text(tokens: list[Token]) -> str:
    out = []
    for t in tokens:
        if t.kind == "text":
            out.append(t.text)
        elif t.kind == "br":
            out.append("\n")
    return "".join(out).strip()


class _Page:
    """Fits the rows of one page: row heights, then the cells inside them."""

    def __init__(self, t: Template, rows, indexes: list[int], col_x: list[float], base: float, min_pt: float,
                 fs: FontSet, labels: dict[tuple[int, int], str]):
        self.t, self.rows, self.indexes, self.col_x = t, rows, indexes, col_x
        self.base, self.min_pt, self.fs, self.labels = base, min_pt, fs, labels
        self.on_page = set(indexes)

    def _cells(self):
        for i in self.indexes:
            row, rctx = self.rows[i]
            for cell in row["cells"]:
                span = [k for k in range(i, i + cell["rowspan"]) if k in self.on_page]
                yield i, cell, rctx, span

    def _width(self, cell: dict[str, Any]) -> float:
        return self.col_x[cell["col"] + cell["colspan"]] - self.col_x[cell["col"]] - 2 * PAD

    def need(self, cell: dict[str, Any], ctx: dict[str, Any], size: float) -> float:
        """Height the cell needs with its values at ``size`` (labels and signatures at theirs)."""
        own = float(cell.get("size_pt", self.base))
        width = self._width(cell)
        h = 2 * PAD_Y
        for line_parts in cell.get("footer") or []:
            h += natural_height(tokens_for(line_parts, ctx), width, own, self.min_pt, self.fs)[0]
        toks = tokens_for(cell.get("parts") or [], ctx)
        body_size = min(own, size) if _has_value(cell) else own
        h += natural_height(toks, width, body_size, self.min_pt, self.fs)[0]
        image = cell.get("image")
        if image:
            h += float(image.get("size_mm", 28)) * mm + 1 + (9 * LEADING if _qr_generated(image, ctx) else 0)
        return h

    def heights(self, avail: float) -> list[float]:
        """Row heights (points) for this page: room for the seals (``seal_mm``), rows grown to their
        content, then what is left of the page given to the rows that may grow (``grow``)."""
        idx = self.indexes
        minimum = {i: max(self.rows[i][0]["height_mm"] * mm, MIN_ROW) for i in idx}
        total_min = sum(minimum.values())
        if total_min > avail:  # the designed rows alone are a little too tall: tighten them
            scale = avail / total_min
            minimum = {i: h * scale for i, h in minimum.items()}
        seals = {i: float(self.rows[i][0]["seal_mm"]) * mm for i in idx if self.rows[i][0].get("seal_mm")}
        grow = [i for i in idx if self.rows[i][0].get("grow")]
        # the seal room the design allows (as on the blank form), at most SEAL_FLOOR
        designed = dict(minimum)
        _fill(designed, {i: max(minimum[i], min(v, SEAL_FLOOR)) for i, v in seals.items()},
              avail - sum(minimum.values()))
        floor = {i: designed[i] for i in seals}
        cells = list(self._cells())
        at_base = {id(c): self.need(c, ctx, self.base) for _, c, ctx, _ in cells}

        def row_need(size: dict[int, float]) -> dict[int, float]:
            """Row heights holding their cells, the cells in ``size`` at that size (else at base)."""
            need = dict(minimum)
            for i, cell, ctx, span in cells:
                if len(span) == 1:
                    h = self.need(cell, ctx, size[id(cell)]) if id(cell) in size else at_base[id(cell)]
                    need[i] = max(need[i], h)
            for _i, cell, ctx, span in cells:
                if len(span) > 1:
                    h = self.need(cell, ctx, size[id(cell)]) if id(cell) in size else at_base[id(cell)]
                    short = h - sum(need[k] for k in span)
                    if short > 0:
                        need[span[-1]] += short
            return need

        # The cells too tall for their rows at the body size, in ordinary rows (a name, a phone
        # number, an 意见) and in the rows meant for long text (``grow``: 简介, 理由). The largest
        # size (10.5 pt down to 9 pt) for the first at which they fit the page; then for the second
        # at which they fit beside them and the seal room (SEAL_FLOOR).
        long = [(i, c) for i, c, ctx, span in cells if at_base[id(c)] > sum(minimum[k] for k in span) + 0.01]
        ordinary = [c for i, c in long if i not in grow]
        wordy = [c for i, c in long if i in grow]
        size: dict[int, float] = {}
        for s1 in sizes(self.base, self.min_pt):
            size.update({id(c): s1 for c in ordinary})
            need = row_need(size)
            if sum(need[i] for i in idx if i not in grow) + sum(minimum[i] for i in grow) <= avail + 0.01:
                break
        for s3 in sizes(self.base, self.min_pt):
            size.update({id(c): s3 for c in wordy})
            need = row_need(size)
            if sum(max(need[i], floor.get(i, 0.0)) for i in idx) <= avail + 0.01:
                break
        # The page's space beyond each row's least height, in this order (each step shares what
        # is left by water-filling: rows that need little get all of it, the big ones are capped):
        # 1. the content of ordinary rows (a name, a phone number, an 意见);
        # 2. room for a seal in each 意见 block, up to SEAL_FLOOR — a long value can continue on
        #    the 附页, a seal cannot;
        # 3. the content of the rows meant for long text (``grow``: 简介, 理由);
        # 4. the seal blocks again, up to their ``seal_mm`` (40 mm, a county seal is 42 mm across);
        # 5. what is left, to the ``grow`` rows in proportion. What a capped cell cannot hold
        #    goes to the 附页.
        heights = dict(minimum)
        room = avail - sum(heights.values())
        for targets in ({i: need[i] for i in idx if i not in grow}, floor, {i: need[i] for i in grow}, seals):
            room = _fill(heights, targets, room)
        if room > 0.5 and grow:
            weight = sum(heights[i] for i in grow)
            for i in grow:
                heights[i] += room * heights[i] / weight
        return [heights[i] for i in idx]


def _fill(heights: dict[int, float], targets: dict[int, float], room: float) -> float:
    """Raise rows towards their target heights with ``room`` points, by water-filling (every row
    short of its target gets the same, up to what it lacks); returns the room left."""
    gaps = {i: t - heights[i] for i, t in targets.items() if t - heights[i] > 0.01}
    if room <= 0 or not gaps:
        return room
    level = _water_level(list(gaps.values()), room)
    for i, gap in gaps.items():
        add = min(gap, level)
        heights[i] += add
        room -= add
    return room


def _water_level(amounts: list[float], room: float) -> float:
    """The cap L with sum(min(a, L) for a in amounts) == room (0 when there is no room)."""
    if room <= 0:
        return 0.0
    left, n = room, len(amounts)
    for k, a in enumerate(sorted(amounts)):
        if a * (n - k) >= left:
            return left / (n - k)
        left -= a
    return max(amounts, default=0.0)


def _has_value(cell: dict[str, Any]) -> bool:
    return any("field" in p or "date" in p for p in cell.get("parts") or [])


def _qr_generated(image: dict[str, Any], ctx: dict[str, Any]) -> bool:
    """Whether the QR cell shows a code drawn from the 访问链接 (a setting; marked as such)."""
    return (not lookup(ctx, image["field"]) and bool(image.get("qr_from"))
            and bool(lookup(ctx, "form.qr_from_url")) and bool(lookup(ctx, image["qr_from"])))


def _layout_cell(cell: dict[str, Any], ctx: dict[str, Any], box: CellBox, base: float, min_pt: float,
                 fs: FontSet, label: str, overflow: list[Overflow]) -> None:
    size = float(cell.get("size_pt", base))
    box.align = cell.get("align") or "left"
    box.valign = cell.get("valign") or "middle"
    inner_w = box.w - 2 * PAD
    OVERFLOW_MARK = _mark(inner_w, min_pt, fs)  # noqa: N806 - the mark this cell uses
    avail = box.h - 2 * PAD_Y
    y_bottom = box.y + PAD_Y
    cut: list[str] = []
    footers = cell.get("footer") or []
    # the signature lines share the cell with at least one line of its body (the 意见)
    body_reserve = min_pt * LEADING if cell.get("parts") else 0.0
    per_line = max((avail - body_reserve) / len(footers), min_pt * LEADING) if footers else 0.0
    for line_parts in reversed(footers):
        toks = tokens_for(line_parts, ctx)
        flow = fit_flow(toks, inner_w, per_line, size, min_pt, fs, OVERFLOW_MARK)
        if flow.truncated:
            cut.append(_tokens_text(toks))
        box.footer.insert(0, flow)
        avail -= flow.height
    box.body_top = box.y + box.h - PAD_Y
    image = cell.get("image")
    toks = tokens_for(cell.get("parts") or [], ctx)
    if image and not (lookup(ctx, image["field"]) or _qr_generated(image, ctx)):
        image = None  # no picture: the cell prints its text (the seed's （请插入图片）) as any other
    if image:
        # the caption takes what it needs; the image the rest
        cap = fit_flow(toks, inner_w, avail, size, min_pt, fs, OVERFLOW_MARK) if toks else None
        cap_h = cap.height if cap else 0.0
        box.body, box.body_h = cap, cap_h
        data = lookup(ctx, image["field"])
        generated = _qr_generated(image, ctx)
        note_h = 9 * LEADING if generated else 0.0
        side = min(float(image.get("size_mm", 28)) * mm, avail - cap_h - note_h - 1, inner_w)
        if side > 10 and (data or generated):
            box.image = ("png", data) if data else ("qr", str(lookup(ctx, image["qr_from"])))
            box.image_caption = "（据访问链接生成）" if generated else None
            ix = box.x + (box.w - side) / 2
            iy = y_bottom + note_h + (avail - cap_h - note_h - side) / 2 + (box.h - 2 * PAD_Y - avail)
            box.image_rect = (ix, iy, side, side)
        return
    box.body_h = max(avail, 0.0)
    if toks:
        box.body = fit_flow(toks, inner_w, box.body_h, size, min_pt, fs, OVERFLOW_MARK)
        if box.body.truncated:
            cut.insert(0, _tokens_text(toks))
    for text in cut:
        for lead in (f"{label}：", f"{label}:"):  # the heading says it already (基本情况介绍：…)
            if text.startswith(lead):
                text = text[len(lead):].lstrip("\n")
        overflow.append(Overflow(label, text))


def _mark(width: float, size: float, fs: FontSet) -> str:
    return OVERFLOW_MARK if width >= fs.width("字" * 12, size) else SHORT_MARK


def _appendix_pages(t: Template, title: str, overflow: list[Overflow], pw: float, ph: float, margins, number,
                    base: float, fs: FontSet) -> list[PageLayout]:
    """The 附页: each value that did not fit its cell, whole, under the label of its cell."""
    top, right, bottom, left = margins
    width = pw - left - right
    footer_h = 8 * mm
    pages: list[PageLayout] = []
    page: PageLayout | None = None
    y = 0.0
    for k, item in enumerate(overflow, start=1):
        head = fit_flow([Token("text", f"{_ordinal(k)}、{item.label}（续表中“见附页”处）", bold=True)], width, 1e6,
                        base, base, fs)
        body = fit_flow([Token("text", item.text)], width, 1e6, base, base, fs)
        for flow, is_head in ((head, True), (body, False)):
            lines = list(flow.lines)
            while lines:
                if page is None or y - flow.size * LEADING < bottom + footer_h:
                    page = PageLayout(pw, ph, number=number, title=f"{title}附页" if not pages else None,
                                      continued=None if not pages else f"《{title}》附页（续）")
                    pages.append(page)
                    y = ph - top - (18 * 1.9 if len(pages) == 1 else base * 2.2)
                    page.title_y = ph - top - (18 if len(pages) == 1 else base)
                fit_n = max(1, int((y - bottom - footer_h) // (flow.size * LEADING)))
                chunk, lines = lines[:fit_n], lines[fit_n:]
                part = Flow(chunk, flow.size)
                page.appendix.append((y, part, is_head))
                y -= part.height + (1.5 * mm if not is_head else 0.5 * mm)
    return pages


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return (digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")) if n < 100 else str(n)


def layout_form(t: Template, ctx: dict[str, Any], fs: FontSet | None = None) -> FormLayout:
    """Pages of laid-out cells for one form, and its 附页 when a value could not fit."""
    fs = fs or fonts()
    page_w_mm, page_h_mm = PAGE_SIZES_MM[t.data["page"]["size"]]
    pw, ph = page_w_mm * mm, page_h_mm * mm
    margins = tuple(float(v) * mm for v in t.data["page"]["margins_mm"])
    top, right, bottom, left = margins
    f = t.data["fonts"]
    base, title_pt, min_pt = float(f["body_pt"]), float(f["title_pt"]), float(f["min_pt"])
    cols = t.data["columns"]
    table_w = pw - left - right
    col_x = [left]
    for c in cols:
        col_x.append(col_x[-1] + table_w * c / sum(cols))
    footer_h = 8 * mm
    form = ctx.get("form") or {}
    number = (ctx.get("filing") or {}).get("number")
    title = str(form.get("title") or t.title)
    attachment = t.data.get("attachment_label") if form.get("attachment_label", True) else None
    overflow: list[Overflow] = []

    rows = _expand_rows(t, ctx)
    labels = _labels(rows)
    minimum = [max(row["height_mm"] * mm, MIN_ROW) for row, _ in rows]
    # first-page head: 附件 label, title and header lines
    attach_h = 14 * 1.5 if attachment else 0.0
    head_h = attach_h + title_pt * 1.9
    header_flows: list[Flow] = []
    for line in t.data.get("header") or []:
        toks = tokens_for(line, ctx)
        flow = fit_flow(toks, table_w, base * LEADING * 2, base, min_pt, fs, OVERFLOW_MARK)
        if flow.truncated:
            overflow.append(Overflow("表头", _tokens_text(toks)))
        header_flows.append(flow)
        head_h += flow.height + 1.5 * mm
    first_avail = ph - top - bottom - footer_h - head_h
    cont_h = base * 2.2  # continuation pages start with "《表名》（续）"
    later_avail = ph - top - bottom - footer_h - cont_h

    # Rows go on a page while their least heights fit; then the form continues on the next page
    # (《表名》（续）). Never squeezed below those heights: that would cut labels and values.
    page_rows: list[list[int]] = [[]]
    used = 0.0
    for block in _blocks(rows):
        bh = sum(minimum[i] for i in block)
        avail = first_avail if len(page_rows) == 1 else later_avail
        if used + bh > avail + 0.01 and page_rows[-1]:
            page_rows.append([])
            used = 0.0
        page_rows[-1].extend(block)
        used += bh

    pages: list[PageLayout] = []
    for pi, indexes in enumerate(page_rows):
        page = PageLayout(pw, ph, number=number)
        y = ph - top
        if pi == 0:
            page.attachment_label = attachment
            page.title = title
            page.title_y = y - attach_h - title_pt
            y -= head_h
            hy = y + sum(fl.height + 1.5 * mm for fl in header_flows)
            for flow in header_flows:
                page.header.append((hy - flow.size, flow))
                hy -= flow.height + 1.5 * mm
            avail = first_avail
        else:
            page.continued = f"《{title}》（续）"
            page.title_y = y - base
            y -= cont_h
            avail = later_avail
        fitter = _Page(t, rows, indexes, col_x, base, min_pt, fs, labels)
        heights = dict(zip(indexes, fitter.heights(avail), strict=True))
        y_top = y
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
                _layout_cell(cell, rctx, box, base, min_pt, fs, labels.get((i, cell["col"]), ""), overflow)
                page.cells.append(box)
        pages.append(page)
    if overflow:
        pages += _appendix_pages(t, f"《{title}》", overflow, pw, ph, margins, number, base, fs)
    return FormLayout(t, pages, overflow)


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
            note = "（二维码图片无法读取）"
            _draw_text(c, fs, box.x + (box.w - fs.width(note, 9)) / 2, y0 + h / 2, note, 9)
        elif kind == "qr":
            qr.draw_qr(c, payload, x, y0, w)
        if box.image_caption:
            cw = fs.width(box.image_caption, 9)
            _draw_text(c, fs, box.x + (box.w - cw) / 2, y0 - 9 * 1.05, box.image_caption, 9)


def draw_pages(c: Canvas, fs: FontSet, layout: FormLayout, note: str = "") -> None:
    n = len(layout.pages)
    title_pt = float(layout.template.data["fonts"]["title_pt"])
    bottom = float(layout.template.data["page"]["margins_mm"][2]) * mm
    for k, page in enumerate(layout.pages, start=1):
        c.setPageSize((page.width, page.height))
        if page.attachment_label:
            x0 = page.frame[0] if page.frame else 0
            _draw_text(c, fs, x0, page.title_y + title_pt + 14 * 0.5, page.attachment_label, 14, "title")
        if page.title:
            size = title_pt if not page.appendix else 16
            w = fs.width(page.title, size, "title")
            _draw_text(c, fs, (page.width - w) / 2, page.title_y, page.title, size, "title")
        for y, flow, _is_head in page.appendix:
            left = float(layout.template.data["page"]["margins_mm"][3]) * mm
            width = page.width - left - float(layout.template.data["page"]["margins_mm"][1]) * mm
            _draw_flow(c, fs, flow, left, width, y, "left")
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


def render_blank(template_id: str, chain: list | None = None, options: PrintOptions | None = None) -> bytes:
    """A blank form (for filling in by hand). ``chain``: the approval blocks of a template with an
    approval region — titles, or ``{"title", "signer_label"}`` dicts as in a profile's chain (so a
    blank form says 主要负责人签字 where the profile does); ``options``: the profile's title for its
    form and the office's print settings."""
    t = get(template_id)
    return render_context(t, blank_context(chain, (options or PrintOptions()).as_context()))


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
