"""Check an .xlsx / .xlsm / .ods archive before python-calamine opens it (issue 8 item 5).

calamine allocates a sheet's whole range up front, from the first to the farthest cell the sheet
XML names: one cell at A1 and one at XFD1048576 is 17 billion cells, 512 GiB, and an abort that no
``except`` can catch. It also trusts a shared-string count for a reservation, expands an .ods
cell's ``number-columns-repeated``, and copies a shared string into every cell that refers to it.
So nothing in the archive is trusted:

- the zip's central directory is sized before ``zipfile`` parses it; entries are counted, their
  compression method and encryption flag read, and every entry is inflated here, in chunks, from
  its real compressed bytes: its real size (not the declared one) and its compression ratio are
  what is checked;
- every entry is streamed through a scanner that finds the farthest row and column any cell
  refers to (an ``r`` attribute anywhere in it, or for cells without one the position calamine
  would give them: the row's number or the previous row + 1, the previous cell + 1), the
  declared ``<dimension>``, the shared-string count, and how much text shared strings expand to;
- an .ods ``content.xml`` is walked table by table with the repeat counts applied to cells that
  hold something (trailing empty repeats, which LibreOffice always writes, do not count).

Limits are in ``read_limits``. The scanners are regular expressions over bytes (no XML parser, so
no entity expansion); a tag is never split between chunks.
"""

from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from gzdesk.errors import UserError
from gzdesk.exchange.file_guard import HOW_TO_CONVERT, ODS, XLSX
from gzdesk.exchange.read_limits import (
    MiB,
    ReadLimits,
    column_letters,
    column_number,
    count_text,
    size_text,
)

CHUNK = 4 * MiB  # inflated bytes scanned at a time
MAX_TAG = 16 * MiB  # no tag (or text between two tags) in a real sheet comes near this
MAX_CENTRAL_DIRECTORY = 16 * MiB
SMALL_PART = 16 * MiB  # workbook.xml, rels, manifest: read whole
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class SheetExtent:
    """The farthest cell a sheet (one archive entry) really refers to, 1-based; 0 when empty."""

    entry: str
    sheet: str = ""
    rows: int = 0
    cols: int = 0
    declared: str | None = None  # <dimension ref=...>
    text_cells: int = 0  # cells that take their text from the shared-string table
    shared_text: int = 0  # upper bound of the characters those cells expand to (set later)

    @property
    def label(self) -> str:
        return f"工作表“{self.sheet}”" if self.sheet else f"“{self.entry}”"

    @property
    def cells(self) -> int:
        """What the reader allocates: from A1 to the farthest cell."""
        return self.rows * self.cols


@dataclass
class BookScan:
    kind: str
    sheets: list[SheetExtent] = field(default_factory=list)
    uncompressed: int = 0


# --------------------------------------------------------------------------- the archive


def _refuse(name: str, what: str) -> UserError:
    return UserError(f"拒绝读取“{name}”：{what}")


def open_zip(f: BinaryIO, name: str, limits: ReadLimits) -> zipfile.ZipFile:
    """``zipfile.ZipFile`` once the central directory is known to be of a sane size."""
    try:
        end = zipfile._EndRecData(f)  # type: ignore[attr-defined]  # the record zipfile itself starts from
    except OSError:
        end = None
    if not end:
        raise UserError(f"无法读取“{name}”：压缩结构不完整，文件可能已损坏或不是真正的 Excel 文件：{HOW_TO_CONVERT}")
    entries, cd_size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > limits.max_entries or cd_size > MAX_CENTRAL_DIRECTORY:
        raise _refuse(name, f"压缩包声明含 {count_text(entries)} 个条目（目录 {size_text(cd_size)}），"
                            f"超过上限 {count_text(limits.max_entries)} 个，不是正常的工作簿")
    f.seek(0)
    try:
        return zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, struct.error):
        raise UserError(f"无法读取“{name}”：压缩结构不完整，文件可能已损坏或不是真正的 Excel 文件：{HOW_TO_CONVERT}") \
            from None


