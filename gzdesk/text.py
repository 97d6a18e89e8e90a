"""Text as it is shown: how many columns a string takes in a terminal or a spreadsheet cell."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes: wide and full-width characters (汉字, （）, ０) two, combining marks
    and format characters none, everything else one."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n
