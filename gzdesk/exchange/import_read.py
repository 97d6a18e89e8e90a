"""Reading an import: the cells of a spreadsheet, typed column by column.

``read_sheets`` reads every sheet through the safe reader (``safe_read``: a child process, so a
hostile file cannot take the program down) and puts 超长文本 back onto its cells; ``parse_cell``
turns one cell into a typed value or names its problem; ``data_rows`` walks a sheet's rows below
its header. No database, no plan: ``import_plan`` builds the plan from what this module reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gzdesk.exchange.columns import (
    BOOL,
    DATE,
    INT,
    KIND,
    PHONE,
    PLATFORM,
    ROLE,
    SEQ,
    STATE,
    STATUS,
    UNIT,
    UNIT_TYPE,
    UUID,
    Column,
)
from gzdesk.exchange.long_text import join_long_texts
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.safe_read import ReadResult
from gzdesk.exchange.sheet_reader import (
    is_blank,
    read_file,
)
from gzdesk.fields import parse_as


def parse_cell(col: Column, raw: Any) -> tuple[Any, str | None]:
    """(typed value, problem) for one cell of a column; blank gives (None, None). The one reader of
    a written value (``fields.parse_as``), the column's header naming it in the message."""
    return parse_as(col.kind, col.key, raw, col.header)


CACHED_KINDS = frozenset({DATE, BOOL, PLATFORM, STATUS, ROLE, KIND, STATE, UNIT_TYPE, UNIT, PHONE, UUID, INT})
_BLANK = (None, None)


def column_parser(col: Column) -> Callable[[Any], tuple[Any, str | None]]:
    """``parse_cell`` for one column, made once per sheet: plain text is trimmed directly, and a
    column of few distinct values (platforms, dates, 是/否, units) parses each value once."""
    if col.kind not in CACHED_KINDS and col.key not in ("handle", "url"):
        def text(raw: Any) -> tuple[Any, str | None]:
            if type(raw) is str:
                t = raw.strip()
                return (t, None) if t else _BLANK
            return parse_cell(col, raw)
        return text
    seen: dict[tuple[type, Any], tuple[Any, str | None]] = {}

    def cached(raw: Any) -> tuple[Any, str | None]:
        key = (type(raw), raw)  # 1, 1.0 and True are equal as keys but not as cells
        try:
            return seen[key]
        except KeyError:
            result = seen[key] = parse_cell(col, raw)
            return result
        except TypeError:  # not hashable
            return parse_cell(col, raw)
    return cached


def row_reader(mapping: dict[int, str], columns: dict[str, Column]
               ) -> Callable[[int, list[Any]], tuple[int, dict[str, Any], list[str]] | None]:
    """``read(index, row)``: (line, values, problems) of a sheet's row ``index`` (0-based), or
    None when it is blank (序号-only rows are blank); one parser per column made once."""
    parsers = [(i, key, column_parser(columns[key])) for i, key in mapping.items() if columns[key].kind != SEQ]

    def read(index: int, row: list[Any]) -> tuple[int, dict[str, Any], list[str]] | None:
        n = len(row)
        values: dict[str, Any] = {}
        problems: list[str] = []
        filled = False
        for i, key, parse in parsers:
            if i >= n:
                continue
            raw = row[i]
            if raw is None or raw == "":
                continue
            value, problem = parse(raw)
            if problem:
                problems.append(problem)
                filled = True
            elif value is not None:
                values[key] = value
                filled = True
            elif not is_blank(raw):
                filled = True
        return (index + 1, values, problems) if filled else None
    return read


def data_rows(read: Callable[[int, list[Any]], tuple[int, dict[str, Any], list[str]] | None],
              rows: Iterable[list[Any]], header_row: int, first: int = 0,
              ticker: Ticker | None = None) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    """(line, values, problems) by ``read`` (a ``row_reader``) for every non-blank row below the
    header (序号-only rows are blank). ``rows`` are the sheet's rows from row ``first`` (0-based,
    counted from its first row: line numbers count from there)."""
    for index, row in enumerate(rows, first):
        if index <= header_row:
            continue
        if ticker is not None:
            ticker.advance()
        found = read(index, row)
        if found is not None:
            yield found


@dataclass
class SheetsRead(ReadResult):
    """What ``read_sheets`` read: every sheet, and the problems of joining 超长文本 back."""

    long_text_problems: dict[tuple[str, int], list[str]] = field(default_factory=dict)


def read_sheets(path: Path, progress: ProgressCallback | None = None) -> SheetsRead:
    """Every sheet of the file through the safe reader, with 超长文本 back on its cells before
    anything reads them."""
    read = read_file(path, progress)
    problems = join_long_texts(read.tables)
    return SheetsRead(read.tables, read.kind, read.encoding, read.renamed, problems)
