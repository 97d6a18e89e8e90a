"""Check an old .xls (an OLE compound file holding a BIFF workbook) before python-calamine reads it.

What calamine would trust and allocate by, checked here first (issue 8 item 5):

- the compound file's header: FAT, DIFAT and mini-FAT sizes within the file, sector chains that
  end (a loop in the directory chain makes calamine read forever), stream sizes within the file;
  an encrypted .xlsx (an OLE file holding ``EncryptedPackage``) or a Word/PowerPoint file is
  named for what it is;
- the BIFF records: a password (FILEPASS), sheet offsets inside the stream, each sheet's
  DIMENSIONS record (calamine reserves rows × columns cells from it), the farthest cell any cell
  record names (a column field is 16 bits although BIFF8 has 256 columns), and the text that
  LABELSST cells copy out of the shared-string table.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gzdesk.errors import UserError
from gzdesk.exchange.file_guard import HOW_TO_CONVERT, XLS
from gzdesk.exchange.ooxml_scan import BookScan, SheetExtent, check_extents
from gzdesk.exchange.read_limits import ReadLimits, count_text

MAXREGSECT = 0xFFFFFFFA
DIFSECT = 0xFFFFFFFC
ENDOFCHAIN = 0xFFFFFFFE
MINI_CUTOFF = 4096
CELL_BYTES = 40  # calamine's Cell<Data>: position + value

# Cell records calamine reads (MS-XLS): row u16, column u16 first.
CELL_RECORDS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
MULRK, LABELSST, DIMENSIONS, BOF, EOF, FILEPASS, BOUNDSHEET, SST, CONTINUE = (
    0x00BD, 0x00FD, 0x0200, 0x0809, 0x000A, 0x002F, 0x0085, 0x00FC, 0x003C)


def _damaged(name: str, what: str) -> UserError:
    return UserError(f"无法读取“{name}”：{what}，文件已损坏或被故意构造：{HOW_TO_CONVERT}")


@dataclass
class _Entry:
    name: str
    kind: int
    start: int
    size: int


class _Compound:
    """Just enough of [MS-CFB] to find and read one stream safely."""

    def __init__(self, f: BinaryIO, size: int, name: str):
        self.f, self.name = f, name
        f.seek(0)
        h = f.read(512)
        if len(h) < 512:
            raise _damaged(name, "文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", h, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _damaged(name, "复合文档的扇区大小无效")
        self.ss = 1 << shift
        self.nsect = size // self.ss  # what calamine accepts as the largest sector number
        fat_len, dir_start = struct.unpack_from("<II", h, 44)
        mini_fat_start, mini_fat_len, difat_start, difat_len = struct.unpack_from("<IIII", h, 60)
        # calamine sizes its DIFAT list from the 4 bytes at offset 62 (half the mini-FAT start, half
        # its length): harmless for real files (a few hundred KB), 16 GiB for a crafted one.
        quirk = struct.unpack_from("<I", h, 62)[0]
        if fat_len > self.nsect or difat_len > self.nsect or mini_fat_len > self.nsect or quirk * 4 > 256 * 1024 * 1024:
            raise _damaged(name, "复合文档头部记录的表大小超过了文件本身")
        difat = list(struct.unpack_from("<109I", h, 76))
        seen: set[int] = set()
        sid = difat_start
        while sid < MAXREGSECT:  # calamine follows this chain without a loop check
            if sid in seen or sid > self.nsect:
                raise _damaged(name, "复合文档的 DIFAT 链成环或越界")
            seen.add(sid)
            values = struct.unpack(f"<{self.ss // 4}I", self._sector(sid))
            difat.extend(values[:-1])
            sid = values[-1]
        fat: list[int] = []
        for sid in difat:
            if sid < DIFSECT:
                if sid > self.nsect:
                    raise _damaged(name, "复合文档的 FAT 扇区越界")
                fat.extend(struct.unpack(f"<{self.ss // 4}I", self._sector(sid)))
        self.fat = fat
        raw = self._chain(dir_start, self.fat, self.ss, None, "目录")
        self.entries = [self._entry(raw[i:i + 128]) for i in range(0, len(raw) - 127, 128)]
        if not self.entries:
            raise _damaged(name, "复合文档没有根目录")
        self.size = size
        root = self.entries[0]
        if root.size > size:
            raise _damaged(name, "复合文档的迷你流大小超过了文件本身")
        self.mini_stream = self._chain(root.start, self.fat, self.ss, root.size, "迷你流") if mini_fat_len else b""
        mini = self._chain(mini_fat_start, self.fat, self.ss, mini_fat_len * self.ss, "迷你 FAT") \
            if mini_fat_len else b""
        self.mini_fat = list(struct.unpack(f"<{len(mini) // 4}I", mini[:len(mini) // 4 * 4]))

    def _sector(self, sid: int) -> bytes:
        self.f.seek((sid + 1) * self.ss)
        return self.f.read(self.ss).ljust(self.ss, b"\0")

    def _entry(self, raw: bytes) -> _Entry:
        n = min(struct.unpack_from("<H", raw, 64)[0], 64)
        name = raw[:n].decode("utf-16-le", "replace").split("\0", 1)[0]
        kind = raw[66]
        start = struct.unpack_from("<I", raw, 116)[0]
        size = struct.unpack_from("<Q" if self.ss == 4096 else "<I", raw, 120)[0]
        return _Entry(name, kind, start, size)

    def _chain(self, start: int, fat: list[int], unit: int, length: int | None, what: str,
               sector=None) -> bytes:
        """The bytes of a chain; a loop, a sector past the end or a chain longer than the file is refused."""
        sector = sector or self._sector
        out = bytearray()
        seen: set[int] = set()
        sid = start
        while sid != ENDOFCHAIN and (length is None or len(out) < length):
            if sid >= len(fat) or sid in seen or sid > MAXREGSECT:
                raise _damaged(self.name, f"复合文档的{what}扇区链成环或越界")
            seen.add(sid)
            out += sector(sid)
            sid = fat[sid]
            if len(out) > self.nsect * self.ss + self.ss:
                raise _damaged(self.name, f"复合文档的{what}比文件本身还长")
        return bytes(out[:length]) if length is not None else bytes(out)

    def _mini_sector(self, sid: int) -> bytes:
        return self.mini_stream[sid * 64:(sid + 1) * 64].ljust(64, b"\0")

    def find(self, *names: str) -> _Entry | None:
        for want in names:
            for e in self.entries:
                if e.name == want and e.kind == 2:
                    return e
        return None

    def stream(self, entry: _Entry) -> bytes:
        if entry.size > self.size:
            raise _damaged(self.name, f"“{entry.name}”流的大小超过了文件本身")
        if entry.size < MINI_CUTOFF:
            return self._chain(entry.start, self.mini_fat, 64, entry.size, "迷你流", self._mini_sector)
        return self._chain(entry.start, self.fat, self.ss, entry.size, "数据流")


def _records(data: bytes, pos: int):
    """(type, body, offset) of each BIFF record from ``pos`` (CONTINUE bodies appended)."""
    n = len(data)
    while pos + 4 <= n:
        typ, length = struct.unpack_from("<HH", data, pos)
        start = pos
        body = data[pos + 4:pos + 4 + length]
        pos += 4 + length
        conts = []
        while pos + 4 <= n and struct.unpack_from("<H", data, pos)[0] == CONTINUE:
            clen = struct.unpack_from("<H", data, pos + 2)[0]
            conts.append(data[pos + 4:pos + 4 + clen])
            pos += 4 + clen
        yield typ, body, conts, start


def _sst_lengths(body: bytes, conts: list[bytes]) -> list[int]:
    """Characters of each string in the SST, following strings across CONTINUE records
    (each continuation starts with its own flags byte)."""
    parts = [body[8:], *conts]
    lengths: list[int] = []
    part, i = 0, 0

    def take(k: int) -> bytes:
        nonlocal part, i
        out = b""
        while k > 0 and part < len(parts):
            chunk = parts[part][i:i + k]
            out += chunk
            k -= len(chunk)
            i += len(chunk)
            if i >= len(parts[part]):
                part, i = part + 1, 0
        return out

    while part < len(parts):
        if i >= len(parts[part]):
            part, i = part + 1, 0
            continue
        head = take(3)
        if len(head) < 3:
            break
        cch, flags = struct.unpack("<HB", head)
        runs = struct.unpack("<H", take(2))[0] if flags & 0x8 and part < len(parts) else 0
        ext = struct.unpack("<i", take(4))[0] if flags & 0x4 and part < len(parts) else 0
        lengths.append(cch)
        left, wide = cch, flags & 0x1
        while left > 0 and part < len(parts):
            room = (len(parts[part]) - i) // (2 if wide else 1)
            if room <= 0:  # the characters go on in the next CONTINUE, after a new flags byte
                part, i = part + 1, 0
                if part < len(parts):
                    wide = parts[part][0] & 0x1
                    i = 1
                continue
            step = min(room, left)
            take(step * (2 if wide else 1))
            left -= step
        take(4 * runs + max(ext, 0))
    return lengths


def scan_xls(f: BinaryIO, path: Path, size: int, limits: ReadLimits) -> BookScan:
    name = path.name
    cfb = _Compound(f, size, name)
    if cfb.find("EncryptedPackage", "EncryptionInfo"):
        raise UserError(f"“{name}”设置了打开密码：请在 WPS 或 Excel 中取消密码后再导入")
    if cfb.find("WordDocument"):
        raise UserError(f"“{name}”实际是 Word 文档，不是表格：{HOW_TO_CONVERT}")
    if cfb.find("PowerPoint Document"):
        raise UserError(f"“{name}”实际是 PowerPoint 演示文稿，不是表格：{HOW_TO_CONVERT}")
    entry = cfb.find("Workbook", "Book", "WORKBOOK", "BOOK")
    if entry is None:
        raise UserError(f"无法读取“{name}”：这个文件不是 Excel 工作簿（复合文档中没有工作簿数据）：{HOW_TO_CONVERT}")
    data = cfb.stream(entry)
    sheets: list[tuple[int, str]] = []
    strings: list[int] = []
    for typ, body, conts, _start in _records(data, 0):
        if typ == FILEPASS and body[:2] != b"\0\0":
            raise UserError(f"“{name}”设置了打开密码：请在 WPS 或 Excel 中取消密码后再导入")
        if typ == BOUNDSHEET and len(body) >= 8:
            pos = struct.unpack_from("<I", body, 0)[0]
            sheets.append((pos, _sheet_name(body)))
        elif typ == SST and len(body) >= 8:
            strings = _sst_lengths(body, conts)
        elif typ == EOF:
            break
    if len(strings) > limits.max_shared_strings:
        raise UserError(f"拒绝读取“{name}”：共享字符串表有 {count_text(len(strings))} 个，超过上限 "
                        f"{count_text(limits.max_shared_strings)} 个")
    scan = BookScan(XLS, uncompressed=len(data))
    shared = 0
    for pos, sheet in sheets:
        if pos >= len(data):
            raise _damaged(name, f"工作表“{sheet}”的位置在工作簿数据之外")
        extent, text = _scan_sheet(data, pos, sheet, strings, limits, name)
        shared += text
        if extent.cells:
            scan.sheets.append(extent)
    if shared > limits.max_shared_text:
        raise UserError(f"拒绝读取“{name}”：单元格引用的共享字符串展开后可达 {count_text(shared)} 个字符，超过上限 "
                        f"{count_text(limits.max_shared_text)}")
    check_extents(name, scan, limits)
    return scan


def _sheet_name(body: bytes) -> str:
    if len(body) < 8:
        return ""
    cch, flags = body[6], body[7]
    if flags & 0x1:
        return body[8:8 + 2 * cch].decode("utf-16-le", "replace")
    return body[8:8 + cch].decode("latin-1", "replace")


def _scan_sheet(data: bytes, pos: int, sheet: str, strings: list[int], limits: ReadLimits,
                name: str) -> tuple[SheetExtent, int]:
    extent = SheetExtent("Workbook", sheet)
    rows = cols = 0
    text = 0
    depth = 0
    seen_bof = False
    for typ, body, _conts, _start in _records(data, pos):
        if depth:
            depth += 1 if typ == BOF else -1 if typ == EOF else 0
            continue
        if typ == BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
            continue
        if typ == EOF:
            break
        if typ == DIMENSIONS:
            _check_dimensions(body, sheet, limits, name)
        elif typ in CELL_RECORDS and len(body) >= 4:
            r, c = struct.unpack_from("<HH", body, 0)
            rows, cols = max(rows, r + 1), max(cols, c + 1)
            if typ == LABELSST and len(body) >= 10:
                i = struct.unpack_from("<I", body, 6)[0]
                if i < len(strings):
                    text += strings[i]
        elif typ == MULRK and len(body) >= 6:
            r, first = struct.unpack_from("<HH", body, 0)
            n = (len(body) - 6) // 6
            rows, cols = max(rows, r + 1), max(cols, first + max(n, 1))
    extent.rows, extent.cols = (rows, cols) if cols else (0, 0)
    return extent, text


def _check_dimensions(body: bytes, sheet: str, limits: ReadLimits, name: str) -> None:
    """calamine reserves (last row − first row + 1) × (last column − first column + 1) cells from
    this record, in 32-bit arithmetic; a declared size past the limit is refused."""
    if len(body) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body, 0)
    elif len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body, 0)
    else:
        return  # calamine refuses the record
    if cf > 0xFF or cl < cf:
        cf = 0
    end = (rl - 1, cl - 1) if rl >= 1 and cl >= 1 else (rf, cf)
    n_rows = (end[0] - rf + 1) % (1 << 32)
    n_cols = (end[1] - cf + 1) % (1 << 32)
    if n_rows * n_cols > limits.max_sheet_cells:
        raise UserError(f"拒绝读取“{name}”：工作表“{sheet}”声明的范围为 {n_rows:,} 行 × {n_cols:,} 列，超过单张表 "
                        f"{count_text(limits.max_sheet_cells)} 个单元格的上限，文件已损坏或被故意构造")
