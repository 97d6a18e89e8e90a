"""Where an export is written, and what a failed write says (issue 8 item 9).

Exports are written under a temporary name next to the target and renamed at the end; whatever
goes wrong leaves no partial file, and the person reads the real cause in one line: the folder
does not exist, the file is read-only, it is open in Excel/WPS (Windows refuses to replace an
open file), the disk or USB stick is full or write-protected, the stick was pulled out.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from gzdesk.errors import UserError


def check_target(path: Path) -> None:
    """Refuse before writing: no folder, a folder or special file in the way, a read-only file.

    Read-only means the file's own write permission is off (the 只读 attribute on Windows), even
    for an administrator: a clerk who marked a file read-only meant it to stay."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        raise UserError(f"文件夹不存在：{folder}")
    if not folder.is_dir():
        raise UserError(f"“{folder}”不是文件夹，无法在其中保存文件")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise write_error(exc, path) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"“{path}”是一个文件夹，请另选文件名")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"“{path}”不是普通文件，不能覆盖，请另选文件名")
    if not st.st_mode & stat.S_IWUSR:
        raise UserError(f"“{path.name}”是只读文件，未覆盖：请取消它的只读属性，或另存为其他文件名")


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (XlsxWriter wraps it in FileCreateError)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if isinstance(current, OSError):
            return current
        inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = inner or current.__cause__ or current.__context__
        seen += 1
    return None


def write_error(exc: BaseException, path: Path) -> UserError:
    """One Chinese line for a failed write of ``path``."""
    os_error = _os_error(exc)
    code = os_error.errno if os_error is not None else None
    name = path.name
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return UserError(f"磁盘空间不足，无法写入“{name}”（未写完的文件已删除）：请清理磁盘或换一个位置保存")
    if code == errno.EFBIG:
        return UserError(f"文件超过了系统允许的大小或磁盘配额，无法写入“{name}”（未写完的文件已删除）：请换一个位置保存")
    if code == errno.EROFS:
        return UserError(f"“{path.parent}”所在的磁盘是只读的（如写保护的 U 盘），无法写入“{name}”")
    if code == errno.ENOENT:
        return UserError(f"文件夹不存在：{path.parent}")
    if code == errno.EIO:
        return UserError(f"写入“{name}”时磁盘出错（U 盘或网络盘可能已断开），未写完的文件已删除")
    if isinstance(os_error, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if path.exists() and not os.stat(path).st_mode & stat.S_IWUSR:
            return UserError(f"“{name}”是只读文件，未覆盖：请取消它的只读属性，或另存为其他文件名")
        if not os.access(path.parent if str(path.parent) else ".", os.W_OK):
            return UserError(f"没有在文件夹“{path.parent}”中保存文件的权限，请换一个位置保存")
        if path.exists():  # Windows will not replace a file another program holds open
            return UserError(f"无法写入“{name}”：文件正被其他程序使用（可能正在 Excel/WPS 中打开），请关闭后重试")
        return UserError(f"无法在文件夹“{path.parent}”中保存“{name}”：没有权限，或文件夹正被其他程序使用")
    if os_error is not None:
        label = errno.errorcode.get(code, str(code)) if code is not None else type(os_error).__name__
        return UserError(f"无法写入“{name}”（系统错误 {label}），未写完的文件已删除")
    return UserError(f"无法写入“{name}”（{type(exc).__name__}），未写完的文件已删除")
