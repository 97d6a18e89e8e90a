"""Who may touch a database file, guarded by OS locks that no ``close()`` elsewhere can drop.

Why this exists: SQLite guards a database with POSIX (fcntl) record locks, and POSIX drops *every*
such lock a process holds on a file when the process closes *any* descriptor of that file. Qt's
file dialogs open the files of the folder they list (icons, MIME types), so a window showing a
dialog on the database's folder silently loses SQLite's locks; the next process to open the file
then takes itself for the only user, deletes ``-wal``/``-shm`` and the window goes on writing into
a deleted WAL (SQLite, "How To Corrupt An SQLite Database File" §2.2). ``flock`` locks belong to
the open file description instead and are not dropped that way (check with ``/proc/locks``).

Two side files next to ``office.db`` carry gzdesk's own locks (``flock`` on POSIX; on Windows,
where SQLite's own locks are not dropped like this, ``msvcrt.locking`` gives the same guard):

- ``office.db.owner`` — held exclusively by the **window** for as long as it has the database
  open, with who holds it (process, user, computer, since when) written inside. A second window is
  told who has the file; a command-line write is refused with one line
  (``数据库正由窗口程序使用（进程 1234）…``); command-line reads go on.
- ``office.db.lock`` — the **operation lock**, held for the duration of each database operation by
  every gzdesk process: shared for command-line reads, exclusive for writes and for everything the
  window does (the window may have lost SQLite's locks, so nothing else may run beside it). The
  window keeps no SQLite connection open between operations (``gzdesk.db`` uses no pool), so a
  file whose SQLite locks were dropped is never open while another process works on it.

A process waiting for the operation lock says so (``on_wait``) and gives up after ``timeout``
seconds with one Chinese line naming the holder. Within one process the lock is re-entrant and
shared by the threads: their reads run together, a write runs alone (``_OperationLock``).

What this guarantees: gzdesk processes on one computer (window, command line, a second window) never
corrupt each other's view of the file. It does not stop other programs (an sqlite3 shell, a copy
made with a file manager while the window writes), and on a network folder it is only as good as
that folder's ``flock`` support.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gzdesk.errors import UserError

OWNER_SUFFIX = ".owner"
OPERATION_SUFFIX = ".lock"
DEFAULT_TIMEOUT = 15.0  # seconds a write waits for another process before giving up
WAIT_NOTICE_AFTER = 0.3  # seconds before ``on_wait`` is called
_POLL = 0.05

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    _WIN_OFFSET = 0x7FFFFFF0  # lock a byte far past the holder's note, so the note stays readable

    def _try_lock(fd: int, exclusive: bool) -> bool:
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # Windows has no shared variant: readers queue
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Holder:
    """Who holds a database open in a window (as written in its ``.owner`` file)."""

    pid: int
    user: str = ""
    host: str = ""
    since: str = ""  # ISO time

    def describe(self) -> str:
        """``进程 1234，用户 张三，自 12月1日 09:50 起`` (what is known of it)."""
        parts = [f"进程 {self.pid}"]
        if self.user:
            parts.append(f"用户 {self.user}")
        if self.host and self.host != socket.gethostname():
            parts.append(f"计算机 {self.host}")
        try:
            t = datetime.fromisoformat(self.since)
            parts.append(f"自 {t.month}月{t.day}日 {t:%H:%M} 起")
        except ValueError:
            pass
        return "，".join(parts)


def _side(path: Path, suffix: str) -> Path:
    return Path(os.path.abspath(path)).with_name(Path(path).name + suffix)


def _open_side(path: Path) -> int:
    """Open (creating) a side file without truncating what its holder wrote."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(path, flags, 0o666)
    except PermissionError:
        raise UserError(f"无法在“{path.parent}”中建立锁文件：没有写入权限（数据库所在文件夹须可写）") from None
    except OSError as exc:
        raise UserError(f"无法建立锁文件“{path.name}”：{exc.strerror or exc}") from None


def read_holder(db_path: Path) -> Holder | None:
    """The note in ``office.db.owner``, if any (it may be stale: use ``window_holder``)."""
    try:
        data = json.loads(_side(db_path, OWNER_SUFFIX).read_text(encoding="utf-8") or "null")
        return Holder(int(data["pid"]), str(data.get("user", "")), str(data.get("host", "")),
                      str(data.get("since", ""))) if data else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- the window's claim


