"""CJK fonts for the printed forms: the PC's own 仿宋/宋体/黑体 when present, else bundled ones.

reportlab embeds TrueType fonts as subsets but cannot load CFF-flavoured OpenType (most Noto CJK
files), and its built-in ``STSong-Light`` is not embedded at all (a PC without the Adobe font pack
prints boxes) — so we never use it. Order of preference, per role:

1. ``GZDESK_FONT_BODY`` / ``GZDESK_FONT_TITLE``: a path, optionally ``path#N`` for the N-th face
   of a .ttc collection;
2. Windows' own fonts: body 仿宋 ``simfang.ttf`` or 宋体 ``simsun.ttc``, title 黑体 ``simhei.ttf``
   (looked for in ``%WINDIR%\\Fonts``, or in ``GZDESK_FONT_DIR`` on any system);
3. bundled in ``gzdesk/resources/fonts``: body AR PL UMing (a 明体/宋体-like face, Arphic Public License),
   title WenQuanYi Micro Hei (a 黑体-like face, Apache 2.0); licence texts beside them.

Each role also has fallbacks: a character missing from the body face (UMing lacks U+FFE3 ￣ of
GB2312) is drawn with the next face that has it (``FontSet.runs``). Registration is cached, so only
the first form of a session pays for reading the font files.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from gzdesk.paths import resources_dir

WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
WINDOWS_BODY = ("simfang.ttf", "simsun.ttc", "simsun.ttf")
WINDOWS_TITLE = ("simhei.ttf", "msyhbd.ttc", "msyh.ttc")
BUNDLED_BODY = "uming.ttc"
BUNDLED_TITLE = "wqy-microhei.ttc"


@dataclass
class LoadedFont:
    name: str  # registered reportlab name
    path: Path
    index: int
    cmap: dict[int, int]
    widths: dict[str, float] = field(default_factory=dict)  # char → width at 1 pt (cache)
    font: TTFont | None = None

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def width(self, text: str, size: float) -> float:
        w = 0.0
        cache = self.widths
        for ch in text:
            cw = cache.get(ch)
            if cw is None:
                cw = self.font.stringWidth(ch, 1.0) if self.font is not None else 1.0
                cache[ch] = cw
            w += cw
        return w * size


@dataclass
class FontSet:
    """The body and title faces (registered), each with the faces to fall back on per character."""

    body: LoadedFont
    title: LoadedFont
    _unit: dict[tuple[str, str], float] = field(default_factory=dict, repr=False, compare=False)

    def chain(self, role: str) -> list[LoadedFont]:
        return [self.body, self.title] if role == "body" else [self.title, self.body]

    def runs(self, text: str, role: str = "body") -> list[tuple[LoadedFont, str]]:
        """Split ``text`` into runs of one font each (the first face of the role that has the glyph)."""
        faces = self.chain(role)
        first = faces[0]
        cmap = first.cmap
        if all(ord(ch) in cmap or ch in " \n" for ch in text):
            return [(first, text)]
        out: list[tuple[LoadedFont, str]] = []
        for ch in text:
            face = next((f for f in faces if f.has(ch)), first)
            if out and out[-1][0] is face:
                out[-1] = (face, out[-1][1] + ch)
            else:
                out.append((face, ch))
        return out

    def width(self, text: str, size: float, role: str = "body") -> float:
        if len(text) > 16:
            return sum(face.width(t, size) for face, t in self.runs(text, role))
        # line breaking measures the same characters and words over and over: widths at 1 pt, kept
        unit = self._unit.get((text, role))
        if unit is None:
            unit = self._unit[(text, role)] = sum(face.width(t, 1.0) for face, t in self.runs(text, role))
        return unit * size

    def covers(self, ch: str) -> bool:
        return self.body.has(ch) or self.title.has(ch)


_lock = threading.Lock()
_cache: dict[tuple[str, str, str], FontSet] = {}


def _split(spec: str) -> tuple[Path, int]:
    path, _, idx = spec.partition("#")
    return Path(path), int(idx) if idx.isdigit() else 0


def candidates(role: str) -> list[tuple[Path, int]]:
    """Font files to try for ``role`` ("body" or "title"), best first."""
    out: list[tuple[Path, int]] = []
    env = os.environ.get("GZDESK_FONT_BODY" if role == "body" else "GZDESK_FONT_TITLE")
    if env:
        out.append(_split(env))
    if sys.platform == "win32" or os.environ.get("GZDESK_FONT_DIR"):
        folder = Path(os.environ.get("GZDESK_FONT_DIR") or WINDOWS_FONTS)
        for name in WINDOWS_BODY if role == "body" else WINDOWS_TITLE:
            out.append((folder / name, 0))
    out.append((resources_dir() / "fonts" / (BUNDLED_BODY if role == "body" else BUNDLED_TITLE), 0))
    return out


def _load(role: str) -> LoadedFont:
    problems = []
    for path, index in candidates(role):
        if not path.exists():
            continue
        name = f"gz{role.capitalize()}-{path.stem}-{index}"
        try:
            try:
                font = pdfmetrics.getFont(name)
            except KeyError:
                font = TTFont(name, str(path), subfontIndex=index)
                pdfmetrics.registerFont(font)
        except (TTFError, OSError, ValueError) as exc:  # CFF outlines, damaged file…
            problems.append(f"{path.name}: {exc}")
            continue
        return LoadedFont(name=name, path=path, index=index, cmap=dict(font.face.charToGlyph), font=font)
    from gzdesk.errors import UserError

    raise UserError(f"找不到可嵌入的中文字体（{'; '.join(problems) or '字体文件缺失'}），"
                    "请设置 GZDESK_FONT_BODY 指向 TrueType 字体")


def fonts() -> FontSet:
    """The registered FontSet (cached per configuration); sets reportlab's base font to the body face."""
    key = (os.environ.get("GZDESK_FONT_BODY", ""), os.environ.get("GZDESK_FONT_TITLE", ""),
           os.environ.get("GZDESK_FONT_DIR", ""))
    with _lock:
        fs = _cache.get(key)
        if fs is None:
            fs = FontSet(body=_load("body"), title=_load("title"))
            _cache[key] = fs
        # No stray Helvetica: a canvas's initial font is the body face.
        rl_config.canvas_basefontname = fs.body.name
    return fs


def gb2312_chars() -> list[str]:
    """Every character of GB2312 (rows 0xA1–0xF7, cells 0xA1–0xFE), in code order."""
    out = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out
