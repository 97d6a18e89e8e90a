"""Fuzz the import of workbooks and CSVs: mutated files through ``gzdesk import-excel``.

    .venv/bin/python scripts/fuzz_workbooks.py [--cases 2000] [--seed 1] [--workers 2] [--keep DIR]

Seeds are real exports of a demo registry (``gzdesk export-excel``, masked too, and the blank
template), odd layouts written here (title rows, r-less cells, inline and shared strings, an .ods,
an .xls), and CSVs in UTF-8, GB18030, Big5 and UTF-16 with every line ending. Each case mutates one
seed — zip entries (dropped, duplicated, renamed, truncated, re-compressed, sizes and flags
altered), sheet XML (dimensions, cell references far away or missing, shared-string counts and
indices, long strings, broken tags), bytes (flips, truncation, junk), CSV encodings, line endings,
quotes, NULs and field sizes — and runs ``import-excel --dry-run`` and a real import against a copy
of the demo database. Every run must end with exit 0 or 1, no traceback and no 内部错误, one line
on stderr for exit 1 (a dry run that lists row problems on stdout excepted), and the database unchanged (same SQL dump digest) after a dry run or a
refusal; a real import that succeeds must leave ``PRAGMA integrity_check`` ok.

Cases run in worker processes; a worker that dies (an abort) is reported with its case and the
run goes on. The tests run a short version (``run_cases`` in-process) on a few dozen cases.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# --------------------------------------------------------------------------- building workbooks


def _content_types(n: int, shared: bool) -> str:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    sst = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
           'officedocument.spreadsheetml.sharedStrings+xml"/>') if shared else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            f'sheet.main+xml"/>{sheets}{sst}</Types>')


def xlsx_bytes(sheets: dict[str, str], shared_strings: str | None = None,
               extra: dict[str, bytes | str] | None = None, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal .xlsx: sheet name → worksheet XML, optional sharedStrings.xml and other entries."""
    names = list(sheets)
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
          "<sheets>" + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
          + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
            + (f'<Relationship Id="rId{len(names) + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared_strings is not None else "") + "</Relationships>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL_NS
                 + '/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        z.writestr("[Content_Types].xml", _content_types(len(names), shared_strings is not None))
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, name in enumerate(names, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return out.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rows: list[list[object]], dimension: str | None = None, refs: bool = True) -> str:
    """Worksheet XML with inline strings and numbers; ``refs=False`` leaves out every r."""
    from gzdesk.exchange.read_limits import column_letters

    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for r, row in enumerate(rows, 1):
        out.append(f'<row r="{r}">' if refs else "<row>")
        for c, value in enumerate(row, 1):
            ref = f' r="{column_letters(c)}{r}"' if refs else ""
            if value is None:
                continue
            if isinstance(value, (int, float)):
                out.append(f"<c{ref}><v>{value}</v></c>")
            else:
                out.append(f'<c{ref} t="inlineStr"><is><t>{_esc(str(value))}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def far_cell_xlsx(far: str = "XFD1048576") -> bytes:
    """One cell at A1 and one far away: calamine would allocate the whole range (512 GiB)."""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
           f'<row r="1"><c r="A1" t="inlineStr"><is><t>账号名称</t></is></c></row>'
           f'<row r="{re.sub("[A-Z]", "", far)}"><c r="{far}" t="inlineStr"><is><t>x</t></is></c></row>'
           "</sheetData></worksheet>")
    return xlsx_bytes({"Sheet1": xml})


def zip_bomb_xlsx(size: int = 64 * 1024 * 1024) -> bytes:
    """A sheet entry that inflates about 1,000 times (a 4 MB file of this kind is 4 GB)."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>').encode()
    tail = b"</sheetData></worksheet>"
    pad = size - len(head) - len(tail)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = [comp.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(pad // len(block)):
        body.append(comp.compress(block))
    body.append(comp.compress(b" " * (pad % len(block)) + tail))
    body.append(comp.flush())
    data = b"".join(body)
    crc = 0
    for piece in (head, *([block] * (pad // len(block))), b" " * (pad % len(block)) + tail):
        crc = zlib.crc32(piece, crc)
    return _raw_zip([("[Content_Types].xml", _content_types(1, False).encode()),
                     ("xl/workbook.xml", _small_workbook()), ("xl/_rels/workbook.xml.rels", _small_rels())],
                    [("xl/worksheets/sheet1.xml", data, size, crc)])


def _small_workbook() -> bytes:
    return (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>').encode()


def _small_rels() -> bytes:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>').encode()


def _raw_zip(plain: list[tuple[str, bytes]], deflated: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from entries given as (name, data) to deflate here and (name, raw deflate, size, crc)."""
    entries = []
    for name, data in plain:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((name, comp.compress(data) + comp.flush(), len(data), zlib.crc32(data)))
    entries += deflated
    out = io.BytesIO()
    central = []
    for name, raw, size, crc in entries:
        offset = out.tell()
        n = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(n), 0))
        out.write(n + raw)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                                   len(n), 0, 0, 0, 0, 0, offset) + n)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def lying_size_xlsx(real: int = 8 * 1024 * 1024, declared: int = 4096) -> bytes:
    """A sheet entry that declares a few KB and really inflates to ``real`` bytes."""
    body = sheet_xml([["账号名称", "平台"]]).encode()
    body = body.replace(b"</sheetData>", b" " * real + b"</sheetData>")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = comp.compress(body) + comp.flush()
    return _raw_zip([("[Content_Types].xml", _content_types(1, False).encode()),
                     ("xl/workbook.xml", _small_workbook()), ("xl/_rels/workbook.xml.rels", _small_rels())],
                    [("xl/worksheets/sheet1.xml", raw, declared, zlib.crc32(body[:declared]))])


