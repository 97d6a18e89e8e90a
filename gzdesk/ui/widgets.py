"""Small shared widgets: a date field that may stay empty, a yes/no/未填 combo, a phone field,
a red error line under a field, an image field for the 二维码, and confirmation helpers."""

from __future__ import annotations

import datetime
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from gzdesk import value_check
from gzdesk.dates import cn_date, parse_date
from gzdesk.validation import phone_problem

ERROR_STYLE = "color: #c62828;"
INVALID_EDIT_STYLE = "border: 1px solid #c62828; border-radius: 2px; padding: 1px;"


class LazyPage(QWidget):
    """A page that reads the database only while the clerk can see it.

    A change (``controller.data_changed``) reloads a visible page at once and marks a hidden one
    stale; a stale page reloads when it is next shown. With 200,000 accounts a save on one page
    then never waits on the others, and the window opens without loading every page.
    A subclass implements ``reload()`` (which must clear ``_stale``) and may narrow
    ``reload_topics`` to the topics that change what it shows (None: every topic).
    """

    reload_topics: tuple[str, ...] | None = None

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self._stale = True
        controller.data_changed.connect(self._on_data_changed)

    def reload(self) -> None:
        raise NotImplementedError

    def reload_if_stale(self) -> None:
        if self._stale:
            self.reload()

    def _on_data_changed(self, topic: str) -> None:
        if self.reload_topics is not None and topic not in self.reload_topics:
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        self.reload_if_stale()
        super().showEvent(event)


class ErrorLabel(QLabel):
    """A red line under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def set_error(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


class DateEdit(QWidget):
    """A date that may be left empty: type 2026-11-22 / 2026年11月22日 / 2026.11.22, or pick one
    from the calendar button; shown back as 2026年11月22日. ``date()`` is None when empty."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("未填（如 2026-11-22）")
        self.line.setClearButtonEnabled(True)
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip("从日历中选择")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        menu = QMenu(self.button)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._sync_calendar)
        self.button.setMenu(menu)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.line.editingFinished.connect(self._reformat)
        self.line.textChanged.connect(lambda _t: self.changed.emit())
        self.setFocusProxy(self.line)

    def date(self) -> date | None:
        """The date, None when empty; raises ValueError (Chinese message) when unreadable."""
        return parse_date(self.line.text())

    def problem(self) -> str | None:
        try:
            self.date()
        except ValueError as exc:
            return f"{exc}，请写成 2026-11-22"
        return None

    def setDate(self, value: datetime.date | None) -> None:  # noqa: N802 (Qt style; ``date`` is a method here)
        self.line.setText(cn_date(value))

    def text(self) -> str:
        return self.line.text()

    def setText(self, text: str) -> None:  # noqa: N802
        self.line.setText(text)

    def _reformat(self) -> None:
        try:
            d = self.date()
        except ValueError:
            return
        if d is not None and self.line.text() != cn_date(d):
            self.line.setText(cn_date(d))

    def _sync_calendar(self) -> None:
        try:
            d = self.date()
        except ValueError:
            d = None
        d = d or date.today()
        self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))

    def _picked(self, qd: QDate) -> None:
        self.setDate(date(qd.year(), qd.month(), qd.day()))
        self.button.menu().hide()


class TriStateCombo(QComboBox):
    """是 / 否 / 未填 for the yes-or-no questions of the forms; ``value()`` is True/False/None."""

    def __init__(self, parent: QWidget | None = None, yes: str = "是", no: str = "否"):
        super().__init__(parent)
        self.addItem("未填", None)
        self.addItem(yes, True)
        self.addItem(no, False)

    def value(self) -> bool | None:
        return self.currentData()

    def setValue(self, value: bool | None) -> None:  # noqa: N802
        self.setCurrentIndex(0 if value is None else (1 if value else 2))


class PhoneEdit(QLineEdit):
    """A telephone field: mobiles (11 digits) or landlines (0359-2021234), several separated by 、.
    The frame turns red while the text is not a valid number."""

    def __init__(self, parent: QWidget | None = None, *, mobile_only: bool = False):
        super().__init__(parent)
        self.mobile_only = mobile_only
        self.setPlaceholderText("手机 11 位" if mobile_only else "手机 11 位或座机，如 0359-2021234")
        self.setMaxLength(100)
        self.textChanged.connect(self._check)

    def problem(self) -> str | None:
        return phone_problem(self.text(), mobile_only=self.mobile_only)

    def _check(self) -> None:
        self.setStyleSheet(f"QLineEdit {{ {INVALID_EDIT_STYLE} }}" if self.text().strip() and self.problem() else "")


