"""Read a spreadsheet from outside in a child process, so that nothing in it can take the program
down (issue 8 item 5).

python-calamine is Rust: when it cannot allocate it aborts the whole process, and no ``except``
catches that; a window that read a hostile workbook itself would vanish with the clerk's work.
So every file is read in a child process (``multiprocessing`` with *spawn*: no forked Qt state):

1. here, before anything opens it: it must be a regular file of an acceptable size (a FIFO named
   ``.csv`` would block ``open`` forever);
2. in the child, with its address space limited (``RLIMIT_AS``, POSIX only) and its stderr sent
   to the null device (a Rust abort prints a backtrace): the file is opened without blocking,
   identified by content, checked against the limits in ``read_limits`` (``ooxml_scan``,
   ``ole_scan``), then read — calamine for workbooks, ``csv_text`` for text;
3. rows come back in batches through a pipe as plain Python values; the parent keeps polling so
   the window can show progress and cancel (the child is then killed).

A refusal in the child is its one Chinese line; a child that dies (an abort, the memory limit, a
crash) becomes “文件无法读取：…”, and the program carries on. On Windows there is no address-space
limit without a job object: there the checks of step 2 are the protection.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gzdesk.errors import UserError
from gzdesk.exchange.file_guard import (
    HOW_TO_CONVERT,
    ODS,
    TEXT,
    XLS,
    XLSX,
    check_path,
    open_regular,
    sniff,
)
from gzdesk.exchange.progress import Cancelled, ProgressCallback
from gzdesk.exchange.read_limits import DEFAULT_LIMITS, ReadLimits, default_memory_limit, size_text

BATCH = 2000  # rows per message
POLL = 0.05  # seconds between progress calls while waiting
SUFFIX_KIND = {".xlsx": XLSX, ".xlsm": XLSX, ".xls": XLS, ".ods": ODS, ".csv": TEXT}
KIND_LABEL = {XLSX: "Excel 工作簿（.xlsx）", XLS: "Excel 97-2003 工作簿（.xls）", ODS: "OpenDocument 表格（.ods）",
              TEXT: "分隔符文本（CSV）"}

Table = list[list[Any]]


@dataclass
class ReadResult:
    """Every sheet as rows (sheet name → rows, in the file's order), and what the file was."""

    tables: dict[str, Table] = field(default_factory=dict)
    kind: str = ""
    encoding: str | None = None  # text files: the encoding used
    renamed: bool = False  # the content is not what the file name says (read as what it is)


# --------------------------------------------------------------------------- parent


class _Reader:
    """A reading process kept between reads (starting one costs about 0.1–0.2 s); it is replaced
    after a read that failed or was cancelled, and after a big one (to give its memory back)."""

    def __init__(self, memory: int):
        ctx = multiprocessing.get_context("spawn")
        self.memory = memory
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=child_loop, args=(memory, child_conn), daemon=True,
                                   name="gzdesk-sheet-reader")
        self.process.start()
        child_conn.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.conn.close()


_reader: _Reader | None = None
_lock = threading.Lock()


def _take_reader(memory: int) -> _Reader:
    global _reader
    if _reader is not None and (_reader.memory != memory or not _reader.process.is_alive()):
        _reader.close()
        _reader = None
    if _reader is None:
        _reader = _Reader(memory)
    return _reader


def _drop_reader() -> None:
    global _reader
    if _reader is not None:
        _reader.close()
        _reader = None


def read_tables(path: Path | str, progress: ProgressCallback | None = None,
                limits: ReadLimits | None = None) -> ReadResult:
    """Read ``path`` safely. ``progress(rows so far, 0)`` is called while waiting; False cancels."""
    path = Path(path)
    result = ReadResult()
    current: Table = []
    for message in stream_tables(path, progress, limits):
        tag = message[0]
        if tag == "rows":
            current.extend(message[1])
        elif tag == "sheet":
            current = result.tables.setdefault(message[1], [])
        elif tag == "kind":
            result.kind, result.encoding, result.renamed = message[1], message[2], message[3]
    if not result.tables:
        raise UserError(f"“{path.name}”中没有工作表")
    return result