def ods_bytes(content_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                   'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                   'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
        z.writestr("content.xml", content_xml)
    return out.getvalue()


def ods_content(rows: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            f'<table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body>'
            "</office:document-content>")


def ods_repeat_bomb() -> bytes:
    """One string cell repeated across 16,384 columns and a million rows."""
    cell = ('<table:table-cell office:value-type="string" table:number-columns-repeated="16384">'
            "<text:p>账号</text:p></table:table-cell>")
    return ods_bytes(ods_content(f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>'))


# OLE compound file and BIFF8 --------------------------------------------------------------------

FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) holding ``streams``, each padded to 4 KB so
    that none lives in the mini stream."""
    ss = 512
    data = {k: v.ljust(4096, b"\0") for k, v in streams.items()}
    dir_entries = 1 + len(data)
    dir_sectors = (dir_entries * 128 + ss - 1) // ss
    stream_sectors = {k: (len(v) + ss - 1) // ss for k, v in data.items()}
    body_sectors = dir_sectors + sum(stream_sectors.values())
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + body_sectors:
        fat_sectors += 1
    fat = [FATSECT] * fat_sectors
    sid = fat_sectors
    dir_start = sid
    fat += [sid + i + 1 for i in range(dir_sectors - 1)] + [ENDOFCHAIN]
    sid += dir_sectors
    starts = {}
    for k, n in stream_sectors.items():
        starts[k] = sid
        fat += [sid + i + 1 for i in range(n - 1)] + [ENDOFCHAIN]
        sid += n
    fat += [FREESECT] * (fat_sectors * 128 - len(fat))
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, fat_sectors, dir_start, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int, start: int, size: int, child: int = FREESECT, right: int = FREESECT) -> bytes:
        raw = bytearray(128)
        n = (name + "\0").encode("utf-16-le")
        raw[:len(n)] = n
        struct.pack_into("<HBB", raw, 64, len(n), kind, 1)
        struct.pack_into("<III", raw, 68, FREESECT, right, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    names = list(data)
    dirs = [entry("Root Entry", 5, ENDOFCHAIN, 0, child=1 if names else FREESECT)]
    for i, k in enumerate(names, 1):
        dirs.append(entry(k, 2, starts[k], len(data[k]), right=i + 1 if i < len(names) else FREESECT))
    dir_bytes = b"".join(dirs).ljust(dir_sectors * ss, b"\0")
    out = bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + dir_bytes
    for k in names:
        out += data[k].ljust(stream_sectors[k] * ss, b"\0")
    return out


def _rec(typ: int, body: bytes) -> bytes:
    return struct.pack("<HH", typ, len(body)) + body


def _xl_string(text: str) -> bytes:
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def biff_workbook(sheets: dict[str, list[tuple[int, int, object]]], dimensions: dict[str, bytes] | None = None,
                  filepass: bool = False) -> bytes:
    """A BIFF8 Workbook stream: sheet name → [(row, col, value)] (numbers and text)."""
    bof = lambda dt: _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))  # noqa: E731
    globals_ = bof(0x0005) + (_rec(0x002F, b"\x01\x00" + b"\0" * 52) if filepass else b"") + _rec(0x0042, b"\xb0\x04")
    bodies = []
    for name, cells in sheets.items():
        rows = max((r for r, _c, _v in cells), default=0) + 1
        cols = max((c for _r, c, _v in cells), default=0) + 1
        dim = (dimensions or {}).get(name) or struct.pack("<IIHH", 0, rows, 0, min(cols, 0xFFFF)) + b"\0\0"
        body = bof(0x0010) + _rec(0x0200, dim)
        for r, c, v in cells:
            if isinstance(v, (int, float)):
                body += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
            else:
                body += _rec(0x0204, struct.pack("<HHH", r, c, 0) + _xl_string(str(v)))
        bodies.append(body + _rec(0x000A, b""))
    sheet_recs = [_rec(0x0085, struct.pack("<IBB", 0, 0, 0) + struct.pack("<BB", len(n), 1) + n.encode("utf-16-le"))
                  for n in sheets]
    offset = len(globals_) + sum(len(s) for s in sheet_recs) + 4  # + the globals' EOF
    fixed = []
    for rec, body in zip(sheet_recs, bodies, strict=True):
        fixed.append(rec[:4] + struct.pack("<I", offset) + rec[8:])
        offset += len(body)
    return globals_ + b"".join(fixed) + _rec(0x000A, b"") + b"".join(bodies)


def xls_bytes(sheets: dict[str, list[tuple[int, int, object]]], **kw) -> bytes:
    return cfb_bytes({"Workbook": biff_workbook(sheets, **kw)})


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an open password: an OLE file, not a zip."""
    return cfb_bytes({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200, "EncryptedPackage": os.urandom(5000)})


# --------------------------------------------------------------------------- seeds


def make_demo_db(folder: Path, accounts: int = 30) -> Path:
    """An initialised database with demo data (the one every case runs against a copy of)."""
    from gzdesk import demo, office
    from gzdesk.db import Database

    path = folder / "seed.db"
    db = Database(path, actor="fuzz")
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    demo.generate(db, accounts, seed=3)
    db.close()
    return path


def make_seeds(folder: Path, db_path: Path) -> dict[str, bytes]:
    """Real exports and odd layouts, by file name (the suffix tells the format)."""
    from gzdesk.cli import main

    seeds: dict[str, bytes] = {}
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        main(["export-excel", str(folder / "export.xlsx"), "--db", str(db_path)])
        main(["export-excel", str(folder / "masked.xlsx"), "--mask-phones", "--db", str(db_path)])
        main(["export-excel", str(folder / "template.xlsx"), "--template", "--db", str(db_path)])
    for name in ("export.xlsx", "masked.xlsx", "template.xlsx"):
        seeds[name] = (folder / name).read_bytes()
    rows = [["测试县政务新媒体统计表"], [], ["序号", "账号名称", "平台", "主办单位", "开通时间", "粉丝量"],
            [1, "测试发布", "微信订阅号", "测试县人民政府办公室", "2019年3月12日", 1200],
            [2, "测试教育", "抖音", "测试县教育局", "2020.1.2", "3.5万"],
            [3, "测试群聊", "微信群", "测试县教育局", "2019-13-40", -5]]
    seeds["odd.xlsx"] = xlsx_bytes({"统计": sheet_xml(rows, "A1:F6")})
    seeds["norefs.xlsx"] = xlsx_bytes({"统计": sheet_xml(rows, refs=False)})
    strings = sorted({str(v) for row in rows for v in row if isinstance(v, str)})
    sst = (f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{_esc(s)}</t></si>" for s in strings) + "</sst>")
    shared = sheet_xml(rows).replace(' t="inlineStr"><is><t>', ' t="s"><v>')
    for s in strings:
        shared = shared.replace(f"<v>{_esc(s)}</t></is></c>", f"<v>{strings.index(s)}</v></c>")
    seeds["shared.xlsx"] = xlsx_bytes({"统计": shared}, sst)
    cells = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None]
    seeds["old.xls"] = xls_bytes({"统计": cells})
    table = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{_esc(str(v))}</text:p></table:table-cell>'
        if v is not None else "<table:table-cell/>" for v in row) + "</table:table-row>" for row in rows)
    seeds["sheet.ods"] = ods_bytes(ods_content(table))
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    seeds["utf8.csv"] = text.encode("utf-8-sig")
    seeds["gbk.csv"] = text.encode("gb18030")
    seeds["cr.csv"] = text.replace("\n", "\r").encode("utf-8")
    seeds["tabs.csv"] = text.replace(",", "\t").encode("utf-16")
    seeds["big5.csv"] = "帳號名稱,平台,主辦單位\n測試發布,抖音,測試縣政府\n".encode("cp950")
    return seeds


