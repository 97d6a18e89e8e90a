"""Dialogs of the 备案 page: new filing, approval step, 停更注销公告, 报送, 整合.

Each dialog reads what it shows and writes what the clerk confirms through the ``Controller``
(``read`` / ``write``: one audited transaction) and never touches a session itself. ``submit()``
does the work and returns True on success; a refused action (``UserError``) is shown in red
inside the dialog, which stays open. ``result_id`` is the filing made or changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, fields, filing_announcements, filing_decisions, filings, registry
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.ui import files
from gzdesk.ui.controller import ACCOUNTS, FILINGS, Controller
from gzdesk.ui.widgets import DateEdit, ErrorLabel, fit_to_screen

SCAN_FILTER = "扫描件 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;所有文件 (*)"
# 变更 fields offered in the dialog: the catalogue's ``on_form`` ones (a change of them after filing
# is a 变更 to file), by column key (a unit by its name); others through the command line
CHANGE_FIELDS: list[tuple[str, str]] = [(f.column, f.label) for f in fields.ON_FORM]


class _FilingDialog(QDialog):
    """Base: an OK/cancel box whose OK runs ``submit`` and an error line above it."""

    ok_text = "确定"

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.result_id: int | None = None
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        # a refusal shown in red goes as soon as the clerk edits anything (it is asked again on OK)
        for line in self.findChildren(QLineEdit):
            line.textChanged.connect(self._edited)
        for text in self.findChildren(QPlainTextEdit):
            text.textChanged.connect(self._edited)
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._edited)

    def _edited(self, *_args) -> None:
        self.error.set_error(None)

    def accept(self) -> None:
        if self.submit():
            super().accept()

    def submit(self) -> bool:
        try:
            self.result_id = self._do()
        except UserError as exc:
            self.error.set_error(str(exc))
            return False
        self.error.set_error(None)
        return True

    def _do(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _date(edit: DateEdit, what: str, required: bool = True) -> date | None:
        try:
            d = edit.date()
        except ValueError as exc:
            raise UserError(f"{what}：{exc}") from None
        if d is None and required:
            raise UserError(f"请填写{what}")
        return d


class DecisionBox(QGroupBox):
    """本单位决定: 会议（集体）研究 (date, note) and 主要领导签字确认（同意） (name, date).

    盐湖 第十一条 / 云南 第十八条 / 南通 第十六条 ask for one of them on 变更/关停/注销; 云南 第十二条
    for both on 开设. ``set_rule`` says which, from the profile; the box hides when none applies.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__("本单位决定", parent)
        form = QFormLayout(self)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setStyleSheet("color: #666;")
        self.meeting_on = DateEdit()
        self.meeting_note = QLineEdit()
        self.meeting_note.setMaxLength(300)
        self.meeting_note.setPlaceholderText("会议名称或纪要编号")
        self.head_name = QLineEdit()
        self.head_name.setMaxLength(100)
        self.head_name.setPlaceholderText("签字确认（同意）的主要领导")
        self.head_on = DateEdit()
        form.addRow(self.rule_label)
        form.addRow("会议（集体）研究日期：", self.meeting_on)
        form.addRow("会议说明：", self.meeting_note)
        form.addRow("主要领导：", self.head_name)
        form.addRow("主要领导签字确认日期：", self.head_on)

    def set_rule(self, rule: filing_decisions.DecisionRule | None) -> None:
        self.setVisible(rule is not None)
        if rule is not None:
            self.rule_label.setText(f"{rule.article}：{rule.text}" + ("（两项都须登记）" if rule.both else "（登记其一）"))

    def load(self, d: filings.FilingData) -> None:
        self.meeting_on.setDate(d.meeting_on)
        self.meeting_note.setText(d.meeting_note or "")
        self.head_name.setText(d.head_name or "")
        self.head_on.setDate(d.head_approved_on)

    def decision(self) -> filing_decisions.Decision | None:
        """What was entered, or None when nothing was."""
        meeting = _FilingDialog._date(self.meeting_on, "会议研究日期", required=False)
        head_on = _FilingDialog._date(self.head_on, "主要领导签字确认日期", required=False)
        if not (meeting or head_on or self.meeting_note.text().strip() or self.head_name.text().strip()):
            return None
        return filing_decisions.Decision(meeting, self.meeting_note.text(), self.head_name.text(), head_on)