def stream_tables(path: Path | str, progress: ProgressCallback | None = None,
                  limits: ReadLimits | None = None) -> Generator[tuple, None, None]:
    """Read ``path`` safely, its messages handed on as they arrive: ``("kind", kind, encoding,
    renamed)``, ``("names", sheet names)``, then per sheet ``("sheet", name)`` and its
    ``("rows", batch)``es. What the caller does with a batch overlaps the reader's work on the
    next one (the reader is another process). ``progress(rows so far, 0)`` is called while
    waiting; False cancels. A refusal raises ``UserError``. Close the generator if you stop early."""
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    check_path(path, limits, csv=path.suffix.lower() == ".csv")
    memory = limits.memory_bytes or default_memory_limit()
    with _lock:
        reader = _take_reader(memory)
        try:
            reader.conn.send((str(path.absolute()), limits))
        except (OSError, EOFError):  # the idle reader had gone: once more with a new one
            _drop_reader()
            reader = _take_reader(memory)
            reader.conn.send((str(path.absolute()), limits))
        ok = False
        try:
            retire = yield from _receive(reader, path, progress, memory)
            ok = not retire
        finally:
            if not ok:
                _drop_reader()


def _receive(reader: _Reader, path: Path, progress: ProgressCallback | None,
             memory: int) -> Generator[tuple, None, bool]:
    """The reader's messages up to its answer; returns whether the reader should be retired."""
    rows = 0
    conn, child = reader.conn, reader.process
    while True:
        if progress is not None and progress(rows, 0) is False:
            raise Cancelled()
        if not conn.poll(POLL):
            if child.is_alive():
                continue
            if not conn.poll(0):
                break
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        tag = message[0]
        if tag == "rows":
            rows += len(message[1])
            yield message
        elif tag in ("sheet", "kind", "names"):
            yield message
        elif tag == "done":
            return bool(message[1])
        elif tag == "refused":
            raise UserError(message[1])
        else:  # "failed": an exception in the reader that is not ours
            raise UserError(f"文件无法读取：“{path.name}”不是有效的表格文件，或已损坏（{message[1]}）：{HOW_TO_CONVERT}")
    child.join(10)
    raise UserError(_death(path, child.exitcode, memory))


def _death(path: Path, code: int | None, memory: int) -> str:
    """One line for a reader that died instead of answering."""
    limited = hasattr(os, "fork")  # POSIX: the address space was limited
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        if -code in (getattr(signal, "SIGABRT", 6), getattr(signal, "SIGKILL", 9)) and limited:
            return (f"文件无法读取：读取“{path.name}”所需的内存超过了上限（{size_text(memory)}），读取已中止"
                    f"（{name}）；文件可能已损坏或被故意构造，程序和数据库未受影响")
        return f"文件无法读取：读取“{path.name}”的程序异常终止（{name}），文件可能已损坏或被故意构造；程序和数据库未受影响"
    return f"文件无法读取：读取“{path.name}”的程序异常退出（代码 {code}），文件可能已损坏或被故意构造；程序和数据库未受影响"


# --------------------------------------------------------------------------- child


RETIRE_ROWS = 200_000  # after a read this big the reading process is replaced (its memory freed)
_stray = threading.Event()  # a reading thread outlived its request: this process must end


def child_loop(memory: int, conn) -> None:
    """The reading process (module level, so *spawn* can import it): one request after another,
    each ``(path, limits)``, answered by messages ending in done / refused / failed."""
    _restrict(memory)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, limits = request
        if not _serve(Path(path), limits, memory, conn):
            return


