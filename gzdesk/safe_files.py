"""Files the program writes beside its database: never an incomplete file under a good name, private
copies where they can be found, checksums, and clearing away what a killed process left behind.

- **Partial files.** A copy (backup, migration backup, restore, snapshot) is written as
  ``<final name>.<pid>.partial`` and renamed to its final name only once it is complete and
  checked, so a kill or a full disk never leaves a file that looks like a good backup. SQLite's own
  side files of a partial (``-journal``, ``-wal``, ``-shm``) carry the same name plus its suffix.
- **Private copies.** A snapshot being checked or merged is copied to ``tmp/gzdesk-<kind>-<pid>-…``
  in the user's data folder (``gzdesk.paths.data_dir``) — not the system temp folder, where a
  killed merge used to leave a full copy of a county's registry, every phone number included.
- **Leftovers.** ``clean_leftovers(db_path)`` removes, on the next start, the partial files beside
  the database and in its ``backups`` folder and the private folders whose process (the pid in
  the name) is gone, and empty (0-byte) backup files. It never raises and touches nothing that a
  running gzdesk process may still be writing. Called when a database is opened (``gzdesk.db``).
- **Checksums.** ``write_checksum(path)`` writes ``<file>.sha256`` in the ``sha256sum`` format, so
  ``sha256sum -c office-20261122-101500.db.sha256`` checks a backup by hand. A SHA-256 beside the
  file proves only that the file has not been damaged or cut short since it was written (a disk
  error, an interrupted copy to a USB stick): anyone who changes the file can rewrite the sum too.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

PARTIAL = ".partial"
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
CHECKSUM_SUFFIX = ".sha256"
# only names this program gives (a user's own "*.partial" download beside the database is not ours)
_OURS = r"\.(?:db|bak|gzsnap|sha256|restore|sqlite)"
_PID_RE = re.compile(_OURS + r"\.(\d+)\.partial(?:-journal|-wal|-shm)?$")
_LEGACY_PARTIAL_RE = re.compile(_OURS + r"\.partial(?:-journal|-wal|-shm)?$")  # before the pid was in the name
_MIGRATION_BAK_RE = re.compile(r"\.v\d+-\d{8}-\d{6}(?:-\d+)?\.bak$")
_PRIVATE_RE = re.compile(r"^gzdesk-[a-z]+-(\d+)-[A-Za-z0-9_]+$")
STALE_SECONDS = 24 * 3600  # a private folder this old is gone even if its pid was reused


# A damaged file can make sqlite3 raise UnicodeDecodeError instead of DatabaseError (a flipped bit
# in sqlite_master gets into SQLite's own error message, which Python decodes strictly).
SQLITE_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)


def read_only_uri(path: Path | str) -> str:
    """SQLite's URI that opens ``path`` for reading only, also on a write-protected disk.

    ``mode=ro`` alone still has to make the ``-shm`` file beside a WAL database; in a folder that
    cannot be written (a write-protected USB stick, a CD) that fails as "unable to open database
    file", which read like a damaged file. There nobody can be writing the file, so SQLite may
    take it as ``immutable``. The path is quoted: a ``?`` or ``#`` in a folder name ended the
    file name early.
    """
    path = Path(path)
    flags = "mode=ro" if os.access(path.parent, os.W_OK) else "mode=ro&immutable=1"
    return f"file:{quote(path.resolve().as_posix())}?{flags}"


def connect_read_only(path: Path | str) -> sqlite3.Connection:
    """A read-only connection to ``path`` (see ``read_only_uri``)."""
    return sqlite3.connect(read_only_uri(path), uri=True)


def online_copy(source: Path | str, target: Path | str, *, pages: int = -1,
                progress: Callable[[int, int, int], object] | None = None) -> None:
    """Copy the database ``source`` into ``target`` with SQLite's online backup API.

    The one copy routine of backups, restores and snapshots: a consistent copy even while
    another connection writes, read through ``connect_read_only`` (so a database on a
    write-protected disk can be copied). ``pages``/``progress`` as in ``sqlite3.Connection.backup``.
    """
    src = connect_read_only(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=pages, progress=progress)
        finally:
            dst.close()
    finally:
        src.close()


def check_text(rows: list[str], shown: int = 2) -> str:
    """``PRAGMA integrity_check`` rows as one short line (a row may hold several lines)."""
    text = "；".join(" ".join(str(r).split()) for r in rows[:shown])
    return text if len(text) <= 200 else text[:200] + "…"


# --------------------------------------------------------------------------- partial files


def partial_path(target: Path) -> Path:
    """Where ``target`` is written until it is complete: ``<name>.<pid>.partial``."""
    target = Path(target)
    return target.with_name(f"{target.name}.{os.getpid()}{PARTIAL}")


def remove_database_file(path: Path) -> None:
    """Delete a SQLite file and its side files (``-journal``, ``-wal``, ``-shm``); missing is fine."""
    path = Path(path)
    for p in (path, *(path.with_name(path.name + s) for s in SIDE_SUFFIXES)):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def finish(partial: Path, target: Path) -> Path:
    """Give a complete, checked partial file its final name (atomic on one file system)."""
    for suffix in SIDE_SUFFIXES:  # a file finished in DELETE journal mode has none left; be sure
        side = partial.with_name(partial.name + suffix)
        if side.exists() and side.stat().st_size == 0:
            side.unlink(missing_ok=True)
    os.replace(partial, target)
    return Path(target)


# --------------------------------------------------------------------------- checksums


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while data := f.read(chunk):
            h.update(data)
    return h.hexdigest()


def checksum_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def write_checksum(path: Path) -> str:
    """Write ``<file>.sha256`` (``sha256sum`` format) for the finished file; returns the digest."""
    path = Path(path)
    digest = sha256_file(path)
    side = checksum_path(path)
    tmp = partial_path(side)
    tmp.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    os.replace(tmp, side)
    return digest


def read_checksum(path: Path) -> str | None:
    """The digest recorded beside ``path``; None when there is no readable checksum file."""
    side = checksum_path(path)
    try:
        text = side.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    m = re.match(r"^([0-9a-f]{64})\s", text + " ")
    return m.group(1) if m else ""


# --------------------------------------------------------------------------- private copies


def private_root(create: bool = True) -> Path:
    """``tmp`` in the user's data folder (the system temp folder if that cannot be made)."""
    from gzdesk.paths import data_dir

    root = data_dir() / "tmp"
    if not create:
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
        return root
    except OSError:
        return Path(tempfile.gettempdir())


