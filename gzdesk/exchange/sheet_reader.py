"""Reading the spreadsheets offices really have: .xlsx, .xlsm, .xls, .ods (python-calamine) and
.csv (UTF-8, UTF-8 with BOM or GB18030), and finding the header row under title rows.

Cells come back as Python values with row numbers kept as the spreadsheet shows them (row index
+ 1), so an error can say “第 7 行”. Formats we cannot read are refused with how to convert them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from gzdesk.errors import UserError
from gzdesk.exchange.columns import SEQ, header_key

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
HOW_TO_CONVERT = "请用 WPS 或 Excel 打开后“另存为” Excel 工作簿（.xlsx）再导入"


def load_tables(path: Path | str) -> dict[str, Table]:
    """Every sheet of the file as rows of cells (sheet name → rows), in the file's order."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件“{path}”")
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        raise UserError(f"不能直接导入{_REFUSED[suffix]}：{HOW_TO_CONVERT}")
    if suffix not in READABLE:
        raise UserError(f"不支持的文件类型“{suffix or path.name}”（可导入 .xlsx .xls .ods .csv）：{HOW_TO_CONVERT}")
    if suffix == ".csv":
        return {path.stem: read_csv(path)}
    return _read_calamine(path)


def _read_calamine(path: Path) -> dict[str, Table]:
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        tables = {}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            tables[name] = sheet.to_python(skip_empty_area=False)
        book.close()
    except pc.PasswordError:
        raise UserError(f"“{path.name}”设置了打开密码：请在 WPS 或 Excel 中取消密码后再导入") from None
    except Exception as exc:  # calamine raises several error types for broken or foreign files
        raise UserError(f"无法读取“{path.name}”，文件可能已损坏或不是真正的 Excel 文件（{type(exc).__name__}）："
                        f"{HOW_TO_CONVERT}") from None
    if not tables:
        raise UserError(f"“{path.name}”中没有工作表")
    return tables


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, else GB18030 (what Chinese Excel saves as “CSV”)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UserError("无法识别 CSV 文件的编码（应为 UTF-8 或 GBK/GB18030）：" + HOW_TO_CONVERT) from None


def read_csv(path: Path) -> Table:
    text = decode_text(Path(path).read_bytes())
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


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