def _account_combo(controller: Controller, selected: int | None) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for row in controller.read(registry.list_accounts):
        combo.addItem(f"{row.name}（{row.platform_label}，{row.host_unit or '未填主办单位'}）", row.id)
    if selected is not None:
        i = combo.findData(selected)
        if i >= 0:
            combo.setCurrentIndex(i)
    return combo


# --------------------------------------------------------------------------- new filing


class NewFilingDialog(_FilingDialog):
    """新建备案: account, 事由, 理由, 填表时间, the day of the event, and for 变更 the new data."""

    ok_text = "新建"

    def __init__(self, controller: Controller, account_id: int | None = None, parent: QWidget | None = None,
                 kind: str = "open"):
        super().__init__(controller, parent)
        self.setWindowTitle("新建备案")
        self.setMinimumWidth(560)
        self.account = _account_combo(controller, account_id)
        self.kind = QComboBox()
        for code, label in enums.labels("filing_kind").items():
            if code != "merge":  # 整合 has its own dialog (several accounts)
                self.kind.addItem(label, code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("开办（变更、关停、整合）理由")
        self.reason.setFixedHeight(70)
        self.filled_on = DateEdit()
        self.filled_on.setDate(date.today())
        self.event_on = DateEdit()
        self.event_hint = QLabel()
        self.event_hint.setStyleSheet("color: #666;")
        form = QFormLayout()
        form.addRow("账号：", self.account)
        form.addRow("备案事由：", self.kind)
        form.addRow("理由：", self.reason)
        form.addRow("填表时间：", self.filled_on)
        form.addRow("事项日期：", self.event_on)
        form.addRow("", self.event_hint)

        self.changes_box = QGroupBox("变更后的内容（只填要改的项，与现有内容相同的不会记入）")
        changes_form = QFormLayout(self.changes_box)
        self.change_edits: dict[str, QLineEdit] = {}
        for key, label in CHANGE_FIELDS:
            edit = QLineEdit()
            self.change_edits[key] = edit
            changes_form.addRow(f"{label}：", edit)
        self._current: dict[str, str] = {}

        # on a 1366×768 screen the eleven fields push the buttons off the screen: they scroll
        self.changes_scroll = QScrollArea()
        self.changes_scroll.setWidgetResizable(True)
        self.changes_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.changes_scroll.setWidget(self.changes_box)
        self.decision_box = DecisionBox()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.changes_scroll, 1)
        layout.addWidget(self.decision_box)
        self.finish_layout(layout)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.account.currentIndexChanged.connect(self._load_current)
        self._load_current()
        self._kind_changed()

    def kind_code(self) -> str:
        return self.kind.currentData()

    def set_kind(self, code: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(code))

    def preset_changes(self, changes: dict[str, str]) -> None:
        """Fill 变更后的内容 with these new values (from the account editor)."""
        self.set_kind("change")
        for key, text in changes.items():
            if key in self.change_edits:
                self.change_edits[key].setText(text)

    def _kind_changed(self) -> None:
        code = self.kind_code()
        self.changes_box.setVisible(code == "change")
        self.changes_scroll.setVisible(code == "change")
        try:
            self.decision_box.set_rule(filing_decisions.decision_rule(self.controller.profile, code))
        except UserError:
            self.decision_box.set_rule(None)
        hints = {"open": "账号开设日期（留空则用账号的创建日期）", "backfill": "账号开设日期（留空则用账号的创建日期）",
                 "change": "变更发生的日期", "close": "计划关停的日期", "cancel": "计划注销的日期"}
        self.event_hint.setText(hints.get(code, ""))
        if code == "change":  # as tall as the screen allows; the fields scroll inside
            fit_to_screen(self, max(self.width(), 620), 760)
        else:
            self.adjustSize()

    def _load_current(self) -> None:
        aid = self.account.currentData()
        if aid is None:
            return
        snap = self.controller.read(registry.account_snapshot, aid)
        self._current = {}
        for key, _label in CHANGE_FIELDS:
            value = snap.get("platform_label") if key == "platform" else snap.get(key)
            text = "" if value is None else str(value)
            self._current[key] = text
            self.change_edits[key].setText(text)
            self.change_edits[key].setCursorPosition(0)  # the start of a long 简介, not its end

    def changes(self) -> dict[str, str]:
        """Only the fields the clerk changed."""
        return {k: e.text().strip() for k, e in self.change_edits.items() if e.text().strip() != self._current.get(k, "")}

    def _do(self) -> int:
        aid = self.account.currentData()
        if aid is None:
            raise UserError("请选择账号")
        filled_on = self._date(self.filled_on, "填表时间")
        event_on = self._date(self.event_on, "事项日期", required=False)
        code = self.kind_code()
        changes = self.changes() if code == "change" else None
        decision = self.decision_box.decision() if self.decision_box.isVisibleTo(self) else None
        d = self.controller.write(filings.new_filing, aid, code, self.reason.toPlainText(), filled_on=filled_on,
                                  event_on=event_on, proposed=changes, decision=decision, topic=FILINGS)
        return d.id


