"""Guard against the PySide6 6.12 / Python 3.11 crash: "Fatal Python error: none_dealloc" after a
few thousand calls of Qt methods that return None. With a bad combination this test aborts the
whole run; with the pinned PySide6 (pyproject.toml) it passes."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QLineEdit


def test_twenty_thousand_calls_returning_none(qtbot):
    label = QLabel()
    edit = QLineEdit()
    qtbot.addWidget(label)
    qtbot.addWidget(edit)
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        results = set()
        for i in range(20_000):
            results.add(label.setText(f"账号 {i}"))
            results.add(painter.drawRect(QRect(i % 60, i % 60, 3, 3)))
            results.add(edit.setEnabled(i % 2 == 0))
            results.add(label.setToolTip(str(i)))
    finally:
        painter.end()
    assert results == {None}
    assert label.text() == "账号 19999"
    assert image.pixelColor(0, 0) != QColor("white")
