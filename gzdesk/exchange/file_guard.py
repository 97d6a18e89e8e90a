"""Before a file from outside is opened: is it a regular file of a size we read, and what is it
really (by its first bytes, not its name)?

A FIFO or a device named ``台账.csv`` would block ``open()`` forever (issue 8 item 5), so the file
is examined with ``stat`` and opened non-blocking before anything reads it. The content decides
the reader: a .xls that is really an .xlsx (people rename files) is read as what it is, while an
HTML page saved as .xls by a web system, a password-protected workbook or a Word document is
refused with what it is and how to convert it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gzdesk.errors import UserError
from gzdesk.exchange.read_limits import DEFAULT_LIMITS, ReadLimits, size_text

HOW_TO_CONVERT = "请用 WPS 或 Excel 打开后“另存为” Excel 工作簿（.xlsx）再导入"

XLSX, XLS, ODS, TEXT, ZIP = "xlsx", "xls", "ods", "text", "zip"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _kind_of_mode(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def check_path(path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, csv: bool = False) -> int:
    """Raise unless ``path`` is a regular, non-empty file within the size limit; returns its size.

    Uses ``stat`` only: nothing is opened, so a FIFO cannot block."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”") from None
    except PermissionError:
        raise UserError(f"没有读取“{path}”的权限") from None
    except OSError as exc:
        raise UserError(f"无法读取“{path}”：{exc.strerror or exc}") from None
    what = _kind_of_mode(st.st_mode)
    if what is not None:
        raise UserError(f"“{path}”是{what}，不是普通文件，不能导入")
    if st.st_size == 0:
        raise UserError(f"“{path.name}”是空文件（0 字节），没有可导入的内容")
    limit = limits.max_csv_bytes if csv else limits.max_file_bytes
    if st.st_size > limit:
        raise UserError(f"“{path.name}”有 {size_text(st.st_size)}，超过可导入的上限 {size_text(limit)}："
                        "请把台账分成几个文件分别导入")
    return st.st_size


def open_regular(path: Path):
    """Open for reading without blocking on a FIFO, and make sure it is (still) a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”") from None
    except PermissionError:
        raise UserError(f"无法打开“{path.name}”：没有读取权限，或文件正在被其他程序独占使用（请关闭 WPS/Excel 后重试）") from None
    except OSError as exc:
        raise UserError(f"无法打开“{path.name}”：{exc.strerror or exc}") from None
    what = _kind_of_mode(os.fstat(fd).st_mode)
    if what is not None:
        os.close(fd)
        raise UserError(f"“{path}”是{what}，不是普通文件，不能导入")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def sniff(path: Path, head: bytes) -> str:
    """ZIP / XLS / TEXT by content; raise for files we know and do not read."""
    name = path.name
    if head.startswith(ZIP_MAGICS):
        return ZIP  # ooxml_scan tells an .xlsx from an .ods (or a Word file)
    if head.startswith(OLE_MAGIC):
        return XLS  # ole_scan tells an encrypted .xlsx or a Word file from a real .xls
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff\x00 \t\r\n").lower()
    if stripped.startswith(b"%pdf"):
        raise UserError(f"“{name}”实际是 PDF 文件，不是表格：{HOW_TO_CONVERT}")
    if stripped.startswith(b"{\\rtf"):
        raise UserError(f"“{name}”实际是 RTF 文档，不是表格：{HOW_TO_CONVERT}")
    if stripped.startswith(b"<"):
        text = stripped[:4096]
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
            raise UserError(f"“{name}”实际是 Excel 2003 XML 表格，不是 Excel 工作簿：{HOW_TO_CONVERT}")
        if any(tag in text for tag in (b"<html", b"<!doctype html", b"<table", b"<meta", b"<head", b"<body")):
            raise UserError(f"“{name}”实际是网页（HTML）文件，不是真正的 Excel 工作簿"
                            f"（常见于从网站系统“导出”的表格）：{HOW_TO_CONVERT}")
        if text.startswith(b"<?xml"):
            raise UserError(f"“{name}”实际是 XML 文件，不是表格：{HOW_TO_CONVERT}")
    if head[:4096].count(b"\x00") > max(2, len(head[:4096]) // 100) and not _looks_utf16(head):  # binary
        raise UserError(f"“{name}”不是 Excel、WPS 或 CSV 文件（内容无法识别，可能已损坏）：{HOW_TO_CONVERT}")
    return TEXT


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))
