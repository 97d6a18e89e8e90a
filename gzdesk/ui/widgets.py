"""Small shared widgets: a date field that may stay empty, a yes/no/未填 combo, a phone field,
a red error line under a field, an image field for the 二维码, and confirmation helpers."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QEvent,
    QIODevice,
    QMimeData,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
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


class ChineseCalendar(QCalendarWidget):
    """A calendar headed 2026年 12月 (Qt writes 十二月 2026), months 1月…12月, weeks from Monday,
    no week numbers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setGridVisible(True)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.month_button = self.findChild(QToolButton, "qt_calendar_monthbutton")
        self.year_button = self.findChild(QToolButton, "qt_calendar_yearbutton")
        year_edit = self.findChild(QSpinBox, "qt_calendar_yearedit")
        bar = self.findChild(QWidget, "qt_calendar_navigationbar")
        layout = bar.layout() if bar is not None else None
        if isinstance(layout, QHBoxLayout) and self.month_button is not None and self.year_button is not None:
            at = layout.indexOf(self.month_button)  # the year first, as Chinese writes dates
            for widget in (w for w in (self.year_button, year_edit) if w is not None):
                layout.removeWidget(widget)
                layout.insertWidget(at, widget)
                at += 1
        if year_edit is not None:
            year_edit.setSuffix("年")
        menu = self.month_button.menu() if self.month_button is not None else None
        if menu is not None:
            for month, action in enumerate(menu.actions(), start=1):
                action.setText(f"{month}月")
        self.currentPageChanged.connect(self._label)
        self._label(self.yearShown(), self.monthShown())

    def header_text(self) -> str:
        """What the header shows, e.g. 2026年12月 (for tests)."""
        year = self.year_button.text() if self.year_button is not None else ""
        month = self.month_button.text() if self.month_button is not None else ""
        return f"{year}{month}"

    def _label(self, year: int, month: int) -> None:
        if self.year_button is not None:
            self.year_button.setText(f"{year}年")
        if self.month_button is not None:
            self.month_button.setText(f"{month}月")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self._label(self.yearShown(), self.monthShown())


class DateEdit(QWidget):
    """A date that may be left empty: type 2026-11-22 / 2026年11月22日 / 2026.11.22, or pick one
    from the calendar button; shown back as 2026年11月22日. ``date()`` is None when empty."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("未填（如 2026年11月22日）")
        self.line.setClearButtonEnabled(True)
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip("从日历中选择")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.calendar = ChineseCalendar()
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
            return f"{exc}，请写成 2026年11月22日（也可写 2026-11-22 或 20261122）"
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

    def __init__(self, parent: QWidget | None = None, *, mobile_only: bool = False, area_code: str | None = None):
        super().__init__(parent)
        self.mobile_only = mobile_only
        self.set_area_code(area_code)
        self.setMaxLength(100)
        self.textChanged.connect(self._check)

    def set_area_code(self, code: str | None) -> None:
        """The example in the placeholder uses the office's area code (``office_area_code``)."""
        self.setPlaceholderText("手机 11 位" if self.mobile_only else f"手机 11 位或座机，如 {landline_example(code)}")

    def problem(self) -> str | None:
        return phone_problem(self.text(), mobile_only=self.mobile_only)

    def _check(self) -> None:
        self.setStyleSheet(f"QLineEdit {{ {INVALID_EDIT_STYLE} }}" if self.text().strip() and self.problem() else "")


def landline_example(code: str | None) -> str:
    """0359-2021234 in a 0359 office; 区号-号码 when the area code is not known."""
    return f"{code}-2021234" if code else "区号-号码"


def office_area_code(controller) -> str | None:
    """The office's area code (``office.area_code``), read once until units, people or the office change."""
    from gzdesk import office

    return controller.cached("area_code", ("office", "units", "people"), lambda: controller.read(office.area_code))


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
        from gzdesk.ui import files

        path = files.ask_open_file(self, "选择二维码图片", IMAGE_FILTER)
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


