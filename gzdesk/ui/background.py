"""Work off the GUI thread. ``BackgroundRunner``: a user's action (the import wizard's reading and
checking of a file) in a worker thread behind a modal progress dialog with 取消. ``BackgroundRead``:
a page whose domain read takes seconds on a big registry (检查:
~7 s at 200,000 accounts) runs it in a worker thread while the page shows a busy bar with 取消,
and puts the result on the page on the GUI thread.

The worker reads through the controller (``Controller.read``: its own session, in the worker's
thread), so the controller stays the only door to the database. The window holds the database's
operation lock exclusively against other processes (``gzdesk.dblock``); within the process its
threads' reads run together, so the GUI thread's small reads do not wait for a worker's long one
(a write waits until the reads in flight are done).
Cancelling cannot stop a domain function half-way: the result is dropped when it arrives.

Small databases (the tests', a county's few hundred accounts) read on the GUI thread as before:
there the read takes less than the thread's start and the page is filled at once.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from gzdesk.errors import UserError

BACKGROUND_FROM_BYTES = 4 << 20  # ~800 accounts with their filings and log (bench: 2,000 → 11 MB)
_READS: QThreadPool | None = None
_IN_FLIGHT = [0]  # reads started whose result has not yet reached the GUI thread


READ_SWITCH_INTERVAL = 0.0005  # seconds; see _reading
_SWITCH_INTERVAL = [0.0]  # the interpreter's own, kept while reads are in flight


def _reading(started: int) -> None:
    """Count a read started (1) or shown (-1); while any is in flight the interpreter hands its lock
    over ten times as often (``sys.setswitchinterval``: 5 ms → 0.5 ms).

    The window's table models are Python: painting a page calls ``data()`` for every cell and role
    shown, and each call takes the interpreter lock again from C++. While a worker runs Python, each
    such take waits until the worker is made to let go — up to the switch interval — so a repaint of
    a few hundred cells held the window for hundreds of milliseconds. A shorter interval costs the
    worker a few more switches, and only while the GUI thread asks for the lock."""
    before = _IN_FLIGHT[0]
    _IN_FLIGHT[0] += started
    if before == 0 and started > 0:
        _SWITCH_INTERVAL[0] = sys.getswitchinterval()
        sys.setswitchinterval(READ_SWITCH_INTERVAL)
    elif _IN_FLIGHT[0] == 0 and started < 0 and _SWITCH_INTERVAL[0]:
        sys.setswitchinterval(_SWITCH_INTERVAL[0])


def reads_pending() -> int:
    """How many pages' reads have not yet been shown (or dropped) on the GUI thread."""
    return _IN_FLIGHT[0]


def _reads() -> QThreadPool:
    """The pages' reads run one after the other on one thread kept for the window's life. They are
    Python-bound: two at once under the interpreter lock take as long as one after the other, but
    the GUI thread then waits behind two threads for the lock (gaps of 150–300 ms at 20,000
    accounts, against ~30 ms behind one)."""
    global _READS
    if _READS is None:
        _READS = QThreadPool()
        _READS.setMaxThreadCount(1)
        _READS.setExpiryTimeout(-1)
    return _READS


def keep_loaded() -> None:
    """Move what the window holds now out of the cyclic garbage collector's way (``gc.freeze``).

    Each full collection scans every tracked object, ~0.5 µs apiece (180 ms over the 200,000 rows
    of the 台账 alone), and runs on whichever thread allocates: a worker reading 100,000 people set
    it off and held the window for as long, and during the 检查 page's read at 200,000 accounts
    ever longer ones (up to 0.7 s) scanned what the read had made so far. So a worker's read runs
    with automatic collection off and freezes what it made when done; what a page has just taken
    from a read lives until the page reads again, and the rows are plain acyclic records that
    reference counting frees when they are replaced. Full collections need scan only what came
    after. A young collection first (a few milliseconds) frees the cycles just made; a cycle
    unreachable by then stays unfreed (the full collections of a whole page tour at 200,000
    accounts found a few hundred such objects)."""
    gc.collect(1)
    gc.freeze()


