"""A tiny progress/cancel protocol shared by long exports, imports and merges.

A progress callback is ``callback(done, total) -> bool``; returning False asks to stop. The work
then raises ``Cancelled`` (a ``UserError``): an import rolls its transaction back and an export
deletes its partial file, so a cancelled run leaves nothing behind (issue 4 item 4).
"""

from __future__ import annotations

from collections.abc import Callable

from gzdesk.errors import UserError

ProgressCallback = Callable[[int, int], bool]


class Cancelled(UserError):
    """The person pressed 取消; nothing was written."""

    def __init__(self, message: str = "已取消，未写入任何内容"):
        super().__init__(message)


class Ticker:
    """Calls the callback every ``step`` units of work (and at the end), raising on cancel."""

    def __init__(self, callback: ProgressCallback | None, total: int, step: int = 500):
        self.callback = callback
        self.total = max(total, 0)
        self.step = max(step, 1)
        self.done = 0
        self._next = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.callback is not None and self.done >= self._next:
            self._next = self.done + self.step
            self.check()

    def check(self) -> None:
        """Report the current count now; raise ``Cancelled`` if the callback says stop."""
        if self.callback is not None and self.callback(min(self.done, self.total), self.total) is False:
            raise Cancelled()

    def finish(self) -> None:
        self.done = self.total
        self.check()
