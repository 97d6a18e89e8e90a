"""CSV and tab-separated text as offices send it: the encoding found (and named), any line ending,
long fields, and a clear line for whatever is wrong (issue 8 item 9).

Encodings are tried in this order: UTF-8 (with or without BOM), UTF-16 when it has a BOM (Excel's
“Unicode 文本”), then GB18030 (what Chinese Excel and WPS save as “CSV”) and Big5 (traditional
Chinese, CP950). Almost any Big5 file is also valid GB18030 — as nonsense — so when both decode
the text decides: real simplified Chinese is nearly all GB2312 characters, real traditional
Chinese nearly all Big5 常用字 (lead bytes A4–C6). Line endings may be CRLF, LF or CR alone
(the old Mac “CSV (Macintosh)”).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from gzdesk.errors import UserError

GB18030, BIG5, UTF8, UTF16 = "GB18030", "Big5（繁体中文）", "UTF-8", "UTF-16"
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
SAMPLE = 200_000  # characters looked at to tell GB18030 from Big5


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1 if b"\n" in data[:pos] else data.count(b"\r", 0, pos) + 1


def _gb_share(text: str) -> float:
    chars = _HANZI.findall(text[:SAMPLE])
    if not chars:
        return 0.0
    ok = 0
    for ch in chars:
        try:
            ch.encode("gb2312")
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(chars)


def _big5_share(text: str) -> float:
    chars = _HANZI.findall(text[:SAMPLE])
    if not chars:
        return 0.0
    ok = 0
    for ch in chars:
        try:
            if 0xA4 <= ch.encode("cp950")[0] <= 0xC6:
                ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(chars)


def _try(data: bytes, encoding: str, errors: list[int] | None = None) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if errors is not None:
            errors.append(exc.start)
        return None


def decode_text(data: bytes, name: str = "CSV 文件") -> tuple[str, str]:
    """(text, the encoding's name as said to the person)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try(data, "utf-16")
        if text is None:
            raise UserError(f"“{name}”标明是 UTF-16 编码，但其中有无法解码的内容，文件可能已损坏")
        return text.lstrip("\ufeff"), UTF16
    errors: list[int] = []
    text = _try(data, "utf-8-sig", errors)
    if text is not None:
        return text, UTF8
    gb = _try(data, "gb18030", errors)
    big5 = _try(data, "cp950", errors) or _try(data, "big5hkscs", errors)
    if gb is not None and big5 is not None:
        if _big5_share(big5) > max(_gb_share(gb), 0.5):
            return big5, BIG5
        return gb, GB18030
    if gb is not None:
        return gb, GB18030
    if big5 is not None:
        return big5, BIG5
    raise UserError(f"无法识别“{name}”的编码：第 {_line_of(data, max(errors)):,} 行的内容既不是 UTF-8，也不是 "
                    "GBK/GB18030 或 Big5，文件可能已损坏或不是文本：请用 WPS 或 Excel 打开后另存为 .xlsx 再导入")


def _lines(text: str) -> Iterator[str]:
    for m in _LINE.finditer(text):
        yield m.group()


def delimiter_of(text: str) -> str:
    sample = text[:4096]
    return "\t" if sample.count("\t") > sample.count(",") else ","


def csv_rows(text: str, name: str, max_field: int) -> Iterator[list[str]]:
    """Rows of the text; a csv error becomes one line naming the row where the record began."""
    nul = text.find("\x00")
    if nul >= 0:  # never in a real 台账 (and it would end up inside names)
        breaks = "\n" if "\n" in text[:nul] else "\r"
        raise UserError(f"“{name}”第 {text.count(breaks, 0, nul) + 1:,} 行含有空字符（NUL），不是文本文件或已损坏")
    csv.field_size_limit(max_field)
    reader = csv.reader(_lines(text), delimiter=delimiter_of(text))
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field limit" in message or "field larger" in message:
                raise UserError(f"“{name}”第 {start:,} 行起有一个字段超过 {max_field:,} 个字符，不是正常的台账"
                                "（常见原因是某处引号没有配对）") from None
            if "NUL" in message:
                raise UserError(f"“{name}”第 {start:,} 行含有空字符（NUL），不是文本文件或已损坏") from None
            raise UserError(f"“{name}”第 {start:,} 行的 CSV 格式有误，无法读取") from None
        yield row