IMAGE_FILTER = "图片文件 (*.png *.jpg *.jpeg *.bmp *.gif)"
MAX_IMAGE_BYTES = value_check.MAX_IMAGE_BYTES  # one rule for the editor and for every file checked


def image_bytes_from_file(path: str | Path) -> bytes:
    """The file's bytes if it is a readable image (PNG/JPEG kept as they are, others as PNG) that
    the stored-value check accepts (``value_check.image_problem``: size and dimensions)."""
    p = Path(path)
    data = p.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"图片“{p.name}”超过 5 MB，请换一张较小的二维码图片")
    image = QImage()
    if not image.loadFromData(data):
        raise ValueError(f"“{p.name}”不是可识别的图片文件")
    if not (data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff"):
        data = png_bytes(image)
    problem = value_check.image_problem(data)
    if problem:
        raise ValueError(f"“{p.name}”：{problem}")
    return data


def png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs say bytes; PySide takes str only)
    buffer.close()
    return bytes(array.data())


class ImageField(QWidget):
    """The 二维码: a preview that accepts a dropped image file, with 选择图片… and 清除 buttons."""

    changed = Signal()
    PREVIEW = 150

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._data: bytes | None = None
        self.preview = QLabel()
        self.preview.setObjectName("qrPreview")
        self.preview.setFixedSize(QSize(self.PREVIEW + 8, self.PREVIEW + 8))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("QLabel#qrPreview { border: 1px dashed #999; background: #fafafa; color: #777; }")
        self.pick_button = QPushButton("选择图片…")
        self.clear_button = QPushButton("清除")
        self.info = QLabel()
        self.info.setStyleSheet("color: #666;")
        self.error = ErrorLabel()
        buttons = QVBoxLayout()
        buttons.addWidget(self.pick_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.info)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preview)
        row.addLayout(buttons, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.setAcceptDrops(True)
        self.pick_button.clicked.connect(self.pick)
        self.clear_button.clicked.connect(self.clear)
        self._show()

    def image_bytes(self) -> bytes | None:
        return self._data

    def set_image_bytes(self, data: bytes | None) -> None:
        self._data = data or None
        self.error.set_error(None)
        self._show()
        self.changed.emit()

    def clear(self) -> None:
        self.set_image_bytes(None)

    def load_file(self, path: str | Path) -> bool:
        try:
            data = image_bytes_from_file(path)
        except (OSError, ValueError) as exc:
            self.error.set_error(str(exc) if isinstance(exc, ValueError) else f"无法读取文件：{exc}")
            return False
        self.set_image_bytes(data)
        return True

    def pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择二维码图片", "", IMAGE_FILTER)
        if path:
            self.load_file(path)

    def _show(self) -> None:
        if not self._data:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("暂无二维码\n可将图片拖到此处")
            self.info.setText("")
            self.clear_button.setEnabled(False)
            return
        pixmap = QPixmap()
        pixmap.loadFromData(self._data)
        self.preview.setPixmap(pixmap.scaled(self.PREVIEW, self.PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))
        self.info.setText(f"{pixmap.width()}×{pixmap.height()} 像素\n{len(self._data) // 1024 + 1} KB")
        self.clear_button.setEnabled(True)

    # drag and drop -----------------------------------------------------
    @staticmethod
    def _acceptable(mime: QMimeData) -> bool:
        if mime.hasImage():
            return True
        return any(u.isLocalFile() for u in mime.urls())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self.accept_mime(event.mimeData()):
            event.acceptProposedAction()

    def accept_mime(self, mime: QMimeData) -> bool:
        """Take an image from dropped data: a local file, or raw image data."""
        for url in mime.urls():
            if url.isLocalFile():
                return self.load_file(url.toLocalFile())
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.set_image_bytes(png_bytes(image))
                return True
        return False


def fit_to_screen(widget: QWidget, width: int, height: int, margin: int = 60) -> None:
    """Resize to width×height, but no larger than the screen's free area (1366×768 laptops)."""
    screen = widget.screen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width() - margin), min(height, free.height() - margin)
    widget.resize(max(width, 400), max(height, 300))


def confirm(parent: QWidget | None, title: str, text: str, yes: str = "确定", no: str = "取消") -> bool:
    """A question with Chinese buttons; the safe answer (``no``) is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.No).setText(no)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_save_discard(parent: QWidget | None, text: str = "内容已修改，是否保存？") -> str:
    """'save', 'discard' or 'cancel' — asked before closing an editor with unsaved edits."""
    box = QMessageBox(QMessageBox.Icon.Warning, "尚未保存", text,
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Save).setText("保存")
    box.button(QMessageBox.StandardButton.Discard).setText("不保存")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"