class EmptyHint(QLabel):
    """A line over an empty table saying what the page is for and how to fill it.

    ``text()`` of the callback is asked whenever the view's model changes; the label shows over the
    viewport while the model has no rows (``empty`` when there are no records at all, ``filtered``
    when filters hide them all — the callback decides which)."""

    def __init__(self, view, text: Callable[[], str]):
        super().__init__(view.viewport())
        self.view = view
        self._text = text
        self.setObjectName("emptyHint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#emptyHint { color: #777; padding: 24px; font-size: 11pt; background: transparent; }")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update_hint)
        view.viewport().installEventFilter(self)
        self.update_hint()

    def update_hint(self, *_args) -> None:
        empty = self.view.model().rowCount() == 0
        if empty:
            self.setText(self._text())
            self.setGeometry(self.view.viewport().rect())
        self.setVisible(empty)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.view.viewport().rect())
        return False


def short_article(article: str, document: str | None) -> str:
    """An article of the office's own document as 本办法第十七条 (the table column; the full text is
    shown beside the table), up to the article number: 本办法第八条 for 本办法第八条 不得以……"""
    text = article or ""
    if document and text.startswith(document):
        text = "本办法" + text[len(document):]
    return text.split(" ", 1)[0]


def fit_row_height(view, columns: dict[int, Iterable[str]], max_lines: int = 4,
                   widths: dict[str, int] | None = None) -> int:
    """One row height for the whole table, tall enough for the longest text of each key column
    wrapped at the column's width (at most ``max_lines``): no key text is cut off, and a table of
    150,000 rows still needs no per-row sizing. Returns the number of lines.

    Only texts wider than their column are measured wrapped (a word such as 2026-00006 does not
    break, so the wrapped height is measured, not estimated from the width). Each distinct text is
    measured once, and none after one needs ``max_lines``: ``columns`` may be generators, best
    with the column likeliest to need them first. ``widths`` (text → width in the view's font) keeps
    the measures for the next call (the same rows after a column was resized)."""
    steps = _line_count(view, columns, max_lines, {} if widths is None else widths, {}, None)
    lines = next(n for n in steps if n is not None)
    _set_lines(view, lines)
    return lines


def _set_lines(view, lines: int) -> None:
    view.setWordWrap(lines > 1)
    view.verticalHeader().setDefaultSectionSize(lines * view.fontMetrics().lineSpacing() + 10)


def _wrapped_line(fm) -> int:
    """The height of one line as ``boundingRect`` measures wrapped text: with WenQuanYi Micro Hei a
    line spacing of 15 but 16 pixels a line wrapped (a 2-line text is 32), so counting in line
    spacings made every 2-line text a 3-line row."""
    from PySide6.QtCore import QRect

    one = fm.boundingRect(QRect(0, 0, 10_000, 1_000), int(Qt.TextFlag.TextWordWrap), "国").height()
    return max(fm.lineSpacing(), one)