def check_entries(z: zipfile.ZipFile, name: str, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    """Count, methods, encryption and declared sizes/ratios of every entry."""
    infos = z.infolist()
    if len(infos) > limits.max_entries:
        raise _refuse(name, f"压缩包含 {count_text(len(infos))} 个条目，超过上限 {count_text(limits.max_entries)} 个，"
                            "不是正常的工作簿")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UserError(f"“{name}”设置了打开密码（内容已加密）：请在 WPS 或 Excel 中取消密码后再导入")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(name, f"“{info.filename}”使用了 Excel 不使用的压缩方式（{info.compress_type}），"
                                f"文件可能已损坏或被故意构造：{HOW_TO_CONVERT}")
        _check_ratio(name, info.filename, info.file_size, info.compress_size, limits, declared=True)
        total += info.file_size
        if total > limits.max_uncompressed:
            raise _refuse(name, f"解压后声明共 {size_text(total)} 以上，超过上限 {size_text(limits.max_uncompressed)}，"
                                "可能是“压缩炸弹”")
    return infos


def _check_ratio(name: str, entry: str, size: int, packed: int, limits: ReadLimits, *, declared: bool) -> None:
    if size > limits.ratio_free_bytes and size > packed * limits.max_ratio:
        ratio = size / max(packed, 1)
        said = "声明" if declared else "实际"
        raise _refuse(name, f"其中“{entry}”{said}解压后 {size_text(size)}，是压缩后的 {ratio:,.0f} 倍（上限 "
                            f"{limits.max_ratio} 倍），可能是“压缩炸弹”或已损坏")


def inflate(f: BinaryIO, info: zipfile.ZipInfo, name: str, limits: ReadLimits,
            budget: list[int]) -> Iterator[bytes]:
    """The entry's real uncompressed bytes in chunks, from its compressed bytes (sizes checked as
    they come, not as declared). ``budget[0]`` is what the whole archive may still inflate to."""
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UserError(f"无法读取“{name}”：其中“{info.filename}”的压缩数据已损坏：{HOW_TO_CONVERT}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    f.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    out = 0
    packed = 0

    def account(n: int) -> None:
        nonlocal out
        out += n
        budget[0] -= n
        if out > info.file_size:
            raise _refuse(name, f"其中“{info.filename}”实际解压后超过其声明的大小（声明 {size_text(info.file_size)}），"
                                "文件已损坏或被故意构造")
        if budget[0] < 0:
            raise _refuse(name, f"解压后超过上限 {size_text(limits.max_uncompressed)}，可能是“压缩炸弹”")
        _check_ratio(name, info.filename, out, max(packed, 1), limits, declared=False)

    while left > 0:
        raw = f.read(min(left, CHUNK))
        if not raw:
            raise UserError(f"无法读取“{name}”：文件不完整（“{info.filename}”被截断）：{HOW_TO_CONVERT}")
        left -= len(raw)
        packed += len(raw)
        if inflater is None:
            account(len(raw))
            yield raw
            continue
        data = raw
        while data:
            try:
                piece = inflater.decompress(data, CHUNK)
            except zlib.error:
                raise UserError(f"无法读取“{name}”：其中“{info.filename}”的压缩数据已损坏：{HOW_TO_CONVERT}") from None
            data = inflater.unconsumed_tail
            if piece:
                account(len(piece))
                yield piece
            if inflater.eof:
                return


def _chunks_with_whole_tags(pieces: Iterator[bytes], name: str, entry: str) -> Iterator[bytes]:
    """Re-cut inflated bytes at the last ``<`` of each piece, so no tag straddles two chunks."""
    tail = b""
    for piece in pieces:
        data = tail + piece if tail else piece
        cut = data.rfind(b"<")
        if cut <= 0:
            tail = data
            if len(tail) > MAX_TAG:
                raise _refuse(name, f"其中“{entry}”含有长达 {size_text(len(tail))} 的标签或文字，不是正常的工作表")
            continue
        yield data[:cut]
        tail = data[cut:]
        if len(tail) > MAX_TAG:
            raise _refuse(name, f"其中“{entry}”含有长达 {size_text(len(tail))} 的标签，不是正常的工作表")
    if tail:
        yield tail


def read_small(f: BinaryIO, info: zipfile.ZipInfo, name: str, limits: ReadLimits, budget: list[int]) -> bytes:
    if info.file_size > SMALL_PART:
        raise _refuse(name, f"其中“{info.filename}”有 {size_text(info.file_size)}，不是正常的工作簿结构")
    return b"".join(inflate(f, info, name, limits, budget))


# --------------------------------------------------------------------------- xlsx sheets

_WS = bytes.maketrans(b"\t\r\n", b"   ")  # XML whitespace → space, so plain counts see every form
_R_SIMPLE = re.compile(rb' r="([A-Za-z]{0,8})([0-9]{0,12})"')
_R_ODD = re.compile(rb' r(?:=(?!"[A-Za-z]{0,8}[0-9]{0,12}")| +=)')  # any r attribute _R_SIMPLE misses
_R_ANY = re.compile(rb'\sr\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb"^([A-Za-z]*)([0-9]*)$")
# A cell tag (prefixed or not) without r as its first attribute.  (Two separate literal-led
# patterns: an alternation makes the regex engine try every byte, ten times slower.)
_C_ODD = (re.compile(rb"<c(?! r=)[\s>/]"), re.compile(rb":c(?! r=)[\s>/]"))
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']*)[\"']")
_S_CELL = (b' t="s"', b" t='s'", b" t =", b" t= ")  # spaced forms: any value, counted to be safe
_S_INDEX = re.compile(rb'<c [^>]*?t="s"[^>]*>\s*<(?:[\w.-]+:)?v>\s*([0-9]+)\s*</')
_SI_SPLIT = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_SST_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\s[^>]*?uniqueCount\s*=\s*[\"']\s*([0-9]+)")


class _Positional(Exception):
    """A cell without an ``r`` first: scan the entry again, walking every tag."""


def _ref(value: bytes) -> tuple[int, int] | None:
    """(row, col), 1-based, as calamine reads an ``r`` value; None when calamine would refuse it
    (it then reports an error and allocates nothing)."""
    m = _REF.match(value)
    if not m:
        return None
    letters, digits = m.groups()
    row = (int(digits) if len(digits) <= 12 else 10**12) if digits else 0
    return row, (column_number(letters) if len(letters) <= 8 else 10**12) if letters else 0


def _greater(value: str, alphabet: str) -> str:
    """A regex for strings over ``alphabet`` (digits, or A–Z) that stand for more than ``value``
    (same-length strings compare like numbers; longer ones are larger)."""
    first, last = alphabet[0], alphabet[-1]
    cls = f"[{first}-{last}]"
    alts = [f"{cls}{{{len(value) + 1},}}"]
    for i, ch in enumerate(value):
        if ch != last:
            nxt = alphabet[alphabet.index(ch) + 1]
            rest = len(value) - i - 1
            alts.append(re.escape(value[:i]) + f"[{nxt}-{last}]" + (f"{cls}{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(alts) + ")"


def _box_pattern(rows: int, cols: int) -> re.Pattern[bytes]:
    """Matches what ``_R_ODD`` matches, and an ``r`` value of a cell outside A1:(cols, rows) or
    one calamine reads otherwise than we do (lower-case letters): one search instead of two."""
    letters = _greater(column_letters(cols), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    digits = _greater(str(rows), "0123456789")
    return re.compile(f' r(?: +=|=(?!"[A-Za-z]{{0,8}}[0-9]{{0,12}}")|="(?:[A-Z]*[a-z]|{letters}[0-9]|[A-Z]+{digits}"))'
                      .encode())


class _CellScan:
    """The farthest row and column one XML entry refers to.

    Fast path (every cell tag starts ``<c r="…"``, as Excel, WPS, LibreOffice, openpyxl and
    XlsxWriter write them): when the sheet declares a ``<dimension>`` within the limits, one
    search per chunk proves that no cell lies outside it; otherwise (or when one does) the maximum
    is taken over every cell's ``r``. Any other cell tag switches to walking the tags with
    calamine's own counting (``_Positional``)."""

    def __init__(self, limits: ReadLimits, positional: bool = False, count_text_cells: bool = True) -> None:
        self.limits = limits
        self.positional = positional
        self.count_text_cells = count_text_cells
        self.max_row = 0  # from r values
        self.max_col = 0
        self.row_index = 0  # calamine's state (0-based), when walking
        self.col_index = 0
        self.pos_rows = 0  # farthest cell without r (1-based), when walking
        self.pos_cols = 0
        self.declared: bytes | None = None
        self.text_cells = 0
        self._box: tuple[int, int, re.Pattern[bytes]] | None = None
        self._boxed = False  # some chunk was proven inside the declared box
        self._first = True

    def _declare(self, data: bytes) -> None:
        m = _DIMENSION.search(data)
        if not m:
            return
        self.declared = m.group(1)
        ref = _ref(self.declared.split(b":")[-1].replace(b"$", b""))
        if ref and 0 < ref[0] <= self.limits.max_rows and 0 < ref[1] <= self.limits.max_cols \
                and ref[0] * ref[1] <= self.limits.max_sheet_cells:
            self._box = (ref[0], ref[1], _box_pattern(ref[0], ref[1]))

    def feed(self, data: bytes) -> None:
        if self._first:
            self._first = False
            if b"dimension" in data:
                self._declare(data)
        if self.positional or b"\t" in data or b"\r" in data:
            data = data.translate(_WS)
        if self.count_text_cells:
            self.text_cells += sum(data.translate(_WS).count(p) for p in _S_CELL)
        if self.positional:
            self._walk(data)
        elif any(p.search(data) for p in _C_ODD):
            raise _Positional()
        if self._box is not None and not self.positional:
            if self._box[2].search(data) is None:
                self._boxed = True  # every r simple, every cell inside the declared range
            else:
                self._r_any(data)
        elif _R_ODD.search(data) is not None:
            self._r_any(data)
        else:
            self._r_simple(data)

    def _r_simple(self, data: bytes) -> None:
        simple = _R_SIMPLE.findall(data)
        rows = max(map(int, filter(None, map(itemgetter(1), simple))), default=0)
        letters = set(map(itemgetter(0), simple))
        letters.discard(b"")
        self.max_row = max(self.max_row, rows)
        self.max_col = max(self.max_col, max(map(column_number, letters), default=0))

    def _r_any(self, data: bytes) -> None:
        for a, b in _R_ANY.findall(data):
            ref = _ref(a or b)
            if ref:
                self.max_row = max(self.max_row, ref[0])
                self.max_col = max(self.max_col, ref[1])

    def _walk(self, data: bytes) -> None:
        for m in _TAG.finditer(data):
            end, tag, attrs = m.group(1), m.group(2), m.group(3)
            closed = attrs.endswith(b"/")
            if tag == b"row":
                if end:
                    self.row_index += 1
                    self.col_index = 0
                elif not closed:
                    r = _R_ANY.search(attrs)
                    if r:
                        ref = _ref(r.group(1) or r.group(2))
                        if ref and ref[0]:
                            self.row_index = ref[0] - 1
                continue
            if end or closed:
                continue  # calamine takes only <c>…</c> cells
            r = _R_ANY.search(attrs)
            if r:
                ref = _ref(r.group(1) or r.group(2))
                if ref and ref[1]:
                    self.col_index = ref[1] - 1
                self.col_index += 1
                continue
            self.pos_rows = max(self.pos_rows, self.row_index + 1)
            self.pos_cols = max(self.pos_cols, self.col_index + 1)
            self.col_index += 1

    def extent(self, entry: str) -> SheetExtent:
        box_rows, box_cols = (self._box[0], self._box[1]) if self._boxed and self._box else (0, 0)
        rows = max(self.max_row, self.pos_rows, box_rows)
        cols = max(self.max_col, self.pos_cols, box_cols)
        has_cells = bool(self.max_col or self.pos_cols or box_cols)
        return SheetExtent(entry, rows=rows if has_cells else 0, cols=cols if has_cells else 0,
                           declared=self.declared.decode("ascii", "replace") if self.declared else None,
                           text_cells=self.text_cells)


class _SharedStrings:
    def __init__(self) -> None:
        self.count = 0
        self.declared = 0
        self.longest = 0
        self._run = 0  # bytes since the last <si> (the current string, so far)

    def feed(self, data: bytes) -> None:
        if not self.declared:
            m = _SST_COUNT.search(data)
            if m:
                self.declared = int(m.group(1))
        parts = _SI_SPLIT.split(data)
        self._run += len(parts[0])
        if len(parts) > 1:
            self.longest = max(self.longest, self._run, *(len(p) for p in parts[1:-1]))
            self._run = len(parts[-1])
            self.count += len(parts) - 1

    def finish(self) -> None:
        if self.count:
            self.longest = max(self.longest, self._run)


_SHEET_TARGET = re.compile(r"^(?:/xl/|xl/|)?(worksheets/[A-Za-z0-9_.-]+\.xml)$")


def _sheet_targets(f: BinaryIO, infos: dict[str, zipfile.ZipInfo], name: str, limits: ReadLimits,
                   budget: list[int]) -> tuple[list[tuple[str, str]], bool]:
    """[(sheet name, archive entry)] in workbook order, from xl/workbook.xml and its relationships,
    and whether that is certainly the entry calamine reads for each name (plain targets, no
    duplicates). Only then may a sheet be read while later ones are still being checked."""
    wb = next((i for n, i in infos.items() if n.lower() == "xl/workbook.xml"), None)
    rels = next((i for n, i in infos.items() if n.lower() == "xl/_rels/workbook.xml.rels"), None)
    if wb is None or rels is None:
        return [], False
    targets: dict[bytes, str] = {}
    plain = True
    for attrs in re.findall(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>", read_small(f, rels, name, limits, budget)):
        a = dict(re.findall(rb'([\w:]+)\s*=\s*"([^"]*)"', attrs))
        if b"Id" not in a or b"Target" not in a:
            continue
        target = html.unescape(a[b"Target"].decode("utf-8", "replace"))
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        if a[b"Id"] in targets or not _SHEET_TARGET.match(target) and b"worksheet" in a.get(b"Type", b""):
            plain = False
        targets[a[b"Id"]] = full
    out: list[tuple[str, str]] = []
    for attrs in re.findall(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>", read_small(f, wb, name, limits, budget)):
        a = dict(re.findall(rb'([\w:]+)\s*=\s*"([^"]*)"', attrs))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
        if rid in targets and b"name" in a:
            out.append((html.unescape(a[b"name"].decode("utf-8", "replace")), targets[rid]))
        else:
            plain = False
    entries = [e for _n, e in out]
    names = [n for n, _e in out]
    if len(set(entries)) != len(entries) or len(set(names)) != len(names) or any(e not in infos for e in entries):
        plain = False
    return out, plain


class XlsxCheck:
    """The checks of an .xlsx, runnable sheet by sheet: ``prelude()`` (everything but the sheets
    the workbook names: shared strings, styles, any odd entry), then ``sheet(entry)`` for each.
    Totals (cells, shared text) are checked as they grow, so a sheet that passes ``sheet()`` may
    be read at once while the next is still being checked."""

    def __init__(self, f: BinaryIO, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str,
                 limits: ReadLimits):
        self.f, self.name, self.limits = f, name, limits
        self.infos = [i for i in infos if not i.is_dir()]
        self.by_name = {i.filename: i for i in self.infos}
        self.budget = [limits.max_uncompressed]
        self.order, self.trusted = _sheet_targets(f, self.by_name, name, limits, self.budget)
        self.scan = BookScan(XLSX)
        self.sst = _SharedStrings()
        self._lengths: list[int] | None = None
        self._cells = 0
        self._text = 0
        # A text cell copies at most the whole table; a cell tag is at least 20 bytes. When even that
        # bound is within the limit (no table, or a small one) text cells need not be counted.
        table = sum(i.file_size for i in self.infos if self._is_sst(i))
        xml = sum(i.file_size for i in self.infos)
        self.count_text_cells = bool(table) and (xml // 20) * table > limits.max_shared_text

    @staticmethod
    def _is_sst(info: zipfile.ZipInfo) -> bool:
        return posixpath.basename(info.filename).lower() == "sharedstrings.xml"

    def _pieces(self, info: zipfile.ZipInfo, budget: list[int] | None = None) -> Iterator[bytes]:
        return _chunks_with_whole_tags(inflate(self.f, info, self.name, self.limits,
                                               self.budget if budget is None else budget),
                                       self.name, info.filename)

    def sheet_entries(self) -> list[str]:
        return [e for _n, e in self.order if e in self.by_name]

    def prelude(self) -> None:
        sheets = set(self.sheet_entries())
        for info in sorted(self.infos, key=lambda i: not self._is_sst(i)):  # the table first
            if self._is_sst(info):
                for data in self._pieces(info):
                    self.sst.feed(data)
                self.sst.finish()
                self._check_table()
            elif info.filename not in sheets:
                self._add(self._cells_of(info))

    def sheet(self, entry: str) -> SheetExtent:
        return self._add(self._cells_of(self.by_name[entry]))

    def run(self) -> BookScan:
        self.prelude()
        for entry in self.sheet_entries():
            self.sheet(entry)
        self.scan.uncompressed = self.limits.max_uncompressed - self.budget[0]
        return self.scan

    def _cells_of(self, info: zipfile.ZipInfo) -> SheetExtent:
        left = self.budget[0]
        cells = _CellScan(self.limits, count_text_cells=self.count_text_cells)
        try:
            for data in self._pieces(info):
                cells.feed(data)
        except _Positional:
            self.budget[0] = left  # the same bytes again, counted once
            cells = _CellScan(self.limits, positional=True, count_text_cells=self.count_text_cells)
            for data in self._pieces(info):
                cells.feed(data)
        extent = cells.extent(info.filename)
        extent.sheet = next((n for n, e in self.order if e == info.filename), "")
        return extent

    def _check_table(self) -> None:
        sst, limits = self.sst, self.limits
        if sst.declared > limits.max_shared_strings or sst.count > limits.max_shared_strings:
            raise _refuse(self.name, f"共享字符串表声明 {count_text(sst.declared)} 个、实有 {count_text(sst.count)} 个，"
                                     f"超过上限 {count_text(limits.max_shared_strings)} 个")
        if sst.declared > sst.count + 100_000:
            raise _refuse(self.name, f"共享字符串表声明有 {count_text(sst.declared)} 个字符串，实际只有 "
                                     f"{count_text(sst.count)} 个：声明与内容不符，文件已损坏或被故意构造")

    def _add(self, e: SheetExtent) -> SheetExtent:
        """Check one entry's extent and the running totals."""
        if not (e.cells or e.declared):
            return e
        check_extent(self.name, e, self.limits)
        self._cells += e.cells
        if self._cells > self.limits.max_book_cells:
            raise _refuse(self.name, f"各工作表合计 {count_text(self._cells)} 个单元格，超过上限 "
                                     f"{count_text(self.limits.max_book_cells)} 个：请把台账分成几个文件分别导入")
        e.shared_text = e.text_cells * self.sst.longest  # each such cell copies at most the longest
        if self._text + e.shared_text > self.limits.max_shared_text:
            e.shared_text = self._exact_text(e)
        self._text += e.shared_text
        if self._text > self.limits.max_shared_text:
            raise _refuse(self.name, f"{e.label}有 {count_text(e.text_cells)} 个单元格引用共享字符串，各表展开后可达 "
                                     f"{count_text(self._text)} 个字符，超过上限 {count_text(self.limits.max_shared_text)}")
        self.scan.sheets.append(e)
        return e

    def _exact_text(self, e: SheetExtent) -> int:
        """Σ length of the string each text cell of ``e`` names (a cell not parsed: the longest)."""
        if self._lengths is None:
            lengths: list[int] = []
            for info in self.infos:
                if not self._is_sst(info):
                    continue
                run = 0
                for data in self._pieces(info, [self.limits.max_uncompressed]):
                    parts = _SI_SPLIT.split(data)
                    run += len(parts[0])
                    if len(parts) > 1:
                        lengths.append(run)
                        lengths.extend(map(len, parts[1:-1]))
                        run = len(parts[-1])
                lengths.append(run)
                lengths = lengths[1:]  # what came before the first <si> is no string
            self._lengths = lengths
        lengths = self._lengths
        found, text = 0, 0
        for data in self._pieces(self.by_name[e.entry], [self.limits.max_uncompressed]):
            idx = [int(i) for i in _S_INDEX.findall(data.translate(_WS))]
            found += len(idx)
            text += sum(lengths[i] for i in idx if i < len(lengths))
        return text + max(e.text_cells - found, 0) * self.sst.longest


def check_extent(name: str, e: SheetExtent, limits: ReadLimits) -> None:
    """Excel's row/column limits, then the cells a reader would allocate for one sheet."""
    if e.declared:
        _check_declared(name, e, limits)
    if e.rows > limits.max_rows or e.cols > limits.max_cols:
        far = f"第 {e.rows:,} 行" if e.rows > limits.max_rows else f"第 {e.cols:,} 列"
        raise _refuse(name, f"{e.label}有单元格位于{far}，超出 Excel 的范围（{limits.max_rows:,} 行、"
                            f"{limits.max_cols:,} 列，即 {column_letters(limits.max_cols)}{limits.max_rows}），"
                            "文件已损坏或被故意构造")
    if e.cells > limits.max_sheet_cells:
        raise _refuse(name, f"{e.label}的数据一直延伸到 {column_letters(e.cols)}{e.rows}（{e.rows:,} 行 × "
                            f"{e.cols:,} 列 = {count_text(e.cells)} 个单元格），超过单张表 "
                            f"{count_text(limits.max_sheet_cells)} 个单元格的上限：请在 WPS 或 Excel 中删除"
                            "远处多余的单元格后另存，再导入")


def check_extents(name: str, scan: BookScan, limits: ReadLimits) -> None:
    """``check_extent`` for every sheet, then the workbook's total."""
    total = 0
    for e in scan.sheets:
        check_extent(name, e, limits)
        total += e.cells
    if total > limits.max_book_cells:
        raise _refuse(name, f"各工作表合计 {count_text(total)} 个单元格，超过上限 {count_text(limits.max_book_cells)} 个："
                            "请把台账分成几个文件分别导入")


def _check_declared(name: str, e: SheetExtent, limits: ReadLimits) -> None:
    """A declared range outside Excel's own grid is a damaged file. One inside it is not trusted
    either way: the reader goes by the cells the sheet really holds (checked above)."""
    for part in (e.declared or "").split(":"):
        ref = _ref(part.replace("$", "").encode("ascii", "replace"))
        if ref is None:
            continue
        row, col = ref
        if row > limits.max_rows or col > limits.max_cols:
            raise _refuse(name, f"{e.label}声明的范围“{e.declared}”超出 Excel 的范围（{limits.max_rows:,} 行、"
                                f"{limits.max_cols:,} 列），文件已损坏或被故意构造")


# --------------------------------------------------------------------------- ods

_ODS_TAG = re.compile(
    rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell)(?=[\s/>])"
    rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ODS_NAME = re.compile(rb"table:name\s*=\s*\"([^\"]*)\"")
_ODS_ROWS = re.compile(rb"table:number-rows-repeated\s*=\s*[\"']\s*([0-9]+)")
_ODS_COLS = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']\s*([0-9]+)")
_ODS_VALUE = re.compile(rb"office:(?:value|string-value|date-value|time-value|boolean-value)\s*=|table:formula\s*=")


class _OdsScan:
    """Tables of content.xml with repeats applied to cells that hold something."""

    def __init__(self) -> None:
        self.sheets: list[SheetExtent] = []
        self.text = 0
        self.offset = 0
        self._table: SheetExtent | None = None
        self._row = 0  # rows before the current one (repeats counted)
        self._row_repeat = 1
        self._col = 0
        self._row_cols = 0  # farthest content column in the current row
        self._cell: tuple[int, int, int] | None = None  # (start offset, cols repeated, start col)

    def feed(self, data: bytes) -> None:
        for m in _ODS_TAG.finditer(data):
            end, tag, attrs = m.group(1), m.group(2), m.group(3)
            closed = attrs.endswith(b"/")
            if tag == b"table:table":
                if end:
                    self._table = None
                elif not closed:
                    n = _ODS_NAME.search(attrs)
                    self._table = SheetExtent("content.xml", html.unescape(n.group(1).decode("utf-8", "replace"))
                                              if n else "")
                    self.sheets.append(self._table)
                    self._row = 0
                continue
            if self._table is None:
                continue
            if tag == b"table:table-row":
                if end:
                    self._end_row()
                elif not closed:
                    r = _ODS_ROWS.search(attrs)
                    self._row_repeat = max(int(r.group(1)), 1) if r else 1
                    self._col = 0
                    self._row_cols = 0
                else:
                    r = _ODS_ROWS.search(attrs)
                    self._row += max(int(r.group(1)), 1) if r else 1
                continue
            if end:  # a cell ends: its text is what lay between its tags
                if self._cell is not None:
                    start, repeat, col = self._cell
                    self._content(col, repeat, self.offset + m.start() - start)
                    self._cell = None
                continue
            c = _ODS_COLS.search(attrs)
            repeat = max(int(c.group(1)), 1) if c else 1
            if closed:
                if _ODS_VALUE.search(attrs):
                    self._content(self._col, repeat, len(attrs))
            else:
                self._cell = (self.offset + m.end(), repeat, self._col)
            self._col += repeat
        self.offset += len(data)

    def _content(self, col: int, repeat: int, text: int) -> None:
        self._row_cols = max(self._row_cols, col + repeat)
        self.text += repeat * self._row_repeat * text

    def _end_row(self) -> None:
        if self._table is not None:
            if self._row_cols:
                self._table.rows = max(self._table.rows, self._row + self._row_repeat)
                self._table.cols = max(self._table.cols, self._row_cols)
            self._row += self._row_repeat
        self._row_repeat = 1


def scan_ods(f: BinaryIO, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str,
             limits: ReadLimits) -> BookScan:
    budget = [limits.max_uncompressed]
    scan = BookScan(ODS)
    by_name = {i.filename: i for i in infos}
    manifest = by_name.get("META-INF/manifest.xml")
    if manifest is not None and b"encryption-data" in read_small(f, manifest, name, limits, budget):
        raise UserError(f"“{name}”设置了打开密码：请在 WPS 或 LibreOffice 中取消密码后再导入")
    if "content.xml" not in by_name:
        raise UserError(f"无法读取“{name}”：缺少 content.xml，文件已损坏：{HOW_TO_CONVERT}")
    ods = _OdsScan()
    for info in infos:
        if info.is_dir():
            continue
        pieces = _chunks_with_whole_tags(inflate(f, info, name, limits, budget), name, info.filename)
        if info.filename == "content.xml":
            for data in pieces:
                ods.feed(data)
        else:
            for _data in pieces:  # inflated and counted: sizes and ratios are real
                pass
    scan.sheets = [s for s in ods.sheets if s.cells]
    scan.uncompressed = limits.max_uncompressed - budget[0]
    if ods.text > limits.max_shared_text:
        raise _refuse(name, f"重复单元格展开后的文字可达 {count_text(ods.text)} 个字符，超过上限 "
                            f"{count_text(limits.max_shared_text)}")
    check_extents(name, scan, limits)
    return scan


# --------------------------------------------------------------------------- entry point


def zip_kind(z: zipfile.ZipFile, f: BinaryIO, name: str) -> str:
    """XLSX or ODS; raise for the other zip-based formats."""
    names = set(z.namelist())
    mimetype = b""
    if "mimetype" in names and z.getinfo("mimetype").file_size < 1024:
        try:
            mimetype = z.read("mimetype")[:200]
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, zlib.error):
            mimetype = b""
    if mimetype.startswith(ODS_MIME) or ("content.xml" in names and not any(n.startswith("xl/") for n in names)
                                         and not mimetype):
        return ODS
    lower = {n.lower() for n in names}
    if "xl/workbook.bin" in lower:
        raise UserError(f"“{name}”是 Excel 二进制工作簿（.xlsb），不能直接导入：{HOW_TO_CONVERT}")
    if "xl/workbook.xml" in lower:
        return XLSX
    if "word/document.xml" in lower:
        raise UserError(f"“{name}”实际是 Word 文档，不是表格：{HOW_TO_CONVERT}")
    if "ppt/presentation.xml" in lower:
        raise UserError(f"“{name}”实际是 PowerPoint 演示文稿，不是表格：{HOW_TO_CONVERT}")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise UserError(f"“{name}”是 OpenDocument 文档，但不是电子表格：{HOW_TO_CONVERT}")
    raise UserError(f"“{name}”是压缩包，但不是 Excel 或 WPS 工作簿：{HOW_TO_CONVERT}")


def open_checks(f: BinaryIO, path: Path, limits: ReadLimits) -> XlsxCheck | BookScan:
    """The archive checks; an .ods is scanned whole (its sheets are one entry), an .xlsx is
    returned as an ``XlsxCheck`` to be run whole or sheet by sheet."""
    name = path.name
    z = open_zip(f, name, limits)
    infos = check_entries(z, name, limits)
    if zip_kind(z, f, name) == ODS:
        return scan_ods(f, z, infos, name, limits)
    return XlsxCheck(f, z, infos, name, limits)


def scan_zip_workbook(f: BinaryIO, path: Path, limits: ReadLimits) -> BookScan:
    """Every check above on an open file; returns what was found (kind, extents)."""
    checks = open_checks(f, path, limits)
    return checks if isinstance(checks, BookScan) else checks.run()
