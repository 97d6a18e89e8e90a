"""帮助 → 使用说明 (F1) and 关于: the manual shipped inside the package, readable offline.

The manual (``gzdesk/resources/help/manual.html``) describes every page and workflow. Where it
names a deadline or an article it holds a placeholder filled from the office's own policy profile,
so a 盐湖区 office reads 盐湖区's articles and a 南通 office 南通's:

- ``{{unit}}``, ``{{document}}``, ``{{profile_name}}``, ``{{chain}}`` (the approval chain)
- ``{{cite:KEY}}`` — the article of a profile rule (``Profile.cite``)
- ``{{rule:KEY}}`` — a deadline with its article (备案时限, 补办, 公告, 报送, 更新频率)
- ``{{approval_note}}``, ``{{departure_days}}``, ``{{fake_steps}}``, ``{{numbers}}`` (every number with
  its article)

F1 opens the part about the page being shown (anchor ``page-<page key>``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gzdesk import APP_TITLE, __version__
from gzdesk.errors import UserError
from gzdesk.paths import resources_dir
from gzdesk.people_tasks import DEPARTURE_TASK_WORKDAYS
from gzdesk.profiles import Profile
from gzdesk.ui import profile_text
from gzdesk.ui.widgets import fit_to_screen

MANUAL = "manual.html"
NOT_SET = "本单位制度未作具体规定"
RULE_LABELS = {"filing_deadline": "备案时限", "provincial_filing": "主管单位报送系统时限",
               "announcement": "公告", "backfill": "补办备案", "update_frequency": "更新频率",
               "original_content": "原创信息", "reply_within_days": "留言回复"}
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::([a-z_]+))?\}\}")
_SECTION = re.compile(r'<h2><a name="([^"]+)"></a>(.*?)</h2>')


def manual_source() -> str:
    return (resources_dir() / "help" / MANUAL).read_text(encoding="utf-8")


def sections(source: str | None = None) -> list[tuple[str, str]]:
    """(anchor, title) of every chapter, in order."""
    return [(a, re.sub(r"<[^>]+>", "", t)) for a, t in _SECTION.findall(source or manual_source())]


def _rule(profile: Profile, key: str) -> str:
    label = RULE_LABELS.get(key)
    values = {what: value for what, value, _article in profile_text.numbers(profile)}
    cite = profile.cite(key)
    if label not in values:
        return f"{NOT_SET}（没有工作日时限）" if cite is None else f"{NOT_SET}工作日时限（{cite}）"
    return f"<b>{html.escape(values[label])}</b>（{html.escape(cite or profile.document)}）"


def _numbers_table(profile: Profile) -> str:
    rows = "".join(f"<tr><td>{html.escape(w)}</td><td>{html.escape(v)}</td><td class='rule'>{html.escape(a)}</td></tr>"
                   for w, v, a in profile_text.numbers(profile))
    return f"<table width='100%' cellspacing='0'><tr><th>项目</th><th>规定</th><th>条款</th></tr>{rows}</table>"


def render_manual(profile: Profile | None, unit: str = "") -> str:
    """The manual with every placeholder filled for this office (or a neutral text before setup)."""

    def fill(m: re.Match) -> str:
        name, key = m.group(1), m.group(2)
        if profile is None:
            return "（尚未设置本单位）" if name in ("unit", "document", "profile_name", "numbers") else "（依本单位制度）"
        if name == "unit":
            return html.escape(unit)
        if name == "document":
            return html.escape(profile.document)
        if name == "profile_name":
            return html.escape(profile.name)
        if name == "chain":
            return html.escape(" → ".join(s["title"] for s in profile.chain))
        if name == "cite":
            return html.escape(profile.cite(key) or NOT_SET)
        if name == "rule":
            return _rule(profile, key)
        if name == "approval_note":
            rule = profile.rule("approval_before_opening") or {}
            if rule.get("required"):
                return (f"本单位制度要求开设前报请审批（{html.escape(profile.cite('approval_before_opening') or '')}）："
                        "先办理开设备案并完成审批，再在平台上开设账号。")
            return ""
        if name == "departure_days":
            return str(DEPARTURE_TASK_WORKDAYS)
        if name == "fake_steps":
            from gzdesk import fakes

            return html.escape(" → ".join(w for _c, w in fakes.steps_of(profile)))
        if name == "numbers":
            return _numbers_table(profile)
        raise KeyError(m.group(0))

    return _PLACEHOLDER.sub(fill, manual_source())


class HelpWindow(QDialog):
    """使用说明: chapters on the left, the text on the right, a 查找 box; not modal."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        fit_to_screen(self, 1100, 760)
        self.chapters = QListWidget()
        self.chapters.setObjectName("helpChapters")
        for anchor, title in sections():
            item = QListWidgetItem(title)
            item.setData(256, anchor)
            self.chapters.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpText")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(text)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("在说明中查找，按回车查找下一处")
        self.find_edit.setClearButtonEnabled(True)
        self.find_status = QLabel()
        self.find_status.setStyleSheet("color: #777;")
        top = QHBoxLayout()
        top.addWidget(QLabel("查找："))
        top.addWidget(self.find_edit, 1)
        top.addWidget(self.find_status)
        splitter = QSplitter()
        splitter.addWidget(self.chapters)
        splitter.addWidget(self.browser)
        splitter.setSizes([200, 880])
        splitter.setChildrenCollapsible(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.chapters.currentItemChanged.connect(self._chapter_chosen)
        self.find_edit.returnPressed.connect(self.find_next)

    def _chapter_chosen(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is not None:
            self.show_section(item.data(256))

    def show_section(self, anchor: str) -> None:
        self.browser.scrollToAnchor(anchor)
        for i in range(self.chapters.count()):
            item = self.chapters.item(i)
            if item.data(256) == anchor and self.chapters.currentItem() is not item:
                self.chapters.blockSignals(True)
                self.chapters.setCurrentItem(item)
                self.chapters.blockSignals(False)

    def find_next(self) -> bool:
        text = self.find_edit.text().strip()
        if not text:
            return False
        found = self.browser.find(text)
        if not found:  # from the top again
            cursor = self.browser.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text)
        self.find_status.setText("" if found else "没有找到")
        return found

    def plain_text(self) -> str:
        return self.browser.toPlainText()


def _office(window: Any) -> tuple[Profile | None, str]:
    try:
        info = window.controller.office()
        return info.profile, info.unit_name
    except UserError:
        return None, ""


def show_help(window: Any, anchor: str | None = None) -> HelpWindow:
    """Open (or raise) the manual at ``anchor``, by default the part about the page shown."""
    if anchor is None:
        key = window.current_page_key() if hasattr(window, "current_page_key") else None
        anchors = {a for a, _t in sections()}
        anchor = f"page-{key}" if f"page-{key}" in anchors else "start"
    dialog = getattr(window, "help_window", None)
    if dialog is None:
        profile, unit = _office(window)
        dialog = HelpWindow(render_manual(profile, unit), window)
        window.help_window = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.show_section(anchor)
    return dialog


def about_text(window: Any) -> str:
    profile, unit = _office(window)
    who = f"<p>本单位：{html.escape(unit)}<br>策略配置：{html.escape(profile.name)}</p>" if profile else ""
    return (f"<h3>{APP_TITLE}</h3><p>版本 {html.escape(__version__)}</p>"
            "<p>县（市、区）政务新媒体备案信息库的离线管理程序：账号台账、备案办理、登记表打印、时限跟踪、按制度检查、"
            "Excel 台账与上报快照。</p>"
            f"{who}<p>数据库文件：{html.escape(str(window.controller.db.path))}</p>"
            "<p>字体：AR PL UMing（Arphic Public License）、文泉驿微米黑（Apache 2.0）。</p>")


def show_about(window: Any) -> None:
    QMessageBox.about(window, "关于", about_text(window))


def install(window: Any) -> None:
    """帮助 → 使用说明 (F1); 关于 is put last by the window."""
    menu = window.menu("帮助")
    action = QAction("使用说明(&H)", window)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    action.triggered.connect(lambda: show_help(window))
    menu.addAction(action)
    window.help_action = action
    window.help_window = None

    def refresh(topic: str) -> None:  # another office's rules after 策略配置 changed
        if topic in ("office", "all") and window.help_window is not None:
            profile, unit = _office(window)
            window.help_window.browser.setHtml(render_manual(profile, unit))

    window.controller.data_changed.connect(refresh)

