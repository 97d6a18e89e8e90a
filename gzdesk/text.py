"""Text as it is shown: how many columns a string takes in a terminal or a spreadsheet cell."""

from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=65_536)
def display_width(text: str) -> int:
    """Columns ``text`` takes: wide and full-width characters (汉字, （）, ０) two, combining marks
    and format characters none, everything else one.

    Memoised, and ASCII counted at once: a long list (待办 at 200,000 accounts: 15,000 rows) repeats
    the same articles, dates and labels, and asking ``unicodedata`` three times a character was
    most of ``gzdesk due``'s printing."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


@functools.cache
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