_held_owner: dict[str, OwnerLock] = {}  # this process's window claims, by absolute path


class OwnerLock:
    """The window's claim on a database: exclusive, for as long as the window has it open."""

    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self.path = _side(self.db_path, OWNER_SUFFIX)
        self._fd: int | None = None

    def acquire(self, attempts: int = 5) -> None:
        """Take the claim, or a UserError naming the window that has it."""
        key = str(self.path)
        if key in _held_owner:
            raise UserError(f"数据库“{self.db_path.name}”已在本程序的另一个窗口中打开")
        fd = _open_side(self.path)
        for i in range(attempts):  # a command testing the claim holds it for a moment
            if _try_lock(fd, exclusive=True):
                break
            if i < attempts - 1:
                time.sleep(0.1)
        else:
            os.close(fd)
            holder = read_holder(self.db_path)
            who = f"（{holder.describe()}）" if holder else ""
            raise UserError(f"数据库“{self.db_path.name}”已在另一个窗口中打开{who}；同一时间只能由一个窗口使用，"
                            "请先关闭那个窗口")
        note = {"pid": os.getpid(), "user": _user(), "host": socket.gethostname(),
                "since": datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(note, ensure_ascii=False).encode("utf-8"))
        self._fd = fd
        _held_owner[key] = self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None
        _held_owner.pop(str(self.path), None)

    @property
    def held(self) -> bool:
        return self._fd is not None


def window_holder(db_path: Path) -> Holder | None:
    """The window of *another* process that has ``db_path`` open, or None."""
    path = _side(db_path, OWNER_SUFFIX)
    if str(path) in _held_owner or not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if _try_lock(fd, exclusive=False):
            _unlock(fd)
            return None
    finally:
        os.close(fd)
    return read_holder(db_path) or Holder(0)


def refuse_if_window(db_path: Path, what: str = "修改数据") -> None:
    """UserError when a window of another process has the database open."""
    holder = window_holder(db_path)
    if holder is not None:
        who = f"（{holder.describe()}）" if holder.pid else ""
        raise UserError(f"数据库正由窗口程序使用{who}：命令行此时不能{what}，请在窗口中操作，或关闭窗口后再运行")


# --------------------------------------------------------------------------- one operation


class _OperationLock:
    """This process's operation lock on one database: the OS lock on ``office.db.lock``, held while
    any thread of the process works on the file, and an in-process readers–writer lock over it.

    Reads of several threads run together (the window's page loading in a worker while its own
    thread reads a small page); a write waits until no other thread reads or writes, and reads
    that arrive while a write waits queue behind it. Within one thread the lock is re-entrant.
    Threads of one process may share the file this way because SQLite coordinates its connections
    within a process itself (its per-file lock table does not rely on the POSIX locks a dialog can
    drop); other processes are kept out by the OS lock, exclusive while the window has the file."""

    def __init__(self, path: Path):
        self.path = path
        self.cond = threading.Condition(threading.Lock())
        self.fd: int | None = None
        self.exclusive = False  # the OS lock's mode
        self.holders: dict[int, int] = {}  # thread → depth
        self.writer: int | None = None  # the thread holding it to write
        self.writers_waiting = 0


_operations: dict[str, _OperationLock] = {}
_registry_mutex = threading.Lock()


def _operation_lock(db_path: Path) -> _OperationLock:
    path = _side(db_path, OPERATION_SUFFIX)
    with _registry_mutex:
        lock = _operations.get(str(path))
        if lock is None:
            lock = _operations[str(path)] = _OperationLock(path)
        return lock