def _serve(path: Path, limits: ReadLimits, memory: int, conn) -> bool:
    """Answer one request; False when this process should end (it refused or failed, and a
    reading thread may still be busy, or it read a lot)."""
    lock = threading.Lock()
    stopped = threading.Event()  # once a refusal is sent, nothing else is
    sent = [0]

    def send(message: tuple) -> None:
        with lock:
            if not stopped.is_set():
                conn.send(message)
                if message[0] == "rows":
                    sent[0] += len(message[1])

    def last(message: tuple) -> None:
        with lock:
            if not stopped.is_set():
                stopped.set()
                conn.send(message)

    try:
        _read(path, limits, send)
        retire = sent[0] > RETIRE_ROWS
        last(("done", retire))
        return not retire
    except UserError as exc:
        last(("refused", exc.message))
        return not _stray.is_set()  # a refusal leaves nothing behind, unless calamine is still busy
    except MemoryError:
        last(("refused", f"文件无法读取：读取“{path.name}”所需的内存超过了上限（{size_text(memory)}），"
                         "文件可能已损坏或被故意构造"))
    except BaseException as exc:  # pyo3 panics are BaseException: every failure becomes one line
        last(("failed", type(exc).__name__))
    return False


def _restrict(memory: int) -> None:
    """Limit the address space (POSIX) and silence stderr (a Rust abort writes a backtrace)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass  # Windows: the size checks alone
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:
        pass


def _read(path: Path, limits: ReadLimits, send) -> None:
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(8192)
        kind = sniff(path, head)
        named = SUFFIX_KIND.get(path.suffix.lower())
        if kind == TEXT:
            check_path(path, limits, csv=True)
            f.seek(0)
            data = f.read(limits.max_csv_bytes + 1)
            for message in _read_text(path, data, limits, renamed=named not in (None, TEXT)):
                send(message)
            return
        if kind == XLS:
            from gzdesk.exchange.ole_scan import scan_xls

            scan_xls(f, path, size, limits)
            send(("kind", XLS, None, named != XLS))
            _read_workbook(path, named == XLS, send)
            return
        from gzdesk.exchange.ooxml_scan import BookScan, open_checks

        checks = open_checks(f, path, limits)
        if isinstance(checks, BookScan):  # .ods: checked whole
            send(("kind", ODS, None, named != ODS))
            _read_workbook(path, named == ODS, send)
            return
        send(("kind", XLSX, None, named != XLSX))
        checks.prelude()
        if not checks.trusted:
            for entry in checks.sheet_entries():
                checks.sheet(entry)
            _read_workbook(path, named == XLSX, send)
            return
        _read_pipelined(path, checks, named == XLSX, send)


class _Gate:
    """Which sheets have passed their checks (the reader waits here before reading one)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.passed: set[str] = set()
        self.all = False
        self.failed = False

    def mark(self, entry: str | None) -> None:
        with self.cond:
            if entry is None:
                self.all = True
            else:
                self.passed.add(entry)
            self.cond.notify_all()

    def fail(self) -> None:
        with self.cond:
            self.failed = True
            self.cond.notify_all()

    def wait(self, entry: str | None) -> bool:
        with self.cond:
            while not (self.failed or self.all or (entry is not None and entry in self.passed)):
                self.cond.wait()
            return not self.failed


def _read_pipelined(path: Path, checks, by_name: bool, send) -> None:
    """Check sheet k+1 while calamine (which lets go of the GIL) reads sheet k: on two cores the
    checks cost little more than the first sheet's. A sheet is read only once it has passed."""
    entry_of = dict(checks.order)
    gate = _Gate()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            _read_workbook(path, by_name, send, lambda name: gate.wait(entry_of.get(name)))
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)
            gate.fail()

    thread = threading.Thread(target=reader, name="calamine", daemon=True)
    thread.start()
    try:
        for entry in checks.sheet_entries():  # all of them, even if calamine failed: a refusal
            checks.sheet(entry)               # by the checks says more than calamine's error
            gate.mark(entry)
        gate.mark(None)
    except BaseException:
        gate.fail()
        thread.join(0.5)
        if thread.is_alive():
            _stray.set()
        raise
    thread.join()
    if errors:
        raise errors[0]


