"""Text longer than one Excel cell holds, out and back in whole (issue 8 item 7).

An Excel cell holds at most 32,767 characters (UTF-16 code units); XlsxWriter cuts longer text
silently, and the cut text then overwrote the full one on re-import. A clerk wants the whole 简介
kept and to be told, not an export refused over one account. So:

- on export the cell keeps the beginning (as much as fits) and the sheet 超长文本 gets the rest in
  parts of at most 32,767 characters, each row naming the sheet, row, record, field, part number
  and the whole text's length; the export says which record and field it did this for;
- on import the parts are joined back onto their cell before anything else reads the sheet (the
  row is found by its 唯一标识 if rows were re-sorted), and a joined text whose length is not the
  recorded one is a problem of that row (the beginning or a part was edited);
- a value that is the stored text cut at the cell limit (by Excel, another program or an older
  export) never shortens the stored text (``truncated_copy``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from gzdesk.errors import UserError
from gzdesk.exchange.columns import (
    ACCOUNT_SYNONYMS,
    ACCOUNTS_SHEET,
    FILING_SYNONYMS,
    FILINGS_SHEET,
    LONG_TEXT_SHEET,
    LONG_TEXT_SYNONYMS,
    TEAM_SHEET,
    TEAM_SYNONYMS,
    UNIT_SYNONYMS,
    UNITS_SHEET,
    header_key,
)
from gzdesk.exchange.read_limits import EXCEL_CELL_CHARS
from gzdesk.exchange.sheet_reader import Table, auto_mapping, cell_text, find_header

CUT_SLACK = 64  # a cut value may have lost a few trailing spaces, or a character that did not fit
SHEET_SYNONYMS = {ACCOUNTS_SHEET: ACCOUNT_SYNONYMS, TEAM_SHEET: TEAM_SYNONYMS, FILINGS_SHEET: FILING_SYNONYMS,
                  UNITS_SHEET: UNIT_SYNONYMS}
ROW_UUID = {ACCOUNTS_SHEET: "uuid", TEAM_SHEET: "person_uuid", FILINGS_SHEET: "uuid", UNITS_SHEET: "uuid"}


def utf16_len(text: str) -> int:
    """Length as Excel counts it (a character outside the BMP is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def too_long(text: str) -> bool:
    return len(text) > EXCEL_CELL_CHARS // 2 and utf16_len(text) > EXCEL_CELL_CHARS


def split_cell(text: str, limit: int = EXCEL_CELL_CHARS) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units, never splitting a character."""
    parts, start = [], 0
    while start < len(text):
        end = min(start + limit, len(text))
        over = utf16_len(text[start:end]) - limit
        while over > 0:  # a character is one or two units: take back at least half the excess
            end -= (over + 1) // 2
            over = utf16_len(text[start:end]) - limit
        parts.append(text[start:end])
        start = end
    return parts or [""]


def truncated_copy(new: Any, old: Any) -> bool:
    """Is ``new`` the stored ``old`` cut at the cell limit?  Then it must not replace it."""
    return (isinstance(new, str) and isinstance(old, str) and len(old) > len(new)
            and utf16_len(new) >= EXCEL_CELL_CHARS - CUT_SLACK and old.startswith(new))


@dataclass
class LongText:
    """One value the export had to continue in the 超长文本 sheet."""

    sheet: str
    line: int  # the row number the spreadsheet shows
    record: str  # the account's name, the person's, the filing's number…
    field: str  # the column's header
    length: int
    uuid: str | None = None
    parts: list[str] = dataclasses.field(default_factory=list, repr=False)

    def message(self) -> str:
        return (f"“{self.sheet}”第 {self.line} 行“{self.record}”的“{self.field}”有 {self.length:,} 字，超过 Excel 单元格"
                f"上限 {EXCEL_CELL_CHARS:,} 字：表中只放开头，全文接在“{LONG_TEXT_SHEET}”工作表（本程序导入时自动接回）")


@dataclass
class _Group:
    at: int  # first row of the group in the 超长文本 sheet
    record: str = ""
    total: int | None = None
    uuid: str | None = None
    parts: dict[int, str] = dataclasses.field(default_factory=dict)


def _int(value: Any) -> int | None:
    try:
        return int(float(cell_text(value)))
    except ValueError:
        return None


def join_long_texts(tables: dict[str, Table]) -> dict[tuple[str, int], list[str]]:
    """Join the 超长文本 sheet back onto its cells (and drop the sheet); returns the problems of
    rows whose text does not join to its recorded length, by (sheet, row number)."""
    rows = tables.get(LONG_TEXT_SHEET)
    if not rows:
        return {}
    header_row, score = find_header(rows, LONG_TEXT_SYNONYMS)
    if score < 5:  # not our sheet: leave it to the person's own use
        return {}
    del tables[LONG_TEXT_SHEET]
    col = {key: c for c, key in auto_mapping(rows[header_row], LONG_TEXT_SYNONYMS).items()}

    def get(row: list[Any], key: str) -> Any:
        c = col.get(key)
        return row[c] if c is not None and c < len(row) else None

    groups: dict[tuple[str, int, str], _Group] = {}
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        sheet, line, name, part = (cell_text(get(row, "sheet")).strip(), _int(get(row, "line")),
                                   cell_text(get(row, "field")).strip(), _int(get(row, "part")))
        if not (sheet or line or name or part):
            continue
        if not sheet or not line or not name or not part:
            raise UserError(f"“{LONG_TEXT_SHEET}”第 {i + 1} 行缺少工作表、行号、字段或段号，无法接回超长文本")
        g = groups.setdefault((sheet, line, name), _Group(i + 1))
        g.record = g.record or cell_text(get(row, "record"))
        g.total = g.total or _int(get(row, "total"))
        g.uuid = g.uuid or (cell_text(get(row, "uuid")).strip().lower() or None)
        text = get(row, "text")
        g.parts[part] = text if isinstance(text, str) else cell_text(text)
    problems: dict[tuple[str, int], list[str]] = {}
    for (sheet, line, name), g in groups.items():
        _join(tables, sheet, line, name, g, problems)
    return problems


def _join(tables: dict[str, Table], sheet: str, line: int, name: str, g: _Group,
          problems: dict[tuple[str, int], list[str]]) -> None:
    table, synonyms = tables.get(sheet), SHEET_SYNONYMS.get(sheet)
    if table is None or synonyms is None:
        raise UserError(f"“{LONG_TEXT_SHEET}”第 {g.at} 行要接回到工作表“{sheet}”，但文件中没有这张表")
    header_row, _score = find_header(table, synonyms)
    header = table[header_row] if header_row < len(table) else []
    target = next((c for c, cell in enumerate(header) if header_key(cell) == header_key(name)), None)
    if target is None:
        raise UserError(f"“{LONG_TEXT_SHEET}”第 {g.at} 行要接回到“{sheet}”的“{name}”列，但这张表没有这一列")
    index = line - 1
    uuid_col = next((c for c, key in auto_mapping(header, synonyms).items() if key == ROW_UUID[sheet]), None)
    if g.uuid and uuid_col is not None:
        def uuid_at(i: int) -> str:
            r = table[i]
            return cell_text(r[uuid_col]).strip().lower() if uuid_col < len(r) else ""

        if not (header_row < index < len(table)) or uuid_at(index) != g.uuid:
            index = next((i for i in range(header_row + 1, len(table)) if uuid_at(i) == g.uuid), -1)
    if not header_row < index < len(table):
        raise UserError(f"“{LONG_TEXT_SHEET}”第 {g.at} 行要接回“{sheet}”第 {line} 行“{g.record}”的“{name}”，"
                        "但找不到这一行")
    row = table[index]
    if target >= len(row):
        row.extend([""] * (target + 1 - len(row)))
    first = row[target] if isinstance(row[target], str) else cell_text(row[target])
    full = first + "".join(g.parts[k] for k in sorted(g.parts))
    expected = sorted(g.parts) == list(range(2, len(g.parts) + 2))
    if not expected or (g.total is not None and len(full) != g.total):
        problems.setdefault((sheet, index + 1), []).append(
            f"“{name}”超过单元格上限，全文应有 {g.total or 0:,} 字，与“{LONG_TEXT_SHEET}”工作表的续接部分接起来却是 "
            f"{len(full):,} 字：表中的开头或续接部分被改动过，请用本程序重新导出后再导入")
        return
    row[target] = full
