"""Inline flow layout inside a form cell: wrap text, fields and check boxes at a type size that fits.

Everything is measured in PDF points. ``fit_flow`` looks for the largest size, from the cell's base
type size down in 0.5 pt steps to the template's minimum, at which the text fits the box. Line
breaking follows the usual 禁则: closing punctuation (，。、）…) never starts a line and opening
punctuation (（《“…) never ends one — a character is pushed down with its punctuation instead of
letting the punctuation stick out past the cell edge. When even the minimum size does not fit, the
lines that fit are kept and the last one ends in a mark (``overflow_mark``, e.g. "……（见附页）");
the caller prints the whole value on an attached sheet. Nothing is ever dropped silently.
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
CLOSING = set("，。、；：？！）》」』】〕〉”’…—,.;:?!)]%·")  # never starts a line (禁则)
OPENING = set("（《「『【〔〈“‘([")  # never ends a line
_UNIT_RE = re.compile(r"[A-Za-z0-9@#%&+=._:/?~\-]+|\s|.", re.S)
STEP = 0.5  # type sizes are tried in half points


@dataclass
class Token:
    """One resolved inline item of a cell."""

    kind: str  # text / box / hfill / br
    text: str = ""
    checked: bool = False
    underline: bool = False
    min_width: float = 0.0  # points, for underlined blanks
    bold: bool = False
    nobreak: bool = False  # keep the whole text on one line ("移动客户端 APP")


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

    def text(self) -> str:
        return "".join(i.text for line in self.lines for i in line.items if i.kind in ("text", "uline"))


def _units(tokens: list[Token]):
    """Yield (kind, text, token) atoms: words, single CJK characters, boxes, breaks."""
    for t in tokens:
        if t.kind == "text":
            if t.underline:
                yield ("blank", t.text, t)
                continue
            if t.nobreak and t.text and "\n" not in t.text:
                yield ("text", t.text, t)
                continue
            for m in _UNIT_RE.finditer(t.text):
                s = m.group(0)
                yield ("br" if s == "\n" else "text", s, t)
        else:
            yield (t.kind, "", t)


def _role(t: Token | Item) -> str:
    return "title" if t.bold else "body"


def wrap(tokens: list[Token], width: float, size: float, fs: FontSet) -> list[Line]:
    """Greedy line breaking at ``size`` points within ``width`` points."""
    lines = [Line()]
    glue = False  # the previous atom was a box or an opening bracket: keep it with what follows

    def cur() -> Line:
        return lines[-1]

    def add_text(s: str, t: Token, w: float) -> None:
        line = cur()
        last = line.items[-1] if line.items else None
        if (last is not None and last.kind == "text" and last.bold == t.bold and line.hfill_at != len(line.items)
                and abs(last.x + last.width - line.width) < 1e-6):
            last.text += s
            last.width += w
        else:
            line.items.append(Item("text", line.width, w, s, bold=t.bold))
        line.width += w

    def pop_char() -> Item | None:
        """Take the last character (or the last run of letters and digits) off the current line."""
        line = cur()
        it = line.items[-1] if line.items else None
        if it is None or it.kind != "text" or not it.text or line.hfill_at == len(line.items):
            return None
        n = 1
        if it.text[-1].isascii() and it.text[-1].isalnum():
            while n < len(it.text) and it.text[-n - 1].isascii() and it.text[-n - 1].isalnum():
                n += 1
        piece = it.text[-n:]
        pw = fs.width(piece, size, _role(it))
        it.text, it.width = it.text[:-n], it.width - pw
        line.width -= pw
        if not it.text:
            line.items.pop()
        return Item("text", 0.0, pw, piece, bold=it.bold)

    def pop_box() -> Item | None:
        line = cur()
        if line.items and line.items[-1].kind == "box" and line.hfill_at != len(line.items):
            line.width -= size * (BOX_EM + BOX_GAP_EM)
            return line.items.pop()
        return None

    def push_down() -> bool:
        """Start a new line with the end of the current one, so that what comes next does not
        stick out: closing punctuation already at the end, then one character (or a box), then the
        boxes and opening brackets glued before it. False (nothing moved) when the line would be
        left empty."""
        line = cur()
        saved = [Item(i.kind, i.x, i.width, i.text, i.checked, i.bold) for i in line.items]
        saved_width = line.width
        moved: list[Item] = []
        while True:
            last = line.items[-1] if line.items else None
            if last is None or last.kind != "text" or not last.text or last.text[-1] not in CLOSING:
                break
            closing = pop_char()
            if closing is None:
                break
            moved.insert(0, closing)
        piece = pop_box() or pop_char()
        if piece is not None:
            moved.insert(0, piece)
            while True:
                last = line.items[-1] if line.items else None
                glued = None
                if last is not None and last.kind == "box":
                    glued = pop_box()
                elif last is not None and last.kind == "text" and last.text[-1:] in OPENING:
                    glued = pop_char()
                if glued is None:
                    break
                moved.insert(0, glued)
        if piece is None or not line.items:
            line.items, line.width = saved, saved_width
            return False
        lines.append(Line())
        for it in moved:
            _place(cur(), it, size)
        return True

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
            w = max(fs.width(s, size, _role(t)) + size * 0.5, t.min_width)
            if w > width and s:  # a long underlined value wraps like text, underlined on every line
                for ch in s:
                    cw = fs.width(ch, size, _role(t))
                    if cur().width + cw + size * 0.5 > width and cur().items:
                        lines.append(Line())
                    line = cur()
                    last = line.items[-1] if line.items else None
                    if last is not None and last.kind == "uline" and abs(last.x + last.width - line.width) < 1e-6:
                        last.text += ch
                        last.width += cw
                    else:
                        line.items.append(Item("uline", line.width, cw + size * 0.5, ch, bold=t.bold))
                        cw += size * 0.5
                    line.width += cw
                glue = False
                continue
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
        w = fs.width(s, size, _role(t))
        if line.width + w > width and line.items:
            if s.isspace():
                continue
            if s in CLOSING:
                # carry the character before it along; if that cannot help (a run of punctuation
                # wider than the line), break before the punctuation rather than overflow
                if not push_down() or cur().width + w > width:
                    lines.append(Line())
            elif not (glue and push_down()) or cur().width + w > width:
                lines.append(Line())
        if w > width and len(s) > 1:  # a word longer than the line: break it by character
            for ch in s:
                cw = fs.width(ch, size, _role(t))
                if cur().width + cw > width and cur().items:
                    lines.append(Line())
                add_text(ch, t, cw)
        else:
            add_text(s, t, w)
        glue = len(s) == 1 and s in OPENING
    # trim trailing blanks so centring is honest; an opening bracket never ends a line
    for line in lines:
        while line.hfill_at is None and line.items and line.items[-1].kind == "text" and line.items[-1].text.endswith(" "):
            it = line.items[-1]
            stripped = it.text.rstrip(" ")
            cut = fs.width(it.text[len(stripped):], size, _role(it))
            it.text, it.width = stripped, it.width - cut
            line.width -= cut
            if not it.text:
                line.items.pop()
    while len(lines) > 1 and not lines[-1].items:
        lines.pop()
    return lines


def _place(line: Line, it: Item, size: float) -> None:
    it.x = line.width
    if it.kind == "box":
        line.items.append(it)
        line.width += size * (BOX_EM + BOX_GAP_EM)
        return
    last = line.items[-1] if line.items else None
    if last is not None and last.kind == "text" and last.bold == it.bold and line.hfill_at != len(line.items):
        last.text += it.text
        last.width += it.width
    else:
        line.items.append(it)
    line.width += it.width


def too_wide(lines: list[Line], width: float) -> bool:
    return any(line.width > width + 0.01 for line in lines)


def fits(lines: list[Line], width: float, height: float, size: float) -> bool:
    return len(lines) * size * LEADING <= height + 0.01 and not too_wide(lines, width)


def sizes(size: float, min_size: float) -> list[float]:
    """The sizes tried, largest first: ``size`` down to ``min_size`` in half points."""
    out = [size]
    s = math.floor(size / STEP) * STEP
    if s >= size:
        s -= STEP
    while s >= min_size - 1e-9:
        out.append(s)
        s -= STEP
    if out[-1] > min_size + 1e-9:
        out.append(min_size)
    return out


def one_line_size(tokens: list[Token], width: float, size: float, min_size: float, fs: FontSet) -> float | None:
    """A short value that would wrap at full size (a date, a phone number, a label such as
    "是否取得互联网\n新闻信息服务资质") reads better on its own lines a little smaller than with a
    character or two carried onto another line: the size that keeps it on its lines, if not below
    ``ONE_LINE_MIN`` of ``size`` nor below ``min_size``."""
    own = wrap(tokens, 1e9, size, fs)
    if len(own) > 3 or not too_wide(own, width):
        return None
    floor = max(min_size, size * ONE_LINE_MIN)
    widest = max(line.width for line in own)
    if widest * floor / size > width + 0.01:  # widths scale with the size: not even the floor fits
        return None
    for s in sizes(size, floor)[1:]:
        if widest * s / size > width + 0.01:
            continue
        lines = wrap(tokens, width, s, fs)
        if len(lines) == len(own) and not too_wide(lines, width):
            return s
    return None


def natural_height(tokens: list[Token], width: float, size: float, min_size: float, fs: FontSet) -> tuple[float, float]:
    """(height, size) of the tokens wrapped at ``size`` (or on one line a little smaller)."""
    if not tokens or width <= 0:
        return 0.0, size
    s1 = one_line_size(tokens, width, size, min_size, fs)
    if s1 is not None:
        return len(wrap(tokens, width, s1, fs)) * s1 * LEADING, s1
    lines = wrap(tokens, width, size, fs)
    return len(lines) * size * LEADING, size


def fit_flow(tokens: list[Token], width: float, height: float, size: float, min_size: float,
             fs: FontSet, overflow_mark: str = "…") -> Flow:
    """Wrap at the largest size from ``size`` down to ``min_size`` (0.5 pt steps) that fits.

    When nothing fits, the flow at ``min_size`` keeps the lines that fit, its last line ending in
    ``overflow_mark``, and is marked ``truncated``.
    """
    if not tokens or width <= 0:
        return Flow([], size)
    lines: list[Line]
    s1 = one_line_size(tokens, width, size, min_size, fs)
    if s1 is not None:
        lines = wrap(tokens, width, s1, fs)
        if fits(lines, width, height, s1):
            return Flow(lines, s1)
    lines = []
    s = size
    for s in sizes(size, min_size):
        lines = wrap(tokens, width, s, fs)
        if fits(lines, width, height, s):
            return Flow(lines, s)
    return _cut(tokens, lines, width, height, s, fs, overflow_mark)


def _cut(tokens: list[Token], lines: list[Line], width: float, height: float, s: float, fs: FontSet,
         mark: str) -> Flow:
    """Keep the lines that fit at size ``s`` and end the last one with ``mark``."""
    keep = max(1, int((height + 0.01) // (s * LEADING)))
    lines = lines[:keep]
    last = lines[-1]
    mw = fs.width(mark, s)
    if mw > width:  # a very narrow cell: the mark alone, broken over the kept lines from the end
        mark = mark[-max(1, int(width // max(fs.width("字", s), 1))):]
        mw = fs.width(mark, s)
    while last.items and last.width + mw > width + 0.01:
        it = last.items[-1]
        if it.kind == "text" and len(it.text) > 1:
            cw = fs.width(it.text[-1], s, _role(it))
            it.text, it.width = it.text[:-1], it.width - cw
            last.width -= cw
        else:
            last.width -= it.width
            last.items.pop()
    last.items.append(Item("text", last.width, mw, mark))
    last.width += mw
    return Flow(lines, s, truncated=True)