def in_background(controller: Any) -> bool:
    """Whether this controller's database is big enough for reads in a worker thread."""
    db = getattr(controller, "db", None)
    try:
        return db is not None and Path(db.path).stat().st_size >= BACKGROUND_FROM_BYTES
    except (OSError, TypeError, AttributeError):
        return False


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits through it (queued to the GUI thread)."""

    done = Signal(int, object)
    failed = Signal(int, object)


class _Read(QRunnable):
    def __init__(self, relay: _Relay, token: int, controller: Any, fn: Callable[..., Any], args: tuple):
        super().__init__()
        self.relay, self.token, self.controller, self.fn, self.args = relay, token, controller, fn, args

    def run(self) -> None:
        gc.disable()  # see keep_loaded: no full collection over what this read makes, while it reads
        try:
            result = self.controller.read(self.fn, *self.args)
        except BaseException as exc:  # noqa: BLE001 (handed to the GUI thread, which shows or raises it)
            self._emit(self.relay.failed, exc)
            return
        finally:
            gc.freeze()
            gc.enable()
        self._emit(self.relay.done, result)

    def _emit(self, signal: Any, value: Any) -> None:
        try:
            signal.emit(self.token, value)
        except RuntimeError:  # the page was closed while it read (the window closed): nobody waits
            pass


class BackgroundRead(QWidget):
    """A busy bar with 取消 (hidden while idle) that runs ``controller.read(fn, *args)`` in a
    worker thread on big databases, else at once; ``done(result)`` runs on the GUI thread.

    A new ``start`` drops the result of a read still running; ``cancel`` drops it too (and emits
    ``cancelled``: the page then reads again when next shown). ``after(fn)`` runs ``fn`` once the
    read in flight is shown (at once when none is): a selection made after a save waits for the
    page's reload."""

    cancelled = Signal()

    def __init__(self, controller: Any, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self._token = 0
        self._done: Callable[[Any], None] | None = None
        self._failed: Callable[[BaseException], None] | None = None
        self._after: list[Callable[[], object]] = []
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self.label = QLabel(text)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: the domain functions report no progress
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.hide()

    @property
    def busy(self) -> bool:
        return self._done is not None

    def start(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
              failed: Callable[[BaseException], None] | None = None) -> None:
        self._token += 1
        if not in_background(self.controller):
            self._done = None
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                result = self.controller.read(fn, *args)
            except UserError as exc:
                self._after = []
                if failed is None:
                    raise
                failed(exc)
                return
            finally:
                QApplication.restoreOverrideCursor()
            done(result)
            if not self.busy:
                self._run_after()
            return
        self._done, self._failed = done, failed
        self.show()
        _reading(1)
        _reads().start(_Read(self._relay, self._token, self.controller, fn, args))

    def after(self, fn: Callable[[], object]) -> None:
        """``fn()`` once the read in flight has been shown; at once when nothing is read. Dropped
        when the read is cancelled or fails."""
        if self.busy:
            self._after.append(fn)
        else:
            fn()

    def _run_after(self) -> None:
        waiting, self._after = self._after, []
        for fn in waiting:
            fn()

    def cancel(self) -> None:
        self._token += 1
        was_busy = self.busy
        self._done = self._failed = None
        self._after = []
        self.hide()
        if was_busy:
            self.cancelled.emit()

    def _on_done(self, token: int, result: Any) -> None:
        _reading(-1)
        if token != self._token or self._done is None:
            return  # cancelled, or a newer read was started
        done, self._done, self._failed = self._done, None, None
        self.hide()
        done(result)
        del result
        keep_loaded()
        if not self.busy:  # ``done`` may have started the next read: the waiting wait for that one
            self._run_after()

    def _on_failed(self, token: int, exc: BaseException) -> None:
        _reading(-1)
        if token != self._token or self._done is None:
            return
        failed, self._done, self._failed = self._failed, None, None
        self._after = []
        self.hide()
        if failed is not None and isinstance(exc, UserError):
            failed(exc)
            return
        raise exc  # the window's crash dialog shows it, as for an error in any slot


T = TypeVar("T")


class ProgressRunner:
    """Runs ``fn(callback)`` while a modal progress dialog shows ``callback(done, total)``."""

    def __init__(self, parent: QWidget | None, title: str, label: str):
        self.dialog = QProgressDialog(label, "取消", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)

    def callback(self, done: int, total: int) -> bool:
        if total <= 0:  # how much is unknown (a file still being read): a busy bar
            if self.dialog.maximum() != 0:
                self.dialog.setRange(0, 0)
        else:
            if self.dialog.maximum() != total:
                self.dialog.setRange(0, total)
            self.dialog.setValue(min(done, total))
        QApplication.processEvents()
        return not self.dialog.wasCanceled()

    def run(self, fn: Callable[[Callable[[int, int], bool]], T]) -> T:
        try:
            return fn(self.callback)
        finally:
            self.dialog.close()
            self.dialog.deleteLater()


class BackgroundRunner(ProgressRunner):
    """``ProgressRunner`` with the work on a thread of its own: reading the file and checking it
    against the registry (seconds at 200,000 accounts) no longer holds the window, which keeps
    painting and answering 取消 (issue 14: the GUI thread never blocked for more than 100 ms).

    The worker's ``callback(done, total)`` only records the count and says whether to go on; the
    GUI thread shows it every 50 ms through ``ProgressRunner.callback`` (whose answer cancels).
    The work opens its own session (``Controller.read`` in the worker), and the dialog is shown at
    once, window-modal, so nothing else in the window can start meanwhile."""

    TICK_MS = 50

    def run(self, fn: Callable[[Callable[[int, int], bool]], T]) -> T:
        seen = [0, 0]
        stop = threading.Event()
        outcome: dict[str, Any] = {}

        def report(done: int, total: int) -> bool:
            seen[0], seen[1] = done, total
            return not stop.is_set()

        def work() -> None:
            try:
                outcome["value"] = fn(report)
            except BaseException as exc:  # handed to the GUI thread, raised there
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="gzdesk-import-check", daemon=True)
        loop = QEventLoop()
        timer = QTimer()
        timer.setInterval(self.TICK_MS)

        def tick() -> None:
            if self.callback(seen[0], seen[1]) is False:
                stop.set()
            if worker.ident is not None and not worker.is_alive():
                loop.quit()

        timer.timeout.connect(tick)
        self.dialog.setMinimumDuration(0)
        self.dialog.show()
        tick()  # asked once before the work starts, so a cancel already given is never missed
        try:
            worker.start()
            timer.start()
            if worker.is_alive():
                loop.exec()
            worker.join()
        finally:
            timer.stop()
            self.dialog.close()
            self.dialog.deleteLater()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]
