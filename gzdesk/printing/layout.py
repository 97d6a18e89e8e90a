"""Inline flow layout inside a form cell: wrap text, fields and check boxes, shrink to fit.

Everything is measured in PDF points. ``fit_flow`` tries the cell's base type size and steps
down until the text fits (long 理由 / 简介 texts), never below the template's minimum; if even
that does not fit, the last visible line ends in "…" — text never leaves its cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from gzdesk.printing.fonts import FontSet

LEADING = 1.28  # line height / type size
BOX_EM = 0.82  # check box side / type size
BOX_GAP_EM = 0.22  # space after a check box
ONE_LINE_MIN = 0.8  # shrink a one-line value to at most this fraction before wrapping it
CLOSING = set("，。、；：？！）》」』】〕,.;:?!)]%")  # never starts a line (禁则)
_UNIT_RE = re.compile(r"[A-Za-z0-9@#%&+=._:/?~\-]+|\s|.", re.S)


@dataclass
class Token:
    """One resolved inline item of a cell."""

    kind: str  # text / box / hfill / br
    text: str = ""
    checked: bool = False
    underline: bool = False
    min_width: float = 0.0  # points, for underlined blanks
    bold: bool = False


@dataclass
class Item:
    """A placed item on a line: x relative to the line start, baseline handled by the caller."""

    kind: str  # text / box / uline
    x: float
    width: float
    text: str = ""
    checked: bool = False
    bold: bool = False


@dataclass
class Line:
    items: list[Item] = field(default_factory=list)
    width: float = 0.0
    hfill_at: int | None = None  # index in items where the remaining space goes


@dataclass
class Flow:
    lines: list[Line]
    size: float
    truncated: bool = False

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LEADING


def _units(tokens: list[Token]):
    """Yield (kind, text, token) atoms: words, single CJK characters, boxes, breaks."""
    for t in tokens:
        if t.kind == "text":
            if t.underline:
                yield ("blank", t.text, t)
                continue
            for m in _UNIT_RE.finditer(t.text):
                s = m.group(0)
                yield ("br" if s == "\n" else "text", s, t)
        else:
            yield (t.kind, "", t)


def wrap(tokens: list[Token], width: float, size: float, fs: FontSet) -> list[Line]:
    """Greedy line breaking at ``size`` points within ``width`` points."""
    lines = [Line()]
    glue = False  # the previous atom was a box: keep it with what follows

    def cur() -> Line:
        return lines[-1]

    def add_text(s: str, t: Token, w: float) -> None:
        line = cur()
        last = line.items[-1] if line.items else None
        if (last is not None and last.kind == "text" and last.bold == t.bold and line.hfill_at != len(line.items)
                and last.x + last.width == line.width):
            last.text += s
            last.width += w
        else:
            line.items.append(Item("text", line.width, w, s, bold=t.bold))
        line.width += w

    for kind, s, t in _units(tokens):
        line = cur()
        if kind == "br":
            lines.append(Line())
            glue = False
            continue
        if kind == "hfill":
            line.hfill_at = len(line.items)
            continue
        if kind == "box":
            w = size * (BOX_EM + BOX_GAP_EM)
            if line.items and line.width + w > width:
                lines.append(Line())
                line = cur()
            line.items.append(Item("box", line.width, size * BOX_EM, checked=t.checked))
            line.width += w
            glue = True
            continue
        if kind == "blank":
            w = max(fs.width(s, size, "title" if t.bold else "body") + size * 0.5, t.min_width)
            w = min(w, width)
            if line.items and line.width + w > width and not glue:
                lines.append(Line())
                line = cur()
            line.items.append(Item("uline", line.width, w, s, bold=t.bold))
            line.width += w
            glue = False
            continue
        # text atom
        if s.isspace() and not line.items:
            continue  # no leading blanks on a wrapped line
        w = fs.width(s, size, "title" if t.bold else "body")
        if line.width + w > width and line.items and not glue and s not in CLOSING:
            if s.isspace():
                continue
            lines.append(Line())
            line = cur()
        if w > width and len(s) > 1:  # a word longer than the line: break it by character
            for ch in s:
                cw = fs.width(ch, size, "title" if t.bold else "body")
                if cur().width + cw > width and cur().items:
                    lines.append(Line())
                add_text(ch, t, cw)
        else:
            add_text(s, t, w)
        glue = False
    # trim trailing blanks so centring is honest
    for line in lines:
        while line.hfill_at is None and line.items and line.items[-1].kind == "text" and line.items[-1].text.endswith(" "):
            it = line.items[-1]
            stripped = it.text.rstrip(" ")
            cut = fs.width(it.text[len(stripped):], size, "title" if it.bold else "body")
            it.text, it.width = stripped, it.width - cut
            line.width -= cut
            if not it.text:
                line.items.pop()
    while len(lines) > 1 and not lines[-1].items:
        lines.pop()
    return lines


def _too_wide(lines: list[Line], width: float) -> bool:
    return any(line.width > width + 0.01 for line in lines)


def fit_flow(tokens: list[Token], width: float, height: float, size: float, min_size: float,
             fs: FontSet) -> Flow:
    """Wrap at the largest size from ``size`` down to ``min_size`` (0.5 pt steps) that fits."""
    if not tokens or width <= 0:
        return Flow([], size)
    # A short value that would wrap at full size (a date, a phone number, a label) reads better on
    # one line a little smaller than broken in two.
    one = wrap(tokens, 1e9, size, fs)
    if len(one) == 1 and one[0].width > width:
        s1 = math.floor(size * width / one[0].width * 2) / 2
        if s1 >= size * ONE_LINE_MIN and s1 * LEADING <= height + 0.01:
            lines = wrap(tokens, width, s1, fs)
            if len(lines) == 1 and not _too_wide(lines, width):
                return Flow(lines, s1)
    text_len = sum(fs.width(t.text, 1.0) for t in tokens if t.kind == "text") + sum(
        BOX_EM + BOX_GAP_EM for t in tokens if t.kind == "box")
    start = size
    if text_len > 0 and height > 0:
        # area estimate: lines*width >= text_len*s and lines*s*LEADING <= height
        est = math.sqrt(width * height / (text_len * LEADING)) * 1.05
        start = max(min_size, min(size, math.floor(est * 2) / 2 + 0.5))
    s = start
    while True:
        lines = wrap(tokens, width, s, fs)
        if len(lines) * s * LEADING <= height + 0.01 and not _too_wide(lines, width):
            # the estimate may have started too low: try growing back up
            if s < size:
                bigger = wrap(tokens, width, s + 0.5, fs)
                if len(bigger) * (s + 0.5) * LEADING <= height + 0.01 and not _too_wide(bigger, width):
                    s += 0.5
                    continue
            return Flow(lines, s)
        if s - 0.5 < min_size - 1e-9:
            break
        s -= 0.5
    # Even the smallest size overflows: keep what fits and mark the cut with an ellipsis.
    keep = max(1, int((height + 0.01) // (s * LEADING)))
    lines = lines[:keep]
    last = lines[-1]
    ell = fs.width("…", s)
    while last.items and last.width + ell > width:
        it = last.items[-1]
        if it.kind == "text" and len(it.text) > 1:
            cw = fs.width(it.text[-1], s)
            it.text, it.width = it.text[:-1], it.width - cw
            last.width -= cw
        else:
            last.width -= it.width
            last.items.pop()
    last.items.append(Item("text", last.width, ell, "…"))
    last.width += ell
    return Flow(lines, s, truncated=True)