# --------------------------------------------------------------------------- 本单位决定


class DecisionDialog(_FilingDialog):
    """登记本单位决定 on a filing already made (会议研究 / 主要领导签字确认)."""

    ok_text = "登记"

    def __init__(self, controller: Controller, filing_id: int, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.filing_id = filing_id
        f = controller.read(filings.get_filing, filing_id)
        self.setWindowTitle("登记本单位决定")
        self.setMinimumWidth(480)
        self.box = DecisionBox()
        self.box.load(f)
        self.box.set_rule(filing_decisions.decision_rule(controller.profile, f.kind))
        self.box.setVisible(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"备案 {f.number}（{f.kind_label}）：{f.account_name}"))
        layout.addWidget(self.box)
        self.finish_layout(layout)

    def _do(self) -> int:
        decision = self.box.decision()
        if decision is None:
            raise UserError("请填写会议（集体）研究日期，或主要领导姓名和签字确认日期")
        return self.controller.write(filings.record_decision, self.filing_id, decision, topic=FILINGS).id


# --------------------------------------------------------------------------- approval step


class StepDialog(_FilingDialog):
    """记录审批: the next step of the chain — 意见, 负责人, date, 同意/退回, optional scan."""

    ok_text = "记录"

    def __init__(self, controller: Controller, filing_id: int, parent: QWidget | None = None,
                 returned: bool = False):
        super().__init__(controller, parent)
        self.filing_id = filing_id
        self.filing = controller.read(filings.get_filing, filing_id)
        step = self.filing.next_step
        self.setWindowTitle("退回备案" if returned else "记录审批")
        self.setMinimumWidth(520)
        head = QLabel(f"备案 {self.filing.number}（{self.filing.kind_label}）：{self.filing.account_name}")
        head.setStyleSheet("font-weight: bold;")
        self.step_label = QLabel(f"第{step.seq}步（共{len(self.filing.steps)}步）：{step.title}" if step
                                 else "审批步骤已全部完成")
        self.opinion = QPlainTextEdit("" if returned else "同意")
        self.opinion.setFixedHeight(70)
        self.signer = QLineEdit()
        self.signer.setPlaceholderText(step.signer_label if step else "负责人签字")
        self.signed_on = DateEdit()
        self.signed_on.setDate(date.today())
        self.approve = QRadioButton("同意")
        self.return_ = QRadioButton("退回（不同意，备案退回主办单位）")
        group = QButtonGroup(self)
        group.addButton(self.approve)
        group.addButton(self.return_)
        (self.return_ if returned else self.approve).setChecked(True)
        result_row = QHBoxLayout()
        result_row.addWidget(self.approve)
        result_row.addWidget(self.return_)
        result_row.addStretch(1)
        self.scan_path = QLineEdit()
        self.scan_path.setPlaceholderText("可选：该步签字盖章页的扫描件")
        pick = QPushButton("选择…")
        pick.clicked.connect(self._pick_scan)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_path, 1)
        scan_row.addWidget(pick)
        form = QFormLayout()
        form.addRow(head)
        form.addRow(self.step_label)
        form.addRow("意见：", self.opinion)
        form.addRow(f"{step.signer_label if step else '负责人签字'}：", self.signer)
        form.addRow("日期：", self.signed_on)
        form.addRow("结果：", result_row)
        form.addRow("扫描件：", scan_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.finish_layout(layout)
        if step is None:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def _pick_scan(self) -> None:
        path = files.ask_open_file(self, "选择扫描件", SCAN_FILTER)
        if path:
            self.scan_path.setText(path)

    def _do(self) -> int:
        signed_on = self._date(self.signed_on, "签批日期")
        scan = None
        if self.scan_path.text().strip():
            path = Path(self.scan_path.text().strip())
            try:
                scan = (path.name, path.read_bytes())
            except OSError:
                raise UserError(f"无法读取扫描件“{path}”") from None
        result = "returned" if self.return_.isChecked() else "approved"
        if result == "returned" and not self.opinion.toPlainText().strip():
            raise UserError("退回时请写明退回意见")
        d = self.controller.write(filings.record_step, self.filing_id, self.opinion.toPlainText(), self.signer.text(),
                                  signed_on, result, scan, topic=ACCOUNTS)
        return d.id


# --------------------------------------------------------------------------- 公告


class AnnouncementDialog(_FilingDialog):
    """停更注销公告: the day it was published and the closing day, checked against the profile."""

    ok_text = "登记"

    def __init__(self, controller: Controller, filing_id: int, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.filing_id = filing_id
        self.filing = controller.read(filings.get_filing, filing_id)
        self.setWindowTitle("登记变更公告" if self.filing.kind == "change" else "登记停更注销公告")
        self.setMinimumWidth(480)
        rule = controller.profile.rule("announcement")
        if rule is None:
            text = "本单位的策略配置未规定公告期"
        elif rule.get("mode") == "before_close":
            text = (f"关停、注销前{rule['workdays']}个工作日内应发布停更注销公告（请填写关停日期；"
                    f"公告早于关停前{rule['workdays']}个工作日的照常登记，晚于的登记时提示）")
        else:
            text = (f"公告时间不少于{rule['workdays']}个工作日，自公告发布次日起算，期满次日起方可生效"
                    "（生效日期可不填，自动按期满计算）")
        rule_label = QLabel(f"{text}\n依据：{filing_announcements.announcement_article(controller.profile)}")
        rule_label.setWordWrap(True)
        self.from_date = DateEdit()
        self.from_date.setDate(self.filing.announce_from or date.today())
        self.close_on = DateEdit()
        self.close_on.setDate(self.filing.effective_on or self.filing.event_on)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        form = QFormLayout()
        form.addRow(QLabel(f"备案 {self.filing.number}（{self.filing.kind_label}）：{self.filing.account_name}"))
        form.addRow(rule_label)
        form.addRow("公告发布日期：", self.from_date)
        form.addRow("关停/注销日期：", self.close_on)
        form.addRow(self.preview)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.finish_layout(layout)
        self.from_date.changed.connect(self.update_preview)
        self.close_on.changed.connect(self.update_preview)
        self.update_preview()

    def update_preview(self) -> None:
        """Say at once what the rule allows (earliest closing day, or why the dates are refused)."""
        try:
            start = self._date(self.from_date, "公告发布日期")
            until = self._date(self.close_on, "关停日期", required=False)
            check = self.controller.read(filing_announcements.check_announcement, self.filing_id, start, until)
        except UserError as exc:
            self.preview.setStyleSheet("color: #c62828;")
            self.preview.setText(str(exc))
            return
        if check.warning:
            self.preview.setStyleSheet("color: #b26a00;")
            self.preview.setText(f"{check.message}\n注意：{check.warning}")
            return
        self.preview.setStyleSheet("color: #2e7d32;")
        self.preview.setText(check.message)

    def _do(self) -> int:
        start = self._date(self.from_date, "公告发布日期")
        until = self._date(self.close_on, "关停日期", required=False)
        return self.controller.write(filing_announcements.set_announcement, self.filing_id, start, until, topic=FILINGS).id


# --------------------------------------------------------------------------- 报送


class ReportDialog(_FilingDialog):
    """标记已报送: the date the provincial / national system was updated."""

    ok_text = "标记已报送"

    def __init__(self, controller: Controller, filing_id: int, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.filing_id = filing_id
        f = controller.read(filings.get_filing, filing_id)
        self.setWindowTitle("标记已报送")
        self.on = DateEdit()
        self.on.setDate(date.today())
        form = QFormLayout()
        form.addRow(QLabel(f"备案 {f.number}（{f.kind_label}）：{f.account_name}"))
        form.addRow(QLabel("已在全国政务新媒体信息报送系统 / 全省政务新媒体备案检查系统中更新"))
        form.addRow("报送日期：", self.on)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #a04000;")
        closing = filings.closure_not_effective(f, date.today())
        self.note.setText(closing or "")
        self.note.setVisible(bool(closing))
        form.addRow(self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.finish_layout(layout)

    def _do(self) -> int:
        on = self._date(self.on, "报送日期")
        return self.controller.write(filings.mark_reported, self.filing_id, on, topic=FILINGS).id


# --------------------------------------------------------------------------- 理由


class ReasonDialog(QDialog):
    """The 理由 of a filing, to rewrite (a draft's, or a returned one's when it is started again)."""

    def __init__(self, title: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("备案理由")
        self.setMinimumWidth(520)
        head = QLabel(title)
        head.setWordWrap(True)
        self.edit = QPlainTextEdit(reason)
        self.edit.setFixedHeight(110)
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(lambda: self.error.set_error(None))
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def reason_text(self) -> str:
        return self.edit.toPlainText().strip()

    def accept(self) -> None:
        if not self.reason_text():
            self.error.set_error("请填写备案理由")
            return
        super().accept()


# --------------------------------------------------------------------------- 整合


class MergeDialog(_FilingDialog):
    """整合: keep one account, close (or cancel) the ticked others, one linked filing each."""

    ok_text = "新建整合备案"

    def __init__(self, controller: Controller, account_id: int | None = None, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.setWindowTitle("整合账号")
        self.setMinimumWidth(560)
        self.rows = [r for r in controller.read(registry.list_accounts) if r.status in ("normal", "paused")]
        self.kept = _account_combo(controller, account_id)
        self.others = QListWidget()
        self.others.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.kind = QComboBox()
        self.kind.addItem("关停备案", "close")
        self.kind.addItem("注销备案", "cancel")
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(60)
        self.filled_on = DateEdit()
        self.filled_on.setDate(date.today())
        form = QFormLayout()
        form.addRow("保留的账号：", self.kept)
        form.addRow("被整合的账号\n（同一主办单位）：", self.others)
        form.addRow("被整合账号办理：", self.kind)
        form.addRow("理由：", self.reason)
        form.addRow("填表时间：", self.filled_on)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.finish_layout(layout)
        self.kept.currentIndexChanged.connect(self._fill_others)
        self._fill_others()

    def _fill_others(self) -> None:
        """The other accounts of the kept one's 主办单位 (整合 happens within one unit: 云南 第十二条,
        南通 第十二条), same platform first; with no 主办单位 given, the accounts on its platform."""
        kept_id = self.kept.currentData()
        kept = next((r for r in self.rows if r.id == kept_id), None)
        self.others.clear()
        if kept is None:
            return
        if kept.host_unit_id is not None:
            rows = [r for r in self.rows if r.id != kept.id and r.host_unit_id == kept.host_unit_id]
        else:
            rows = [r for r in self.rows if r.id != kept.id and r.host_unit_id is None and r.platform == kept.platform]
        rows.sort(key=lambda r: (r.platform != kept.platform, r.name))
        for r in rows:
            item = QListWidgetItem(f"{r.name}（{r.platform_label}，{r.host_unit or '未填主办单位'}）")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.others.addItem(item)

    def check_account(self, account_id: int) -> None:
        for i in range(self.others.count()):
            item = self.others.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == account_id:
                item.setCheckState(Qt.CheckState.Checked)

    def checked_ids(self) -> list[int]:
        return [self.others.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.others.count())
                if self.others.item(i).checkState() == Qt.CheckState.Checked]

    def _do(self) -> int:
        kept = self.kept.currentData()
        if kept is None:
            raise UserError("请选择保留的账号")
        filled_on = self._date(self.filled_on, "填表时间")
        return self.controller.write(filings.new_merge, kept, self.checked_ids(), self.reason.toPlainText(),
                                     filled_on=filled_on, close_kind=self.kind.currentData(), topic=FILINGS).id


def describe(d: filings.FilingData) -> str:
    """The filing as HTML for the detail panel of the 备案 page."""
    from html import escape

    lines = [f"<b>备案 {escape(d.number)}</b>　{escape(d.kind_label)}　状态：<b>{escape(d.state_label)}</b>",
             f"账号：{escape(d.account_name)}　填表时间：{cn_date(d.filled_on)}"
             + (f"　事项日期：{cn_date(d.event_on)}" if d.event_on else ""),
             f"理由：{escape(d.reason or '')}"]
    if d.proposed:
        parts = []
        for k in d.proposed:
            key = k[:-3] if k.endswith("_unit_id") else k
            shown = d.frozen.get("platform_label") if k == "platform" else d.frozen.get(key, d.proposed[k])
            parts.append(f"{fields.LABELS.get(k, k)} → {escape(str(shown))}")
        lines.append("变更内容：" + "；".join(parts))
    if d.kept_account_name:
        lines.append(f"整合至：{escape(d.kept_account_name)}（整合备案 {escape(d.merge_parent_number or '')}）")
    for c in d.children:
        lines.append(f"　整合{escape(c.kind_label)}：{escape(c.account_name)}　{escape(c.number)}　{escape(c.state_label)}")
    for s in d.steps:
        if s.done:
            color = "#c62828" if s.result == "returned" else "#2e7d32"
            lines.append(f"{s.seq}. {escape(s.title)}：<span style='color:{color}'>{s.result_label}</span>　"
                         f"{escape(s.opinion or '')}　{escape(s.signer or '')}　{cn_date(s.signed_on)}"
                         + (f"　扫描件：{escape(s.attachment_name)}" if s.attachment_name else ""))
        else:
            lines.append(f"{s.seq}. {escape(s.title)}：<span style='color:#888'>待签批</span>")
    if d.meeting_on:
        lines.append(f"本单位会议（集体）研究：{cn_date(d.meeting_on)}　{escape(d.meeting_note or '')}")
    if d.head_approved_on:
        lines.append(f"主要领导签字确认（同意）：{escape(d.head_name or '')}　{cn_date(d.head_approved_on)}")
    if d.decision_missing:
        lines.append(f"<span style='color:#c62828'>未登记：{escape(d.decision_missing)}</span>")
    if d.announce_from or d.effective_on:
        word = "变更公告" if d.kind == "change" else "停更注销公告"
        lines.append(f"{word}：{cn_date(d.announce_from)}起，{d.effective_text}生效")
    if d.reported_on:
        lines.append(f"已报送系统：{cn_date(d.reported_on)}")
    if d.attachments:
        lines.append("附件：" + "、".join(escape(a.filename) for a in d.attachments))
    if d.notes:
        lines.append(f"备注：{escape(d.notes)}")
    return "<br>".join(lines)