def _line_count(view, columns: dict[int, Iterable[str]], max_lines: int, widths: dict[str, int],
                wrapped: dict[tuple[int, str], int], budget: int | None) -> Iterator[int | None]:
    """``fit_row_height``'s count of lines, yielding None after each ``budget`` measures (a slice of
    the GUI thread's time; None: no pause) and the number of lines last. ``widths`` (text → width)
    and ``wrapped`` ((column width, text) → wrapped height) keep what was measured."""
    from PySide6.QtCore import QRect

    fm = view.fontMetrics()
    line = _wrapped_line(fm)
    # a text taller than max_lines - 1 lines makes it max_lines, and no text after it can change that
    most = line * (max_lines - 1) + 1
    tallest = line
    left = budget
    for column, texts in columns.items():
        if tallest >= most:
            break
        width = max(view.columnWidth(column) - 12, 40)
        seen: set[str] = set()
        for text in texts:
            if not text or text in seen:
                continue
            seen.add(text)
            advance = widths.get(text)
            if advance is None:
                advance = widths[text] = fm.horizontalAdvance(text)
                if left is not None:
                    left -= 1
            if advance > width:
                height = wrapped.get((width, text))
                if height is None:
                    height = wrapped[(width, text)] = fm.boundingRect(
                        QRect(0, 0, width, line * (max_lines + 1)), int(Qt.TextFlag.TextWordWrap), text).height()
                    if left is not None:
                        left -= 1
                tallest = max(tallest, height)
                if tallest >= most:
                    break
            if left is not None and left <= 0:
                yield None  # the window's turn; the texts are read on from here when resumed
                left = budget
    yield min(max_lines, max(1, -(-tallest // line)))


def longest_first(rows: Iterable[Any], texts: dict[int, Callable[[Any], str]]) -> dict[int, list[Any]]:
    """For each key column, one row for each distinct ``texts[column](row)``, the longest text first:
    what ``RowHeights`` measures for a whole list. Made where the rows are read (a page's worker), so
    the GUI thread neither walks every row nor meets a text twice, and ``fit_row_height`` meets a
    text needing the most lines soonest. A row stands for its text, so a column whose shown text is
    a function of this one (依据, shortened by the office's document when shown) is measured through
    the model's own column."""
    out: dict[int, list[Any]] = {}
    rows = rows if isinstance(rows, list) else list(rows)
    for column, text in texts.items():
        first: dict[str, Any] = {}
        for row in rows:
            first.setdefault(text(row), row)
        out[column] = [first[t] for t in sorted(first, key=len, reverse=True)]
    return out


class RowHeights:
    """The row height of a ``ListModel`` table as ``fit_row_height`` fits it over the key columns,
    measured in slices of the GUI thread: ``set_whole(rows, longest_first(rows, …))`` when a read is
    shown, then ``fit(model)`` after every change of the rows shown and on every column resize.

    A list may have ~22,000 distinct key texts (待办 at 200,000 accounts) of which none needs the
    most lines: each is measured then (~0.3 s of Qt's text measuring), ``SLICE`` measures at a time,
    the window's events between them, the rows shown at their former height until the last slice
    sets the new one (a small list is fitted at once; a read that measured beforehand,
    ``TextMeasures``, leaves only look-ups). The result is ``fit_row_height``'s: the same texts are measured,
    in the same order. The whole list is measured through its distinct texts (``longest_first``), a
    filtered one through its rows. A call with the same rows, font, context (the office's document)
    and key column widths does nothing; what was measured is kept until the font changes."""

    SLICE = 1500  # Qt measures (~15–30 µs each) per turn of the GUI thread

    def __init__(self, view, key_columns: Iterable[int], max_lines: int):
        from PySide6.QtCore import QTimer

        self.view = view
        self.key_columns = tuple(key_columns)
        self.max_lines = max_lines
        self.widths: dict[str, int] = {}  # text → width in the view's font
        self._wrapped: dict[tuple[int, str], int] = {}  # (column width, text) → wrapped height
        self._font_key = ""  # the font they were measured in
        self._whole: list[Any] = []
        self._distinct: dict[int, list[Any]] = {}
        self._fitted: tuple | None = None
        self._steps: Iterator[int | None] | None = None
        self._timer = QTimer(view)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    @property
    def busy(self) -> bool:
        """Whether a fit is still being measured (its height not yet set)."""
        return self._steps is not None

    def measures(self) -> TextMeasures:
        """An empty ``TextMeasures`` for the view as it is now, for a read to fill."""
        return TextMeasures(self.view, self.key_columns, self.max_lines)

    def set_whole(self, rows: list[Any], distinct: dict[int, list[Any]], measured: TextMeasures | None = None) -> None:
        """The rows a read gave, ``longest_first`` of them over ``key_columns`` and what the read
        measured of them (kept when it was measured in the view's font: see ``TextMeasures``)."""
        self._whole, self._distinct = rows, distinct
        self._same_font()
        if measured is not None and measured.agrees(self.view):
            self.widths.update(measured.widths)
            self._wrapped.update(measured.wrapped)

    def _same_font(self) -> None:
        key = self.view.font().key()
        if key != self._font_key:
            self.widths, self._wrapped, self._font_key = {}, {}, key

    def fit(self, model, context: object = None) -> None:
        """Fit the view's rows to ``model.rows`` (at once, or over the next turns of the event loop)."""
        columns, rows = model.columns, model.rows
        fitted = (rows, len(rows), context, self.view.font().key(),
                  tuple(self.view.columnWidth(c) for c in self.key_columns))
        if self._fitted is not None and fitted[0] is self._fitted[0] and fitted[1:] == self._fitted[1:]:
            return  # a column not among them was resized
        self._same_font()
        self._fitted = fitted
        whole = len(rows) == len(self._whole) and set(self._distinct) >= set(self.key_columns)
        texts = {c: _column_texts(columns[c][1], self._distinct[c] if whole else rows) for c in self.key_columns}
        self._steps = _line_count(self.view, texts, self.max_lines, self.widths, self._wrapped, self.SLICE)
        self._timer.stop()
        self._step()

    def finish(self) -> None:
        """Measure what is left of the fit now (a page about to be printed or read back)."""
        while self._steps is not None:
            self._step()

    def _step(self) -> None:
        if self._steps is None:
            return
        lines = next(self._steps)
        if lines is None:
            self._timer.start()
            return
        self._steps = None
        _set_lines(self.view, lines)


class TextMeasures:
    """``RowHeights``'s measures made where a page's rows are read (its worker thread), in the view's
    font at the key columns' widths when the read was started: the GUI thread then only looks them up.

    Measured on the GUI thread while a worker runs, each of Qt's measures hands the interpreter lock
    to the worker and waits its turn for it back (up to the 5 ms switch interval): 22,000 measures
    for 待办 at 200,000 accounts held the window 100–300 ms a slice. The worker measures through a
    font of its own (a copy detached on the GUI thread: Qt fonts are reentrant, not thread-safe);
    ``agrees`` checks on the GUI thread that it measures as the view does before any is used."""

    def __init__(self, view, key_columns: Iterable[int], max_lines: int):
        from PySide6.QtGui import QFont

        font = QFont(view.font())
        size = font.pointSizeF()
        if size > 0:  # a change detaches the copy from the view's font (and back to the same size)
            font.setPointSizeF(size + 1)
            font.setPointSizeF(size)
        else:
            font.setPixelSize(font.pixelSize() + 1)
            font.setPixelSize(font.pixelSize() - 1)
        self._font: Any = font
        self.font_key = view.font().key()
        self.column_widths = {c: view.columnWidth(c) for c in key_columns}
        self.max_lines = max_lines
        self.line = 0
        self.widths: dict[str, int] = {}
        self.wrapped: dict[tuple[int, str], int] = {}

    def measure(self, distinct: dict[int, list[Any]], texts: dict[int, Callable[[Any], str]]) -> None:
        """Measure as ``RowHeights.fit`` would for the whole list (in the read's thread): each key
        column's ``texts[column]`` of ``distinct[column]`` (``longest_first``), in order."""
        from PySide6.QtGui import QFontMetrics

        if self._font is None:
            return
        stand_in = _Measuring(QFontMetrics(self._font), self.column_widths)
        columns = {c: _column_texts(texts[c], distinct[c]) for c in self.column_widths}
        for _lines in _line_count(stand_in, columns, self.max_lines, self.widths, self.wrapped, None):
            pass
        self.line = stand_in.fm.lineSpacing()
        del stand_in
        self._font = None  # released in the thread that used it

    def agrees(self, view) -> bool:
        """Whether these measures are the view's: the same font, line and a few texts measured again."""
        if self.font_key != view.font().key():
            return False
        fm = view.fontMetrics()
        if self.line != fm.lineSpacing():
            return False
        from PySide6.QtCore import QRect

        for text in list(self.widths)[:3]:
            if fm.horizontalAdvance(text) != self.widths[text]:
                return False
        for (width, text) in list(self.wrapped)[:3]:
            rect = QRect(0, 0, width, self.line * (self.max_lines + 1))
            if fm.boundingRect(rect, int(Qt.TextFlag.TextWordWrap), text).height() != self.wrapped[(width, text)]:
                return False
        return True


class _Measuring:
    """Stands for the view in ``_line_count``: its font's metrics and its key columns' widths."""

    def __init__(self, fm, widths: dict[int, int]):
        self.fm, self.widths = fm, widths

    def fontMetrics(self):  # noqa: N802 (as QWidget)
        return self.fm

    def columnWidth(self, column: int) -> int:  # noqa: N802 (as QTableView)
        return self.widths[column]


def _column_texts(text: Callable[[Any], str], rows: list[Any]) -> Iterable[str]:
    """A column's texts, made as ``fit_row_height`` reads them (it may stop early)."""
    return (text(r) for r in rows)