@contextmanager
def operation(db_path: Path, *, exclusive: bool, timeout: float | None = None,
              on_wait: Callable[[str], None] | None = None, refuse_window_for: str | None = None) -> Iterator[None]:
    """Hold the operation lock of ``db_path`` for the block (see the module docstring).

    ``exclusive`` for writes; ``refuse_window_for`` (e.g. ``"修改数据"``) refuses, once the lock is
    held, when another process's window has the database open. ``on_wait(message)`` is called
    once if the lock is not free within ``WAIT_NOTICE_AFTER`` seconds; after ``timeout`` seconds
    (default ``DEFAULT_TIMEOUT``) a UserError says who is busy.
    """
    writes = exclusive
    if str(_side(db_path, OWNER_SUFFIX)) in _held_owner:
        exclusive = True  # this process is the window: its SQLite locks may be gone, no other process runs beside it
    lock = _operation_lock(db_path)
    me = threading.get_ident()
    with lock.cond:
        depth = lock.holders.get(me, 0)
        if depth:
            if exclusive and not lock.exclusive:
                raise RuntimeError("operation lock: a write inside a read of the same database")
            lock.holders[me] = depth + 1
    if depth:
        try:
            yield
        finally:
            with lock.cond:
                lock.holders[me] -= 1
        return
    folder = Path(db_path).parent
    if not folder.exists():
        raise UserError(f"文件夹“{folder}”不存在")
    if not _writable_folder(folder):
        if exclusive:
            raise UserError(f"数据库“{Path(db_path).name}”所在的文件夹或磁盘是只读的，不能修改")
        yield  # a read-only folder: no lock file can be made, and nobody can change the file
        return
    _enter(lock, me, writes, exclusive, Path(db_path), timeout, on_wait)
    try:
        if refuse_window_for:
            refuse_if_window(db_path, refuse_window_for)
        yield
    finally:
        _leave(lock, me)


def _enter(lock: _OperationLock, me: int, writes: bool, exclusive: bool, db_path: Path, timeout: float | None,
           on_wait: Callable[[str], None] | None) -> None:
    """Wait for this thread's turn, then take the OS lock if no other thread of the process holds it."""
    with lock.cond:
        if writes:
            lock.writers_waiting += 1
        try:
            while (lock.writer is not None or (writes and lock.holders)
                   or (not writes and lock.writers_waiting) or (exclusive and lock.holders and not lock.exclusive)):
                lock.cond.wait()
        finally:
            if writes:
                lock.writers_waiting -= 1
        if not lock.holders:
            fd = _open_side(lock.path)
            try:
                _wait_for(fd, exclusive, db_path, timeout, on_wait)
            except BaseException:
                os.close(fd)
                lock.cond.notify_all()
                raise
            lock.fd, lock.exclusive = fd, exclusive
        lock.holders[me] = 1
        if writes:
            lock.writer = me


def _leave(lock: _OperationLock, me: int) -> None:
    with lock.cond:
        del lock.holders[me]
        if lock.writer == me:
            lock.writer = None
        if not lock.holders and lock.fd is not None:
            fd, lock.fd = lock.fd, None
            _unlock(fd)
            os.close(fd)
        lock.cond.notify_all()


def _wait_for(fd: int, exclusive: bool, db_path: Path, timeout: float | None,
              on_wait: Callable[[str], None] | None) -> None:
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    start = time.monotonic()
    told = False
    while not _try_lock(fd, exclusive):
        waited = time.monotonic() - start
        who = _busy_text(db_path)
        if waited >= timeout:
            raise UserError(f"数据库正忙：{who}，等待 {timeout:g} 秒后仍未结束，请稍后再试")
        if on_wait is not None and not told and waited >= WAIT_NOTICE_AFTER:
            on_wait(f"数据库正忙（{who}），正在等待…")
            told = True
        time.sleep(_POLL)


def _writable_folder(folder: Path) -> bool:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return False
    except (AttributeError, OSError):  # no statvfs on Windows
        pass
    return os.access(folder, os.W_OK)


def _busy_text(db_path: Path) -> str:
    holder = window_holder(db_path)
    if holder is not None and holder.pid:
        return f"窗口程序（{holder.describe()}）正在读写"
    return "另一个 gzdesk 程序正在读写"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on this system (a service account): the note just omits it
        return ""


def side_files(db_path: Path) -> list[Path]:
    """The lock files of ``db_path`` (they stay beside it; a copy of the database needs neither)."""
    return [_side(db_path, OWNER_SUFFIX), _side(db_path, OPERATION_SUFFIX)]