def _read_text(path: Path, data: bytes, limits: ReadLimits, renamed: bool) -> Iterator[tuple]:
    from gzdesk.exchange.csv_text import csv_rows, decode_text

    text, encoding = decode_text(data, path.name)
    del data
    yield ("kind", TEXT, encoding, renamed)
    yield ("names", [path.stem])
    yield ("sheet", path.stem)
    batch: list[list[str]] = []
    for row in csv_rows(text, path.name, limits.max_csv_field):
        batch.append(_trim(row))
        if len(batch) >= BATCH:
            yield ("rows", _shared(batch))
            batch = []
    if batch:
        yield ("rows", _shared(batch))


SHARED_TEXT = 100  # cells of at most this many characters are shared within a batch


def _shared(batch: list[list[Any]]) -> list[list[Any]]:
    """The batch with equal short texts as one object each: calamine makes a string per cell, and a
    column of units, 岗位 or platforms repeats a few values thousands of times. Pickle then sends
    each once per batch, and the importing process keeps one copy instead of one per cell (the
    values are the same; only copies are saved). The table lives only as long as the batch."""
    seen: dict[str, str] = {}
    for row in batch:
        for i, cell in enumerate(row):
            if type(cell) is str and len(cell) <= SHARED_TEXT:
                row[i] = seen.setdefault(cell, cell)
    return batch


def _trim(row: list) -> list:
    """Without trailing empty cells (what is sent back is what matters)."""
    n = len(row)
    while n and (row[n - 1] == "" or row[n - 1] is None):
        n -= 1
    return row if n == len(row) else row[:n]


def _read_workbook(path: Path, by_name: bool, send, may_read=None) -> None:
    """Every sheet through calamine, in batches of rows. ``may_read(sheet)`` (when given) blocks
    until that sheet has passed its checks, and says False when reading must stop."""
    import python_calamine as pc

    try:
        if by_name:
            book = pc.CalamineWorkbook.from_path(str(path))
        else:  # the content is not what the extension says: let calamine go by the content
            book = pc.CalamineWorkbook.from_filelike(open(path, "rb"))  # noqa: SIM115 (the book owns it)
    except pc.PasswordError:
        raise UserError(f"“{path.name}”设置了打开密码：请在 WPS 或 Excel 中取消密码后再导入") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise UserError(f"无法读取“{path.name}”，文件可能已损坏或不是真正的 Excel 文件（{type(exc).__name__}）："
                        f"{HOW_TO_CONVERT}") from None
    send(("names", list(book.sheet_names)))
    for name in book.sheet_names:
        if may_read is not None and not may_read(name):
            return
        try:
            sheet = book.get_sheet_by_name(name)
        except pc.PasswordError:
            raise UserError(f"“{path.name}”设置了打开密码：请在 WPS 或 Excel 中取消密码后再导入") from None
        except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError) as exc:
            raise UserError(f"无法读取“{path.name}”的工作表“{name}”，文件可能已损坏（{type(exc).__name__}）："
                            f"{HOW_TO_CONVERT}") from None
        send(("sheet", name))
        batch: list[list[Any]] = []
        # A batch at a time: the sheet is never one Python list here. iter_rows pads the rows above
        # the used range (as to_python(skip_empty_area=False) does) but not the columns left of it.
        pad = [""] * sheet.start[1] if sheet.start else []
        for row in sheet.iter_rows():
            batch.append(_trim(pad + row if pad else row))
            if len(batch) >= BATCH:
                send(("rows", _shared(batch)))
                batch = []
        if batch:
            send(("rows", _shared(batch)))
        del sheet
    book.close()