def private_folder(kind: str) -> Path:
    """A new folder ``<root>/gzdesk-<kind>-<pid>-<random>`` for private copies; remove it when done."""
    return Path(tempfile.mkdtemp(prefix=f"gzdesk-{kind}-{os.getpid()}-", dir=private_root()))


def pid_alive(pid: int) -> bool:
    """Whether a process with this id is running (True when unsure: then nothing is removed)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.GetLastError() == 5  # type: ignore[attr-defined]  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# --------------------------------------------------------------------------- leftovers


def clean_leftovers(db_path: Path | None = None) -> list[Path]:
    """Remove what killed or failed gzdesk processes left behind (see the module docstring).

    Looks beside ``db_path``, in its ``backups`` folder and in the private copies folder. Returns
    what was removed. Never raises: a file that cannot be removed is left for the next start.
    """
    removed: list[Path] = []
    try:
        folders = []
        if db_path is not None:
            folder = Path(db_path).parent
            folders += [folder, folder / "backups"]
        for folder in folders:
            removed += _clean_partials(folder)
        removed += _clean_private(private_root(create=False))
    except OSError:
        pass
    return removed


def _clean_partials(folder: Path) -> list[Path]:
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for p in entries:
        try:
            name = p.name
            m = _PID_RE.search(name)
            legacy = not m and _LEGACY_PARTIAL_RE.search(name)
            if (m and not pid_alive(int(m.group(1)))) or (legacy and _older_than(p, 3600)):
                p.unlink()
                removed.append(p)
            elif (_MIGRATION_BAK_RE.search(name) or (folder.name == "backups" and name.endswith(".db"))) \
                    and p.is_file() and p.stat().st_size == 0:
                p.unlink()  # an empty "backup" (a full disk under an older version) holds nothing
                removed.append(p)
                checksum_path(p).unlink(missing_ok=True)
        except OSError:
            continue
    return removed


def _clean_private(root: Path) -> list[Path]:
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _PRIVATE_RE.match(p.name)
        if not m or not p.is_dir():
            continue
        if not pid_alive(int(m.group(1))) or _older_than(p, STALE_SECONDS):
            shutil.rmtree(p, ignore_errors=True)
            if not p.exists():
                removed.append(p)
    return removed


def _older_than(p: Path, seconds: float) -> bool:
    try:
        return time.time() - p.stat().st_mtime > seconds
    except OSError:
        return False