# --------------------------------------------------------------------------- mutations


def _zip_entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i, z.read(i)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - a seed that is not a zip
        return None


def _rezip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as z:
        warnings.simplefilter("ignore")  # duplicated names are one of the mutations
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


def _mutate_xml(rng: random.Random, xml: bytes) -> bytes:
    choice = rng.randrange(14)
    if choice == 0:  # a cell far away
        far = rng.choice([b"XFD1048576", b"XFD1", b"A1048576", b"ZZZZ9", b"A99999999999", b"AAA100000", b"a1",
                          b"XFE1", b"A0"])
        return re.sub(rb'<c r="[A-Z]+[0-9]+"', b'<c r="' + far + b'"', xml, count=1)
    if choice == 1:  # the declared dimension
        dim = rng.choice([b"A1:XFD1048576", b"A1", b"A1:B2", b"ZZZ1:A1", b"A1:XFE9999999", b"garbage"])
        if b"<dimension" in xml:
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dim + b'"', xml)
        return xml.replace(b"<sheetData>", b'<dimension ref="' + dim + b'"/><sheetData>', 1)
    if choice == 2:  # cells without r
        return re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml, count=rng.randint(1, 50))
    if choice == 3:  # rows without r
        return re.sub(rb'<row r="[0-9]+"', b"<row", xml, count=rng.randint(1, 20))
    if choice == 4:  # truncated XML
        return xml[:rng.randrange(max(len(xml), 1))]
    if choice == 5:  # a broken tag
        pos = rng.randrange(max(len(xml), 1))
        return xml[:pos] + rng.choice([b"<", b">", b"<c", b'"', b"&", b"&#0;", b"\x00"]) + xml[pos:]
    if choice == 6:  # shared-string counts and indices
        xml = re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="' + str(rng.choice([0, 10**9, 2**32 + 1])).encode()
                     + b'"', xml)
        return re.sub(rb"<v>[0-9]+</v>", b"<v>" + str(rng.choice([10**6, 2**31, -1])).encode() + b"</v>", xml,
                      count=rng.randint(1, 5))
    if choice == 7:  # a long string
        return xml.replace(b"<t>", b"<t>" + "长".encode() * rng.choice([40_000, 200, 33_000]), 1)
    if choice == 8:  # invalid UTF-8 inside a string
        return xml.replace(b"<t>", b"<t>\xff\xfe\xc3", 1)
    if choice == 9:  # a DOCTYPE with entities
        return xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1)
    if choice == 10:  # duplicated attributes
        return xml.replace(b'<c r="', b'<c r="XFD1048576" r="', 1)
    if choice == 11:  # many empty rows far down
        return xml.replace(b"</sheetData>", b'<row r="1048576"/></sheetData>')
    if choice == 12:  # a prefixed namespace
        return xml.replace(b"<c ", b"<x:c ", rng.randint(1, 5))
    return bytes(b ^ (1 << rng.randrange(8)) if rng.random() < 0.001 else b for b in xml)


