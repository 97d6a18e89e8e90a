"""How big a spreadsheet from outside may be, and how numbers are said in refusals.

The numbers are chosen so that a real 台账 passes with room to spare and a hostile file is refused
before a reader allocates for it. For scale: our own export of 200,000 accounts is about 150 MB
on disk and 1.5 GB of XML inside; its widest sheet is 23 columns and its largest about 9.6 million
cells (600,000 管理队伍 rows × 16 columns); a sheet's XML compresses about 10 times.

- A file on disk: at most 512 MiB (a CSV 256 MiB: it is decoded whole).
- A zip container (.xlsx, .xlsm, .ods): at most 10,000 entries; every entry at most 100 times
  smaller compressed than uncompressed once it is over 1 MiB (a zip bomb is 1,000 times); all
  entries together at most 4 GiB uncompressed, declared and real (entries are inflated and
  counted, never trusted).
- A sheet: rows 1–1,048,576 and columns A–XFD (16,384), Excel's own limits; the range a reader
  allocates (from A1 to the farthest cell the sheet really holds) at most 20 million cells per sheet
  and 60 million in the whole workbook. A declared size (``<dimension>``, the .xls DIMENSIONS
  record) is checked against the same numbers where the reader allocates by it.
- Shared strings: at most 5 million; text that cells repeat from the shared-string table at most
  400 million characters in all (a 30 KB string referenced from a million cells is 30 GB).
- The reading process may take at most 4 GiB of address space (at most ¾ of the memory of the
  machine, at least 1 GiB) on systems that can limit it (Linux and other POSIX systems).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
EXCEL_CELL_CHARS = 32_767  # the most text one Excel cell holds (UTF-16 code units)


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 512 * MiB
    max_csv_bytes: int = 256 * MiB
    max_entries: int = 10_000
    max_uncompressed: int = 4 * GiB
    max_ratio: int = 100
    ratio_free_bytes: int = 1 * MiB  # small entries may compress as well as they like
    max_rows: int = EXCEL_MAX_ROWS
    max_cols: int = EXCEL_MAX_COLS
    max_sheet_cells: int = 20_000_000
    max_book_cells: int = 60_000_000
    max_shared_strings: int = 5_000_000
    max_shared_text: int = 400_000_000
    max_csv_field: int = 1_048_576  # characters in one CSV field
    memory_bytes: int | None = None  # None: ``default_memory_limit()``


DEFAULT_LIMITS = ReadLimits()


def default_memory_limit() -> int:
    """4 GiB, but at most ¾ of the machine's memory and at least 1 GiB."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4 * GiB
    return max(1 * GiB, min(4 * GiB, physical * 3 // 4))


def column_letters(col: int) -> str:
    """1 → A, 16384 → XFD."""
    s = ""
    while col > 0:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s or "A"


def column_number(letters: str | bytes) -> int:
    """A → 1, XFD → 16384 (as calamine counts: letters in any case, no limit)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii", "replace")
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def size_text(n: int) -> str:
    """1536 → 1.5 KB, 4294967296 → 4.0 GB (binary units, as Windows Explorer shows them)."""
    for unit, factor in (("GB", GiB), ("MB", MiB), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} 字节"


def count_text(n: int) -> str:
    """20000000 → 2,000 万; 1048576 → 1,048,576."""
    if n >= 10_000_000 and n % 10_000 == 0:
        return f"{n // 10_000:,} 万"
    return f"{n:,}"
