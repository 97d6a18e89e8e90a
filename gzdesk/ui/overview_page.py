"""首页: the registry at a glance (``gzdesk.overview``), first in the navigation list.

Numbers in boxes grouped by section (时限, 备案, 人员, 按制度检查, 备份与上报, and what other parts add)
and three bar charts drawn with Qt's own painter (运行状态, 平台, 主办单位类型). Every number and every
bar is a link: clicking it (or Enter on it) opens the page that lists those rows with the filter set.

The fast figures are read first; the slow ones (the deadlines, ~2 s at 140,000 accounts) after the
page has painted; the rule check (seconds on a big registry) only on a registry of up to
``AUTO_CHECK_LIMIT`` accounts, else when the clerk asks or once the 检查 page has run it. On a big
database every read runs in a worker thread (``ui.background.BackgroundRead``, a busy bar with 取消
on top of the page), so the window never waits for the figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from gzdesk import overview as ov
from gzdesk.dates import cn_date
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.widgets import LazyPage

PAGE = "overview"
AUTO_CHECK_LIMIT = 20_000
WEEKDAYS = "一二三四五六日"
TONES = {"bad": "#c62828", "warn": "#a15c00", "good": "#2e7d32", "plain": "#1f3b63"}
BAR_COLOURS = ("#2b5797", "#4f7fc1", "#7aa3d8", "#a9c4e8")
SECTION_ORDER = ("due", "filings", "checks", "supervision", "staff", "exchange")
PENDING = "…"


class FigureTile(QFrame):
    """One number with its label and a line of explanation; clicked (or Enter) → ``activated``."""

    activated = Signal(object)  # the figure's ov.Link

    def __init__(self, figure: ov.Figure, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.number = QLabel()
        self.number.setObjectName("figureNumber")
        self.label = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666;")
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.number)
        top.addWidget(self.label, 1, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setMinimumWidth(90)
        self.set_figure(figure)

    def set_figure(self, figure: ov.Figure) -> None:
        self.figure = figure
        colour = TONES.get(figure.tone, TONES["plain"])
        big = 20 if isinstance(figure.value, int) else 14
        self.number.setText(str(figure.value))
        self.number.setStyleSheet(f"QLabel#figureNumber {{ color: {colour}; font-size: {big}pt; font-weight: bold; }}")
        self.label.setText(figure.label)
        self.note.setText(figure.note)
        clickable = figure.link is not None
        self.setCursor(QCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor))
        self.setToolTip(_link_tip(figure) if clickable else "")
        self.setStyleSheet("QFrame#figureTile { background: white; border: 1px solid #d5dbe3; border-radius: 4px; }"
                           "QFrame#figureTile:hover, QFrame#figureTile:focus { border: 1px solid #2b5797; "
                           "background: #f3f7fc; }")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activate()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate()
            return
        super().keyPressEvent(event)

    def activate(self) -> None:
        if self.figure.link is not None:
            self.activated.emit(self.figure.link)


def _link_tip(figure: ov.Figure) -> str:
    page = {"accounts": "账号台账", "pending": "待办", "filings": "备案", "check": "检查", "people": "人员",
            "rectify": "整改", "fakes": "假冒账号"}
    link = figure.link
    if link is None:
        return ""
    if link.page == "action:backup":
        return "点击立即备份数据库"
    if link.page == "action:snapshot":
        return "点击导出上报快照"
    return f"点击在“{page.get(link.page, link.page)}”页列出"


class BarChart(QWidget):
    """A horizontal bar chart painted with QPainter; a bar clicked (or chosen with ↑↓ and Enter) →
    ``activated(link)``."""

    activated = Signal(object)
    ROW = 24
    TOP = 6

    def __init__(self, chart: ov.Chart, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._hover = -1
        self._focus_row = 0
        self.set_chart(chart)

    def set_chart(self, chart: ov.Chart) -> None:
        self.chart = chart
        self.setMinimumHeight(self.TOP * 2 + max(len(chart.bars), 1) * self.ROW)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, self.minimumHeight())

    def _label_width(self) -> int:
        fm = self.fontMetrics()
        return max([fm.horizontalAdvance(b.label) for b in self.chart.bars] + [60]) + 12

    def bar_rect(self, i: int) -> QRect:
        """Where bar ``i`` is drawn (for clicks and tests)."""
        label_w = self._label_width()
        value_w = self.fontMetrics().horizontalAdvance("000,000（100%）") + 8
        span = max(self.width() - label_w - value_w - 8, 20)
        top = max((b.value for b in self.chart.bars), default=1) or 1
        bar = self.chart.bars[i]
        w = max(int(span * bar.value / top), 2 if bar.value else 0)
        return QRect(label_w, self.TOP + i * self.ROW + 4, w, self.ROW - 8)

    def row_at(self, pos: QPoint) -> int:
        i = (pos.y() - self.TOP) // self.ROW
        return i if 0 <= i < len(self.chart.bars) and pos.y() >= self.TOP else -1

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        fm = self.fontMetrics()
        total = self.chart.total or 1
        label_w = self._label_width()
        if not self.chart.bars:
            p.setPen(QColor("#888"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "暂无账号")
        for i, bar in enumerate(self.chart.bars):
            r = self.bar_rect(i)
            row = QRect(0, self.TOP + i * self.ROW, self.width(), self.ROW)
            if i == self._hover or (self.hasFocus() and i == self._focus_row):
                p.fillRect(row, QColor("#eef3fa"))
            p.setPen(QColor("#333"))
            p.drawText(QRect(0, row.y(), label_w - 8, self.ROW), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       bar.label)
            p.fillRect(r, QColor(BAR_COLOURS[0] if i == self._hover else BAR_COLOURS[1]))
            p.drawText(QRect(r.right() + 6, row.y(), fm.horizontalAdvance("0") * 16, self.ROW),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{bar.value:,}（{round(100 * bar.value / total)}%）")
        p.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self.row_at(event.position().toPoint())
        if i != self._hover:
            self._hover = i
            self.setCursor(QCursor(Qt.CursorShape.PointingHandCursor if i >= 0 else Qt.CursorShape.ArrowCursor))
            self.update()
        if i >= 0:
            bar = self.chart.bars[i]
            QToolTip.showText(event.globalPosition().toPoint(), f"{bar.label}：{bar.value:,} 个账号，点击在账号台账中列出",
                              self)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self.row_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and i >= 0:
            self.activated.emit(self.chart.bars[i].link)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        n = len(self.chart.bars)
        if n and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._focus_row = (self._focus_row + (1 if event.key() == Qt.Key.Key_Down else -1)) % n
            self.update()
            return
        if n and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.chart.bars[min(self._focus_row, n - 1)].link)
            return
        super().keyPressEvent(event)


class OverviewPage(LazyPage):
    """首页. ``open_link(link)`` asks the window to show the page behind a figure."""

    open_link = Signal(object)

    def __init__(self, controller: Any, window: Any = None):
        super().__init__(controller, window)
        self.window_ = window
        self.today: date | None = None  # None: the real today (tests set a day)
        self.data: ov.Overview | None = None
        self.tiles: dict[str, FigureTile] = {}
        self.charts: dict[str, BarChart] = {}
        self._boxes: dict[str, QGroupBox] = {}
        self._checks_for: date | None = None

        self.heading = QLabel()
        self.heading.setObjectName("overviewHeading")
        self.heading.setStyleSheet("QLabel#overviewHeading { font-size: 13pt; font-weight: bold; color: #1f3b63; }")
        self.subheading = QLabel()
        self.subheading.setStyleSheet("color: #555;")
        self.empty = QLabel()
        self.empty.setObjectName("overviewEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("QLabel#overviewEmpty { background: #fff8e1; border: 1px solid #f0d890; padding: 8px; }")
        self.empty.hide()
        self.sections_grid = QGridLayout()
        self.sections_grid.setHorizontalSpacing(10)
        self.sections_grid.setVerticalSpacing(8)
        for column in range(3):
            self.sections_grid.setColumnStretch(column, 1)
        self.charts_row = QHBoxLayout()
        self.charts_row.setSpacing(10)

        inner = QWidget()
        inner.setObjectName("overviewInner")
        inner.setStyleSheet("QWidget#overviewInner { background: #f4f6f8; }")
        body = QVBoxLayout(inner)
        body.setContentsMargins(12, 10, 12, 10)
        body.addWidget(self.heading)
        body.addWidget(self.subheading)
        body.addWidget(self.empty)
        body.addLayout(self.sections_grid)
        body.addLayout(self.charts_row)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # tiles wrap instead
        scroll.setWidget(inner)
        self.loading = BackgroundRead(controller, "正在统计…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loading)
        layout.addWidget(scroll)

    # ------------------------------------------------------------------ data
    def day(self) -> date:
        return self.today or date.today()

    def set_today(self, day: date | None) -> None:
        self.today = day
        self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        """The fast figures first, the slow ones once this has painted (see the module docstring)."""
        self._stale = False
        self.loading.start(ov.overview, self.day(), self.controller.db.path, self._backup_folders(), False,
                           done=self._got_overview, failed=self._not_ready)

    def _not_ready(self, _exc: BaseException) -> None:  # not initialised yet
        self.data = None

    def _got_overview(self, data: ov.Overview) -> None:
        self.data = data
        self._show()
        QTimer.singleShot(0, self._load_slow)

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown

    def _backup_folders(self) -> tuple:
        actions = getattr(self.window_, "snapshot_actions", None)
        folder = getattr(actions, "last_backup_folder", None)
        return (folder,) if folder else ()

    def _load_slow(self) -> None:
        if self.data is None or self.loading.busy:
            return
        keys = tuple(ov.slow_keys()) + (("checks",) if self.data.accounts <= AUTO_CHECK_LIMIT else ())
        self._read_sections(keys)

    def run_checks(self) -> None:
        """按制度检查 for the figures (``rules.check``)."""
        if self.data is None:
            return
        self._read_sections(("checks",))

    def _read_sections(self, keys: tuple[str, ...]) -> None:
        day = self.day()

        def done(sections: list[ov.Section | None]) -> None:
            if day != self.day():
                return  # the day was changed meanwhile: its own read follows
            for section in sections:
                self._put(section)
            if "checks" in keys:
                self._checks_for = day

        self.loading.start(ov.sections, day, keys, done=done, failed=lambda _exc: None)

    def take_findings(self, counts: Counter[str], day: date) -> None:
        """The 检查 page has checked: show its counts (findings by 级别) here instead of checking again."""
        if self.data is None or day != self.day():
            return
        section = ov.check_section_from_counts(counts)
        self._put(section)
        self._checks_for = day

    # ------------------------------------------------------------------ building
    def _show(self) -> None:
        d = self.data
        assert d is not None
        wd = WEEKDAYS[d.today.weekday()]
        self.heading.setText(d.unit_name)
        self.subheading.setText(f"{cn_date(d.today)}（星期{wd}）　策略配置：{d.profile_name}　共 {d.accounts:,} 个账号")
        if d.accounts == 0:
            self.empty.setText("还没有登记账号。点击“账号台账”页的“新建账号…”（Ctrl+N）登记第一个账号，"
                               "或用“数据交换 → 从 Excel 导入…”导入原有台账；按 F1 查看使用说明。")
        self.empty.setVisible(d.accounts == 0)
        for s in d.sections:
            self._put(s)
        if "checks" not in self._boxes or self._checks_for != d.today:
            self._put(self._checks_placeholder())
        for key in ov.slow_keys():
            if key not in self._boxes:
                self._put(self._placeholder(key))
        for chart in d.charts:
            if chart.key in self.charts:
                self.charts[chart.key].set_chart(chart)
                holder = self.charts[chart.key].parentWidget()
                if isinstance(holder, QGroupBox):
                    holder.setTitle(f"账号按{chart.title}（共 {chart.total:,} 个）")
                continue
            box = QGroupBox(f"账号按{chart.title}（共 {chart.total:,} 个）")
            lay = QVBoxLayout(box)
            widget = BarChart(chart, box)
            widget.setObjectName(f"chart_{chart.key}")
            widget.activated.connect(self.open_link.emit)
            lay.addWidget(widget)
            lay.addStretch(1)
            self.charts[chart.key] = widget
            self.charts_row.addWidget(box, 1)

    def _placeholder(self, key: str) -> ov.Section:
        title = {"due": "时限"}.get(key, key)
        return ov.Section(key, title, [ov.Figure(f"{key}_pending", "正在计算", PENDING, "请稍候")])

    def _checks_placeholder(self) -> ov.Section:
        n = self.data.accounts if self.data else 0
        note = f"共 {n:,} 个账号，检查需要一些时间：点击开始检查" if n > AUTO_CHECK_LIMIT else "正在检查…"
        return ov.Section("checks", "按制度检查", [ov.Figure("check_run", "开始检查", "▶", note, "plain",
                                                        ov.Link("action:check"))])

    def _put(self, section: ov.Section | None) -> None:
        """Show (or replace) a section's box of tiles, in ``SECTION_ORDER``."""
        if section is None:
            return
        old = self._boxes.pop(section.key, None)
        if old is not None:
            for f in list(self.tiles):
                if self.tiles[f].parentWidget() is old:
                    del self.tiles[f]
            self.sections_grid.removeWidget(old)
            old.deleteLater()
        box = QGroupBox(section.title)
        box.setObjectName(f"section_{section.key}")
        row = QHBoxLayout(box)
        row.setSpacing(8)
        for figure in section.figures:
            tile = FigureTile(figure, box)
            tile.activated.connect(self._tile_activated)
            row.addWidget(tile, 1)
            self.tiles[figure.key] = tile
        self._boxes[section.key] = box
        self._layout_sections()

    def _layout_sections(self) -> None:
        keys = sorted(self._boxes, key=lambda k: (SECTION_ORDER.index(k) if k in SECTION_ORDER else 50, k))
        for key in keys:
            self.sections_grid.removeWidget(self._boxes[key])
        # two boxes per row, wide ones (three figures or more) alone when they would not fit
        row = col = 0
        for key in keys:
            box = self._boxes[key]
            span = 1
            self.sections_grid.addWidget(box, row, col, 1, span)
            col += span
            if col >= 3:
                row, col = row + 1, 0

    def _tile_activated(self, link: ov.Link) -> None:
        if link.page == "action:check":
            self.run_checks()
            return
        self.open_link.emit(link)

    # ------------------------------------------------------------------ for tests and the window
    def figure_value(self, key: str) -> Any:
        tile = self.tiles.get(key)
        return tile.figure.value if tile is not None else None



ACTIONS = {"action:backup": ("snapshot_actions", "backup"), "action:snapshot": ("snapshot_actions", "export")}


def open_link(window: Any, link: ov.Link) -> bool:
    """Show the page behind a figure with its filter set (the page's ``apply_link``), or run the
    menu action it names; False when this window has no such page."""
    if link.page in ACTIONS:
        owner, method = ACTIONS[link.page]
        fn = getattr(getattr(window, owner, None), method, None)
        if callable(fn):
            fn()
            return True
        return False
    try:
        page = window.page(link.page)
    except ValueError:
        return False
    window.show_page(link.page)
    apply = getattr(page, "apply_link", None)
    if callable(apply):
        apply(link)
    return True


def install(window: Any) -> None:
    """首页, first in the navigation list (Ctrl+1)."""
    page = OverviewPage(window.controller, window)
    window.add_page(PAGE, "首页", page, first=True)
    window.overview_page = page
    page.open_link.connect(lambda link: open_link(window, link))
    check_page = getattr(window, "check_page", None)
    if check_page is not None and hasattr(check_page, "checked"):
        check_page.checked.connect(page.take_findings)