def mutate(rng: random.Random, name: str, data: bytes) -> tuple[str, bytes, str]:
    """(file name, bytes, what was done) for one case from a seed."""
    suffix = Path(name).suffix
    entries = _zip_entries(data) if suffix in (".xlsx", ".ods") else None
    what = rng.randrange(12)
    if entries is not None and what < 7:
        names = [i.filename for i, _d in entries]
        files = [(i.filename, d) for i, d in entries]
        if what == 0:  # an XML entry mutated
            k = rng.choice([n for n in names if n.endswith(".xml")] or names)
            files = [(n, _mutate_xml(rng, d) if n == k else d) for n, d in files]
            return name, _rezip(files), f"xml:{k}"
        if what == 1:  # an entry dropped
            k = rng.choice(names)
            return name, _rezip([(n, d) for n, d in files if n != k]), f"drop:{k}"
        if what == 2:  # an entry duplicated
            k = rng.choice(names)
            return name, _rezip(files + [(k, b"<x/>")]), f"dup:{k}"
        if what == 3:  # stored, not deflated
            return name, _rezip(files, zipfile.ZIP_STORED), "stored"
        if what == 4:  # declared sizes altered in the central directory
            raw = bytearray(data)
            for m in re.finditer(rb"PK\x01\x02", bytes(raw)):
                if rng.random() < 0.5:
                    struct.pack_into("<I", raw, m.start() + 24, rng.choice([0, 1, 2**32 - 1, 10**9]))
            return name, bytes(raw), "sizes"
        if what == 5:  # encryption flag or method altered
            raw = bytearray(data)
            for m in re.finditer(rb"PK\x01\x02", bytes(raw)):
                if rng.random() < 0.3:
                    struct.pack_into("<H", raw, m.start() + rng.choice([8, 10]), rng.choice([1, 9, 12, 14, 99]))
            return name, bytes(raw), "flags"
        k = rng.choice(names)  # an entry's content swapped for another's
        other = rng.choice(files)[1]
        return name, _rezip([(n, other if n == k else d) for n, d in files]), f"swap:{k}"
    if suffix == ".csv" and what < 8:
        text = None
        for enc in ("utf-8-sig", "utf-16", "gb18030", "cp950"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        text = text if text is not None else data.decode("latin-1")
        op = rng.randrange(9)
        if op == 0:
            return name, text.replace("\n", "\r").replace("\r\r", "\r").encode("utf-8"), "cr"
        if op == 1:
            return name, text.replace("\n", "\r\n").encode(rng.choice(["gb18030", "utf-8", "utf-16"])), "crlf"
        if op == 2:
            return name, text.replace(",", ",\"" + "字" * rng.choice([200_000, 1_100_000]) + "\",", 1).encode(), "long"
        if op == 3:
            return name, text.replace(",", '"', 1).encode("utf-8"), "quote"
        if op == 4:
            return name, text.encode("utf-8").replace(b",", b",\x00", 1), "nul"
        if op == 5:
            return name, text.encode("utf-8")[:-3] + b"\xff\xfe\xfd", "undecodable"
        if op == 6:
            try:
                return name, text.encode("cp950"), "big5"
            except UnicodeEncodeError:
                return name, text.encode("gb18030"), "gb18030"
        if op == 7:
            return name, text.replace(",", ";").encode("utf-8"), "semicolons"
        return name, (text * rng.randint(2, 30)).encode("utf-8"), "repeated"
    op = rng.randrange(6)
    if op == 0:
        return name, data[:rng.randrange(max(len(data), 1))], "truncated"
    if op == 1:
        return name, data + os.urandom(rng.randint(1, 4096)), "junk"
    if op == 2:
        raw = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            if raw:
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        return name, bytes(raw), "flips"
    if op == 3:  # the content under another name
        other = rng.choice([".xlsx", ".xls", ".ods", ".csv"])
        return Path(name).stem + other, data, f"renamed{other}"
    if op == 4:
        special = rng.choice([far_cell_xlsx(), lying_size_xlsx(1 << 20, 512), ods_repeat_bomb(), encrypted_xlsx(),
                              b"<html><table><tr><td>x</td></tr></table></html>", b"", b"PK\x05\x06" + b"\0" * 18,
                              xls_bytes({"S": [(0, 65535, 1)]}),
                              xls_bytes({"S": [(0, 0, "a")]}, dimensions={"S": struct.pack("<IIHH", 0, 2**32 - 1, 0, 255)
                                                                               + b"\0\0"})])
        return Path(name).stem + rng.choice([".xlsx", ".xls", ".ods", ".csv"]), special, "special"
    return name, data, "as is"


# --------------------------------------------------------------------------- running


def db_digest(path: Path) -> str:
    """SHA-256 of the database's SQL dump (WAL included: it is read through SQLite)."""
    con = sqlite3.connect(path)
    try:
        h = hashlib.sha256()
        for line in con.iterdump():
            h.update(line.encode("utf-8"))
        return h.hexdigest()
    finally:
        con.close()


@dataclass
class Outcome:
    case: int
    file: str
    what: str
    codes: tuple[int, ...]
    problem: str | None = None


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    from gzdesk.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_case(case: int, path: Path, what: str, seed_db: Path, work: Path) -> Outcome:
    """``--dry-run`` and a real import of ``path`` against fresh copies of the database."""
    codes = []
    problem = None
    for mode in ("dry", "real"):
        db = work / f"case{case}-{mode}.db"
        shutil.copyfile(seed_db, db)
        before = db_digest(db)
        argv = ["import-excel", str(path), "--db", str(db)] + (["--dry-run"] if mode == "dry" else [])
        code, out, err = _run_cli(argv)
        codes.append(code)
        if code not in (0, 1):
            problem = f"{mode}: exit {code}: {err.strip()[:300]}"
        elif "Traceback" in out + err or "内部错误" in out + err:
            problem = f"{mode}: {err.strip()[:300]}"
        elif code == 1 and len(err.strip().splitlines()) != 1 and not (mode == "dry" and not err.strip()
                                                                          and "预览完毕" in out):
            problem = f"{mode}: {len(err.strip().splitlines())} lines on stderr: {err.strip()[:300]}"
        elif (mode == "dry" or code == 1) and db_digest(db) != before:
            problem = f"{mode}: the database changed (exit {code})"
        elif mode == "real" and code == 0:
            con = sqlite3.connect(db)
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()
            if ok != "ok":
                problem = f"real: integrity_check: {ok}"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        if problem:
            break
    return Outcome(case, path.name, what, tuple((codes + [-1])[:2]), problem)


def make_cases(seeds: dict[str, bytes], count: int, seed: int) -> list[tuple[str, bytes, str]]:
    rng = random.Random(seed)
    names = sorted(seeds)
    cases = [(n, seeds[n], "seed") for n in names]
    while len(cases) < count:
        n = rng.choice(names)
        cases.append(mutate(rng, n, seeds[n]))
    return cases[:count]


def run_cases(count: int, seed: int, work: Path, accounts: int = 30) -> list[Outcome]:
    """Make the seeds and ``count`` cases in ``work`` and check each in this process."""
    seed_db = make_demo_db(work, accounts)
    seeds = make_seeds(work, seed_db)
    results = []
    for i, (name, data, what) in enumerate(make_cases(seeds, count, seed)):
        folder = work / f"c{i}"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        results.append(check_case(i, path, what, seed_db, work))
        shutil.rmtree(folder, ignore_errors=True)
    return results


def _worker(args: argparse.Namespace) -> None:
    """Run cases ``args.first`` … ``args.last`` and print one JSON line per case (``start`` first,
    so that a worker that dies leaves the case it died on)."""
    work = Path(args.work)
    seed_db = work / "seed.db"
    seeds = {p.name: p.read_bytes() for p in (work / "seeds").iterdir()}
    cases = make_cases(seeds, args.cases, args.seed)
    for i in range(args.first, min(args.last, len(cases))):
        name, data, what = cases[i]
        folder = work / f"c{i}"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        print(json.dumps({"start": i, "file": name, "what": what}), flush=True)
        o = check_case(i, path, what, seed_db, work)
        print(json.dumps({"done": i, "codes": o.codes, "problem": o.problem}), flush=True)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--accounts", type=int, default=30)
    ap.add_argument("--keep", help="keep the work folder here (default: a temporary one, removed)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--last", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args)
        return 0
    os.environ.setdefault("GZDESK_HOME", tempfile.mkdtemp(prefix="gzdesk-fuzz-home-"))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gzdesk-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    seed_db = make_demo_db(work, args.accounts)
    (work / "seeds").mkdir(exist_ok=True)
    for name, data in make_seeds(work, seed_db).items():
        (work / "seeds" / name).write_bytes(data)
    print(f"{args.cases} cases from {len(os.listdir(work / 'seeds'))} seeds in {work}", flush=True)
    todo = list(range(args.cases))
    done: dict[int, dict] = {}
    died: list[str] = []
    while todo:
        ranges = _ranges(todo, args.workers)
        running = [(r, subprocess.Popen([sys.executable, __file__, "--worker", "--work", str(work), "--cases",
                                         str(args.cases), "--seed", str(args.seed), "--first", str(r[0]),
                                         "--last", str(r[1])], stdout=subprocess.PIPE, text=True)) for r in ranges]
        todo = []
        results: dict[int, list] = {}

        readers = [threading.Thread(target=_collect, args=(results, k, p)) for k, (_r, p) in enumerate(running)]
        for t in readers:
            t.start()
        for t in readers:
            t.join()
        for k, ((_first, last), p) in enumerate(running):
            p.wait()
            current = None
            for msg in results.get(k, []):
                if "start" in msg:
                    current = msg
                else:
                    done[msg["done"]] = {**(current or {}), **msg}
                    current = None
            if current is not None:  # the worker died on this case
                died.append(f"case {current['start']} ({current['file']}, {current['what']}): worker exit {p.returncode}")
                done[current["start"]] = {**current, "codes": [-1, -1], "problem": f"worker died ({p.returncode})"}
                todo += [i for i in range(current["start"] + 1, last) if i not in done]
        print(f"  {len(done)} cases", flush=True)
    problems = [f"case {i} ({d.get('file')}, {d.get('what')}): {d['problem']}" for i, d in sorted(done.items())
                if d.get("problem")]
    codes = [tuple(d["codes"]) for d in done.values()]
    print(f"{len(done)} cases: dry-run exit 0 {sum(c[0] == 0 for c in codes)}, exit 1 {sum(c[0] == 1 for c in codes)}; "
          f"import exit 0 {sum(c[1] == 0 for c in codes)}, exit 1 {sum(c[1] == 1 for c in codes)}")
    for line in died + problems:
        print("PROBLEM " + line)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems or died else 0


def _collect(results: dict[int, list], index: int, p: subprocess.Popen) -> None:
    """Every JSON line of a worker (read in a thread each, so no worker waits on a full pipe)."""
    results[index] = [json.loads(line) for line in p.stdout]  # type: ignore[union-attr]


def _ranges(items: list[int], n: int) -> list[tuple[int, int]]:
    """Split sorted case numbers into at most ``n`` contiguous (first, last+1) ranges."""
    if not items:
        return []
    size = max(1, (len(items) + n - 1) // n)
    return [(items[i], items[min(i + size, len(items)) - 1] + 1) for i in range(0, len(items), size)]


if __name__ == "__main__":
    raise SystemExit(main())
