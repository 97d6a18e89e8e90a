"""An operation waits for another gzdesk process (``Database(on_wait=…)``): say so where the clerk looks."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication


def show_wait(message: str) -> None:
    """A wait cursor until the event loop runs again, and the message in every visible window's
    status bar."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QTimer.singleShot(0, QApplication.restoreOverrideCursor)  # back once the event loop runs again
    for widget in QApplication.topLevelWidgets():
        status = getattr(widget, "status_message", None)
        if callable(status) and widget.isVisible():
            status(message, 8000)
            widget.repaint()
