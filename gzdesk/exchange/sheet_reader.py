"""Reading the spreadsheets offices really have: .xlsx, .xlsm, .xls, .ods (python-calamine) and
.csv (UTF-8, GB18030, Big5, UTF-16; any line ending), and finding the header row under title rows.

Every file is read by ``safe_read`` in a child process after the checks of ``file_guard``,
``ooxml_scan`` and ``ole_scan`` (issue 8 item 5): a hostile or broken file is one Chinese line,
never an abort of the program. Cells come back as Python values with row numbers kept as the
spreadsheet shows them (row index + 1), so an error can say “第 7 行”. Formats we cannot read are
refused with how to convert them.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

from gzdesk.errors import UserError
from gzdesk.exchange.columns import SEQ, header_key
from gzdesk.exchange.file_guard import HOW_TO_CONVERT
from gzdesk.exchange.progress import ProgressCallback
from gzdesk.exchange.safe_read import ReadResult, read_tables, stream_tables

Table = list[list[Any]]
READABLE = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
HEADER_SEARCH_ROWS = 30  # header rows sit under at most a few title rows

_REFUSED = {
    ".et": "WPS 表格（.et）",
    ".ett": "WPS 表格模板（.ett）",
    ".wps": "WPS 文字（.wps）",
    ".numbers": "苹果 Numbers（.numbers）",
    ".doc": "Word 文档（.doc）",
    ".docx": "Word 文档（.docx）",
    ".pdf": "PDF 文件",
}


def _check_suffix(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        raise UserError(f"不能直接导入{_REFUSED[suffix]}：{HOW_TO_CONVERT}")
    if suffix not in READABLE:
        raise UserError(f"不支持的文件类型“{suffix or path.name}”（可导入 .xlsx .xls .ods .csv）：{HOW_TO_CONVERT}")


def read_file(path: Path | str, progress: ProgressCallback | None = None) -> ReadResult:
    """Every sheet of the file as rows (sheet name → rows, in the file's order), and what it was."""
    path = Path(path)
    _check_suffix(path)
    return read_tables(path, progress)


def stream_file(path: Path | str, progress: ProgressCallback | None = None) -> Generator[tuple, None, None]:
    """``read_file`` as the reader's messages, handed on as they arrive (``safe_read.stream_tables``)."""
    path = Path(path)
    _check_suffix(path)
    return stream_tables(path, progress)


def load_tables(path: Path | str, progress: ProgressCallback | None = None) -> dict[str, Table]:
    """``read_file(path).tables``."""
    return read_file(path, progress).tables


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_score(row: list[Any], table: dict[str, str]) -> int:
    """How many distinct known fields a row names (序号 does not count)."""
    keys = set()
    for cell in row:
        if isinstance(cell, str):
            key = table.get(header_key(cell))
            if key is not None and key != SEQ and key != "seq":
                keys.add(key)
    return len(keys)


def find_header(rows: Table, table: dict[str, str]) -> tuple[int, int]:
    """(row index, score) of the most header-like row among the first rows; score 0 if none."""
    best, best_score = 0, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(row, table)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def auto_mapping(header: list[Any], table: dict[str, str]) -> dict[int, str]:
    """column index → field for a header row; a field goes to the first column that names it."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for col, cell in enumerate(header):
        k = header_key(cell) if not is_blank(cell) else ""
        if k in table and table[k] not in taken:
            mapping[col] = table[k]
            taken.add(table[k])
    return dict(sorted(mapping.items()))


def cell_text(value: Any) -> str:
    """A cell as the person sees it: 13800000000.0 → 13800000000, None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
