"""The account editor: every field of both official forms, the 二维码 and the 管理队伍.

Fields follow the 南通市政务新媒体备案登记表 (通政办发〔2019〕90号 附件1) and the 山西省政府系统
政务新媒体备案登记表（县市区） (运盐政办函〔2024〕13号): 主管/主办/承办单位 each with 分管领导及职务
and 联系电话. Validation is ``registry.account_problems`` (the same rules the importer and the
command line use); each message is shown in red under its field and nothing is saved until all
are fixed. Saving is one transaction: new units typed into a unit box are created together with
the account, or not at all.
"""

from __future__ import annotations

import html
from dataclasses import astuple, dataclass
from typing import TypeVar

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, fields, filings, registry
from gzdesk.enums import Platform
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.registry import AccountData, PersonData, TeamMember
from gzdesk.ui.bulk import paused_gc
from gzdesk.ui.controller import ACCOUNTS, PEOPLE, UNITS, Controller, may
from gzdesk.ui.person_editor import PersonEditor
from gzdesk.ui.pinyin import PINYIN
from gzdesk.ui.widgets import (
    DateEdit,
    ErrorLabel,
    ImageField,
    PhoneEdit,
    TriStateCombo,
    ask_save_discard,
    confirm,
    fit_to_screen,
    office_area_code,
)

W = TypeVar("W", bound=QWidget)  # the editor widget a form row holds

UNIT_ROLES = fields.UNIT_ROLES
# what the summary above the form calls each field (the 台账's header: 主办单位联系电话, not 联系电话)
FIELD_LABELS = {**{f.key: f.column_header or f.label for f in fields.CATALOGUE}, "team": "管理队伍"}
LEFT_GROUPS = (fields.BASIC, fields.CERT, fields.LINKS, fields.NOTES)  # the right: units, 二维码, 管理队伍


def _text(value: str | None) -> str:
    return value or ""


def _or_none(text: str) -> str | None:
    text = text.strip()
    return text or None


def _plain_widget(f: fields.Field) -> QWidget:
    """The editor's widget for a catalogue field it has no special one for, by the field's kind."""
    if f.kind == fields.DATE:
        return DateEdit()
    if f.kind == fields.BOOL:
        return TriStateCombo()
    if f.kind == fields.INT:
        spin = QSpinBox()
        spin.setRange(-1, 2_000_000_000)
        spin.setSpecialValueText("未填")
        spin.setGroupSeparatorShown(True)
        spin.setValue(-1)
        return spin
    if f.kind == fields.PHONE:
        return PhoneEdit()
    return QLineEdit()


def _set_plain(widget: QWidget, value) -> None:
    if isinstance(widget, DateEdit):
        widget.setDate(value)
    elif isinstance(widget, TriStateCombo):
        widget.setValue(value)
    elif isinstance(widget, QSpinBox):
        widget.setValue(-1 if value is None else value)
    elif isinstance(widget, QLineEdit):
        widget.setText(_text(value))


def _plain_value(widget: QWidget) -> tuple[object, str | None]:
    """(value, problem) of a widget made by ``_plain_widget``."""
    if isinstance(widget, DateEdit):
        problem = widget.problem()
        return (None, problem) if problem else (widget.date(), None)
    if isinstance(widget, TriStateCombo):
        return widget.value(), None
    if isinstance(widget, QSpinBox):
        return (None if widget.value() < 0 else widget.value()), None
    if isinstance(widget, QLineEdit):
        return _or_none(widget.text()), None
    return None, None


class UnitChoices:
    """Every registered unit as (id, name), read once per change of the unit list and shared by
    all unit boxes (three per editor; the 200,000-account demo registry has 93,000 units).

    Only ids and names are read (``registry.unit_choices``), in pinyin order, into a
    ``QStringListModel`` — a C++ list of strings, made in one call. Row 0 is the empty choice.
    """

    def __init__(self, units: list[tuple[int, str]]):
        with paused_gc():
            PINYIN.learn({name for _id, name in units})
            ordered = sorted(units, key=lambda u: (PINYIN.key(u[1]), u[0]))
            self.ids: list[int | None] = [None, *(uid for uid, _name in ordered)]
            self.names: list[str] = ["", *(name for _uid, name in ordered)]
            self.row_of_id = {uid: row for row, uid in enumerate(self.ids) if uid is not None}
            self.by_name: dict[str, int] = {}
            for uid, name in ordered:
                self.by_name.setdefault(name, uid)
        self.model = QStringListModel(self.names)

    @classmethod
    def of(cls, controller: Controller) -> UnitChoices:
        def load() -> UnitChoices:
            with paused_gc():
                return cls(controller.read(registry.unit_choices))

        return controller.cached("account_editor.units", (UNITS,), load)


class UnitCombo(QComboBox):
    """An editable list of registered units; a name not in the list is a unit to be created."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self.setMinimumContentsLength(16)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        line = self.lineEdit()
        assert line is not None, "an editable combo box has a line edit"
        line.setPlaceholderText("选择或输入单位名称")
        self.choices = UnitChoices([])

    def set_choices(self, choices: UnitChoices) -> None:
        """Offer these units; typing shows the units whose names contain the typed text."""
        self.choices = choices
        self.setModel(choices.model)
        completer = QCompleter(choices.model, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self.setCompleter(completer)
        self.setCurrentIndex(0)

    def set_unit_id(self, unit_id: int | None) -> None:
        if unit_id is None:
            self.setCurrentIndex(0)
            return
        i = self.choices.row_of_id.get(unit_id, -1)
        self.setCurrentIndex(max(i, 0))
        if i < 0:  # a unit missing from the list: show its id
            self.setEditText(f"（编号 {unit_id} 的单位）")

    def unit_id(self) -> int | None:
        """The chosen registered unit (None when empty or a new name)."""
        text = " ".join(self.currentText().split())
        if not text:
            return None
        i = self.currentIndex()
        if 0 < i < len(self.choices.ids) and self.itemText(i) == self.currentText():
            return self.choices.ids[i]
        return self.choices.by_name.get(text)

    def new_name(self) -> str | None:
        """The typed name when it is not a registered unit."""
        text = " ".join(self.currentText().split())
        return text if text and self.unit_id() is None else None


@dataclass(frozen=True, slots=True)
class PersonChoice:
    """One line of the 管理队伍 picker: only what it shows (the full record is read when added)."""

    id: int
    name: str
    unit_name: str
    left: bool = False

    @property
    def search_key(self) -> str:
        return f"{self.name}\n{self.unit_name}".lower()


class PeopleChoices:
    """Every person as a ``PersonChoice`` in pinyin order, with the search keys, read once per
    change of people or units (``registry.person_choices``: 240,000 people in the big demo)."""

    def __init__(self, people: list[tuple[int, str, str]], departed: set[int]):
        with paused_gc():
            PINYIN.learn({name for _id, name, _unit in people})
            ordered = sorted(people, key=lambda p: (PINYIN.key(p[1]), p[0]))
            self.people = [PersonChoice(pid, name, unit, pid in departed) for pid, name, unit in ordered]
            self.keys = [p.search_key for p in self.people]

    @classmethod
    def of(cls, controller: Controller) -> PeopleChoices:
        def read(session) -> PeopleChoices:
            return cls(registry.person_choices(session), registry.departed_person_ids(session))

        def load() -> PeopleChoices:
            with paused_gc():
                return controller.read(read)

        return controller.cached("account_editor.people", (PEOPLE, UNITS), load)


class PersonPicker(QDialog):
    """Choose a person (searched by name and unit) and a role for the 管理队伍."""

    MAX_SHOWN = 300

    def __init__(self, people: PeopleChoices | list[PersonChoice], parent: QWidget | None = None,
                 controller: Controller | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("添加管理队伍成员")
        self.resize(520, 480)
        if isinstance(people, PeopleChoices):  # copies: new_person adds to them
            self.people, self._keys = list(people.people), list(people.keys)
        else:
            self.people, self._keys = list(people), [p.search_key for p in people]
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入姓名或单位查找")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #666;")
        self.role = QComboBox()
        for code, text in enums.ROLE_LABELS.items():
            self.role.addItem(text, code)
        self.role.setCurrentIndex(max(0, self.role.findData(enums.Role.ADMIN)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("添加")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("岗位：", self.role)
        self.new_person_button = QPushButton("新建人员…")
        self.new_person_button.setToolTip("名单里没有这个人时，先登记再添加")
        self.new_person_button.clicked.connect(self.new_person)
        self.new_person_button.setVisible(controller is not None)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_person_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._fill)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self._fill("")

    def _fill(self, text: str) -> None:
        """List the first ``MAX_SHOWN`` people matching every typed word (one scan of the keys)."""
        words = text.lower().split()
        if words:
            first, rest = words[0], words[1:]
            found: list[int] | range = [i for i, k in enumerate(self._keys)
                                        if first in k and all(w in k for w in rest)]
        else:
            found = range(len(self.people))
        matched = len(found)
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        for i in found[:self.MAX_SHOWN]:
            p = self.people[i]
            item = QListWidgetItem(f"{p.name}　{p.unit_name}" + ("（已离职）" if p.left else ""))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
        self.list.setUpdatesEnabled(True)
        shown = self.list.count()
        if not self.people:
            self.hint.setText("还没有登记人员，请先在“人员”页面添加。")
        elif matched > shown:
            self.hint.setText(f"找到 {matched} 人，只列出前 {shown} 人，请输入更多字缩小范围")
        else:
            self.hint.setText(f"找到 {matched} 人")
        if self.list.count():
            self.list.setCurrentRow(0)

    def new_person(self) -> None:
        """Register a person with the 人员 editor, then offer them in the list."""
        if self.controller is None:  # the button is shown only with a controller
            return
        editor = PersonEditor(self.controller, None, parent=self)
        try:
            if not editor.exec() or editor.saved_id is None:
                return
            saved_id = editor.saved_id
            person = self.controller.read(registry.get_person, saved_id)
        finally:
            editor.deleteLater()
        choice = PersonChoice(saved_id, person.name, person.unit_name, person.left_on is not None)
        self.people.append(choice)
        self._keys.append(choice.search_key)
        self.search.setText(person.name)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == person.id:
                self.list.setCurrentRow(i)
                break

    def chosen(self) -> tuple[PersonData, str] | None:
        """The chosen person's full record (read now: the list holds names only) and role."""
        item = self.list.currentItem()
        if item is None:
            return None
        pid = item.data(Qt.ItemDataRole.UserRole)
        if self.controller is not None:
            person = self.controller.read(registry.get_person, pid)
        else:
            p = next(p for p in self.people if p.id == pid)
            person = PersonData(name=p.name, id=p.id, unit_name=p.unit_name)
        return person, self.role.currentData()


class TeamTable(QWidget):
    """管理队伍: person, role (changeable), 单位及职务, phones; 添加成员… / 移除."""

    HEADERS = ("姓名", "岗位", "单位及职务", "联系电话")

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 70)
        self.table.setColumnWidth(1, 112)
        self.table.setColumnWidth(3, 200)
        self.table.setMinimumHeight(170)
        self.table.setWordWrap(False)
        self.add_button = QPushButton("添加成员…")
        self.remove_button = QPushButton("移除")
        self.remove_button.setEnabled(False)
        self.error = ErrorLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.add_button.clicked.connect(self.pick_member)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows())))

    def set_members(self, members: list[TeamMember]) -> None:
        self.table.setRowCount(0)
        for m in members:
            self._append(m)

    def members(self) -> list[TeamMember]:
        out = []
        for row in range(self.table.rowCount()):
            item, combo = self.table.item(row, 0), self.table.cellWidget(row, 1)
            assert item is not None and isinstance(combo, QComboBox), "every row has its member and role box"
            m: TeamMember = item.data(Qt.ItemDataRole.UserRole)
            out.append(TeamMember(m.person_id, combo.currentData(), m.name, m.unit, m.title,
                                  m.office_phone, m.mobile))
        return out

    def add_member(self, person: PersonData | PersonChoice, role: str) -> bool:
        """Add a person in a role; False (with a message) when already there in that role."""
        if isinstance(person, PersonChoice):
            person = self.controller.read(registry.get_person, person.id)
        if any(m.person_id == person.id and m.role == role for m in self.members()):
            self.error.set_error(f"{person.name}已是本账号的{enums.label('role', role)}")
            return False
        self.error.set_error(None)
        assert person.id is not None, "only a registered person joins a team"
        self._append(TeamMember(person.id, role, person.name, person.unit_name, person.title or "",
                                person.office_phone or "", person.mobile or ""))
        return True

    def _append(self, m: TeamMember) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(m.name)
        name.setData(Qt.ItemDataRole.UserRole, m)
        self.table.setItem(row, 0, name)
        combo = QComboBox()
        for code, text in enums.ROLE_LABELS.items():
            combo.addItem(text, code)
        i = combo.findData(m.role)
        if i < 0:
            combo.addItem(m.role, m.role)
            i = combo.count() - 1
        combo.setCurrentIndex(i)
        self.table.setCellWidget(row, 1, combo)
        where = QTableWidgetItem("，".join(x for x in (m.unit, m.title) if x))
        where.setToolTip(where.text())
        self.table.setItem(row, 2, where)
        phones = QTableWidgetItem("、".join(x for x in (m.mobile, m.office_phone) if x))
        phones.setToolTip(phones.text())
        self.table.setItem(row, 3, phones)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self.error.set_error(None)

    def people(self) -> list[PersonChoice]:
        return PeopleChoices.of(self.controller).people

    def pick_member(self) -> None:
        picker = PersonPicker(PeopleChoices.of(self.controller), self, self.controller)
        if picker.exec() and (chosen := picker.chosen()) is not None:
            self.add_member(*chosen)
        picker.deleteLater()


def _save_with_new_units(session, data: AccountData, new_units: dict[str, str],
                         keep: frozenset[str] = frozenset()) -> int:
    """Create the typed new units (主管/主办/承办) and save the account, in one transaction;
    the units of the prefixes in ``keep`` are made but not put on the account (a 变更 will)."""
    for prefix, name in new_units.items():
        unit = registry.find_or_create_unit(session, name)
        if prefix not in keep:
            setattr(data, f"{prefix}_unit_id", unit.id)
    return registry.save_account(session, data)


# what the 登记表 shows: a change of these after the account was filed is a 变更 to file
FORM_FIELDS = {f.column: (f.key, f.label) for f in fields.ON_FORM}


def change_cite(controller: Controller) -> str:
    """The article that makes a change a 变更 filing, for the question the editor asks."""
    try:
        p = controller.profile
    except UserError:
        return ""
    return p.cite("change_needs_meeting_or_head") or p.cite("filing_deadline") or p.document


def ask_change_filing(parent: QWidget, changes: list[tuple[str, str, str, str]], cite: str,
                      refusal: str | None) -> str:
    """"filing" (办理变更备案), "save" (直接保存：更正录入错误) or "cancel"."""
    lines = "\n".join(f"{label}：{old or '（空）'} → {new or '（空）'}" for _key, label, old, new in changes)
    rule = f"依据{cite}，" if cite else ""
    if refusal:
        text = (f"以下改动是备案登记表上的内容：\n{lines}\n\n{rule}变更须办理变更备案，但现在不能新建：{refusal}。\n"
                "如果只是更正录入错误，可直接保存。")
    else:
        text = (f"以下改动是备案登记表上的内容：\n{lines}\n\n{rule}变更须办理变更备案，审批同意后才改到账号上。\n"
                "如果只是更正录入错误，可直接保存。")
    box = QMessageBox(QMessageBox.Icon.Question, "办理变更备案？", text, QMessageBox.StandardButton.NoButton, parent)
    filing = None if refusal else box.addButton("办理变更备案", QMessageBox.ButtonRole.AcceptRole)
    direct = box.addButton("直接保存（更正录入错误）", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(filing or cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if filing is not None and clicked is filing:
        return "filing"
    return "save" if clicked is direct else "cancel"


class AccountEditor(QDialog):
    """新建 / 编辑账号. ``exec()`` returns Accepted after a save; ``saved_id`` is the account's id."""

    def __init__(self, controller: Controller, account_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.saved_id: int | None = None
        self.saved_name = ""
        self.errors: dict[str, ErrorLabel] = {}
        self.fields: dict[str, QWidget] = {}
        if account_id is None:
            data = AccountData()
            try:
                data.supervisor_unit_id = controller.office().unit_id  # the county office supervises
            except UserError:
                pass
        else:
            data = controller.read(registry.get_account, account_id)
        self.data = data
        self.setWindowTitle("新建账号" if account_id is None else f"编辑账号 — {data.name}")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        fit_to_screen(self, 1140, 820)
        self.setMinimumSize(820, 560)
        self._build()
        choices = UnitChoices.of(controller)
        for combo in self.unit_combos.values():
            combo.set_choices(choices)
        self.load(data)
        self._baseline = self._state()
        self._tried_save = False
        self._watch_fields()

    def _watch_fields(self) -> None:
        """After a refused 保存, every edit checks again: a message goes as soon as its field is right."""
        for widget in self.fields.values():
            for name in ("textChanged", "currentIndexChanged", "valueChanged", "changed"):
                signal = getattr(widget, name, None)
                if signal is not None and hasattr(signal, "connect"):
                    signal.connect(self._recheck)

    def _recheck(self, *_args) -> None:
        if self._tried_save:
            self.show_problems(self.problems(), focus=False)

    # ------------------------------------------------------------------ building
    def _field(self, form: QFormLayout, key: str, widget: W, *, hint: str | None = None) -> W:
        """A form row for the catalogue's field ``key``: its label (＊ when required), its
        placeholder and length limit, and the red line for its problems under it."""
        f = fields.BY_KEY[key]
        if f.hint and isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.setPlaceholderText(f.hint)
        if f.max_length and f.kind == fields.TEXT and isinstance(widget, QLineEdit):
            widget.setMaxLength(f.max_length)
        label, required = f.shown_label, f.required
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        if hint:
            h = QLabel(hint)
            h.setStyleSheet("color: #777;")
            h.setWordWrap(True)
            v.addWidget(h)
        err = ErrorLabel()
        v.addWidget(err)
        self.errors[key] = err
        self.fields[key] = widget
        form.addRow(f"{label}{'＊' if required else ''}：", box)
        return widget

    @staticmethod
    def _form(group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("problemSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("QLabel#problemSummary { background: #fdecea; color: #b71c1c; "
                                   "border: 1px solid #f5c2c0; padding: 6px 8px; }")
        self.summary.hide()

        # 基本信息
        basic = QGroupBox(fields.BASIC)
        f = self._form(basic)
        self.forms: dict[str, QFormLayout] = {fields.BASIC: f}
        self.name_edit = self._field(f, "name", QLineEdit())
        self.platform_combo = QComboBox()
        for code, text in enums.PLATFORM_LABELS.items():
            self.platform_combo.addItem(text, code)
        self._field(f, "platform", self.platform_combo)
        self.platform_other_edit = self._field(f, "platform_other", QLineEdit())
        self.handle_edit = self._field(f, "handle", QLineEdit())
        self.status_combo = QComboBox()
        for code, text in enums.STATUS_LABELS.items():
            self.status_combo.addItem(text, code)
        self._field(f, "status", self.status_combo)
        self.registered_edit = self._field(f, "registered_on", DateEdit())
        self.followers_spin = QSpinBox()
        self.followers_spin.setRange(-1, 2_000_000_000)
        self.followers_spin.setSpecialValueText("未填")
        self.followers_spin.setGroupSeparatorShown(True)
        self.followers_spin.setValue(-1)
        self._field(f, "followers", self.followers_spin)
        self.followers_on_edit = self._field(f, "followers_on", DateEdit())
        self.last_update_edit = self._field(f, "last_update_on", DateEdit())
        self.last_original_edit = self._field(f, "last_original_on", DateEdit())

        # 认证与资质
        cert = QGroupBox(fields.CERT)
        self.forms[fields.CERT] = self._form(cert)

        # 主管 / 主办 / 承办单位
        self.unit_combos: dict[str, UnitCombo] = {}
        self.leader_edits: dict[str, QLineEdit] = {}
        self.phone_edits: dict[str, PhoneEdit] = {}
        unit_groups = []
        for prefix, title in UNIT_ROLES:
            g = QGroupBox(title)
            f = self._form(g)
            self.forms[title] = f
            combo = self._field(f, f"{prefix}_unit_id", UnitCombo())
            leader = self._field(f, f"{prefix}_leader", QLineEdit())
            phone = self._field(f, f"{prefix}_phone", PhoneEdit(area_code=office_area_code(self.controller)))
            combo.activated.connect(lambda _i, p=prefix: self._fill_unit_contacts(p))
            self.unit_combos[prefix], self.leader_edits[prefix], self.phone_edits[prefix] = combo, leader, phone
            unit_groups.append(g)

        # 链接与简介
        links = QGroupBox(fields.LINKS)
        f = self._form(links)
        self.forms[fields.LINKS] = f
        self.url_edit = self._field(f, "url", QLineEdit())
        self.intro_edit = self._field(f, "intro", QPlainTextEdit())
        self.intro_edit.setFixedHeight(90)

        # 二维码
        qr = QGroupBox(fields.QR)
        qv = QVBoxLayout(qr)
        self.qr_field = ImageField()
        qv.addWidget(self.qr_field)
        self.fields["qr_image"] = self.qr_field
        self.errors["qr_image"] = self.qr_field.error

        # 管理队伍
        team = QGroupBox("管理队伍")
        tv = QVBoxLayout(team)
        self.team_table = TeamTable(self.controller)
        tv.addWidget(self.team_table)
        self.fields["team"] = self.team_table
        self.errors["team"] = self.team_table.error

        # 备注
        notes = QGroupBox(fields.NOTES)
        nv = QVBoxLayout(notes)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setFixedHeight(70)
        nv.addWidget(self.notes_edit)
        self.fields["notes"] = self.notes_edit

        # every other field of the catalogue: a widget for its kind, in its group (a new field is
        # one entry in gzdesk.fields and shows here without more code)
        self.plain: dict[str, QWidget] = {}
        for fd in fields.CATALOGUE:
            if fd.key not in self.fields:
                form = self.forms.get(fd.group, self.forms[fields.BASIC])
                self.plain[fd.key] = self._field(form, fd.key, _plain_widget(fd))
        self.tags_edit = self.plain["tags"]
        self.verified_combo = self.plain["verified"]
        self.names_host_combo = self.plain["verification_names_host"]
        self.news_license_combo = self.plain["news_license"]
        self.name_consent_edit = self.plain["name_consent_on"]
        self.name_consent_ref_edit = self.plain["name_consent_ref"]

        left = QVBoxLayout()
        for g in (basic, cert, links, notes):
            left.addWidget(g)
        left.addStretch(1)
        right = QVBoxLayout()
        for g in (*unit_groups, qr, team):
            right.addWidget(g)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        inner = QWidget()
        inner.setLayout(columns)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(inner)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.may_save = may(self.controller, Cap.EDIT)
        if not self.may_save:  # a 审核人 or 只读 user sees the account; the domain would refuse a save
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("当前用户无权修改账号")
            self.cancel_button.setText("关闭")
            self.setWindowTitle(self.windowTitle() + "（只读）")
        self.meta = QLabel()
        self.meta.setStyleSheet("color: #777;")
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.meta, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        # Tab goes down the left column, then down the right one
        left_keys = sorted((k for k in self.fields if k in fields.BY_KEY and fields.BY_KEY[k].group in LEFT_GROUPS),
                           key=lambda k: LEFT_GROUPS.index(fields.BY_KEY[k].group))  # stable: rows in form order
        order: list[QWidget] = [self.fields[k] for k in left_keys]
        order += [w for k, w in self.fields.items() if k in fields.BY_KEY and fields.BY_KEY[k].kind != fields.IMAGE
                  and fields.BY_KEY[k].group not in LEFT_GROUPS]
        order += [self.qr_field.pick_button, self.qr_field.clear_button, self.team_table.table,
                  self.team_table.add_button, self.team_table.remove_button, self.save_button,
                  self.cancel_button]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.platform_combo.currentIndexChanged.connect(self._platform_changed)

    # ------------------------------------------------------------------ data in / out
    def load(self, d: AccountData) -> None:
        self.name_edit.setText(d.name)
        self.platform_combo.setCurrentIndex(max(0, self.platform_combo.findData(d.platform)))
        self.platform_other_edit.setText(_text(d.platform_other))
        self.handle_edit.setText(_text(d.handle))
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(d.status)))
        self.registered_edit.setDate(d.registered_on)
        self.followers_spin.setValue(-1 if d.followers is None else d.followers)
        self.followers_on_edit.setDate(d.followers_on)
        self.last_update_edit.setDate(d.last_update_on)
        self.last_original_edit.setDate(d.last_original_on)
        for key, widget in self.plain.items():
            _set_plain(widget, getattr(d, key))
        for prefix, _title in UNIT_ROLES:
            self.unit_combos[prefix].set_unit_id(getattr(d, f"{prefix}_unit_id"))
            self.leader_edits[prefix].setText(_text(getattr(d, f"{prefix}_leader")))
            self.phone_edits[prefix].setText(_text(getattr(d, f"{prefix}_phone")))
        self.url_edit.setText(_text(d.url))
        self.intro_edit.setPlainText(_text(d.intro))
        self.qr_field.set_image_bytes(d.qr_image)
        self.team_table.set_members(d.team)
        self.notes_edit.setPlainText(_text(d.notes))
        self._platform_changed()
        if d.id is not None:
            self.meta.setText(f"账号编号 {d.id}")

    def collect(self) -> tuple[AccountData, list[tuple[str, str]], dict[str, str]]:
        """(data, problems this form finds itself, new unit names by prefix)."""
        problems: list[tuple[str, str]] = []
        platform = self.platform_combo.currentData()
        d = AccountData(
            id=self.data.id, uuid=self.data.uuid, version=self.data.version,
            name=self.name_edit.text().strip(), platform=platform,
            platform_other=_or_none(self.platform_other_edit.text()) if platform == Platform.OTHER else None,
            handle=_or_none(self.handle_edit.text()), status=self.status_combo.currentData(),
            followers=None if self.followers_spin.value() < 0 else self.followers_spin.value(),
            url=_or_none(self.url_edit.text()), intro=_or_none(self.intro_edit.toPlainText()),
            qr_image=self.qr_field.image_bytes(), notes=_or_none(self.notes_edit.toPlainText()),
            team=self.team_table.members(),
        )
        for key in fields.DATE_KEYS:
            edit = self.fields[key]
            assert isinstance(edit, DateEdit), "a date field has a date box"
            problem = edit.problem()
            if problem:
                problems.append((key, problem))
            else:
                setattr(d, key, edit.date())
        for key, widget in self.plain.items():
            if key not in fields.DATE_KEYS:
                value, _problem = _plain_value(widget)
                setattr(d, key, value)
        new_units: dict[str, str] = {}
        for prefix, _title in UNIT_ROLES:
            combo = self.unit_combos[prefix]
            setattr(d, f"{prefix}_unit_id", combo.unit_id())
            new_name = combo.new_name()
            if new_name:
                new_units[prefix] = new_name
            setattr(d, f"{prefix}_leader", _or_none(self.leader_edits[prefix].text()))
            setattr(d, f"{prefix}_phone", _or_none(self.phone_edits[prefix].text()))
        return d, problems, new_units

    def _state(self) -> tuple:
        d, _p, new_units = self.collect()
        team = tuple((m.person_id, m.role) for m in d.team)
        dates = tuple(w.text() for k, w in self.fields.items() if isinstance(w, DateEdit))
        return astuple(AccountData(**{**d.__dict__, "team": []})), team, tuple(sorted(new_units.items())), dates

    def is_dirty(self) -> bool:
        return self._state() != self._baseline

    # ------------------------------------------------------------------ problems
    def show_problems(self, problems: list[tuple[str, str]], focus: bool = True) -> None:
        order = {key: i for i, key in enumerate(self.fields)}  # as laid out in the form
        problems = sorted(problems, key=lambda p: order.get(p[0], len(order)))
        by_key: dict[str, list[str]] = {}
        for key, message in problems:
            by_key.setdefault(key, []).append(message)
        for key, label in self.errors.items():
            label.set_error("；".join(by_key.get(key, [])) or None)
        if not problems:
            self.summary.hide()
            return
        def line(key: str, message: str) -> str:
            label = FIELD_LABELS.get(key, "")
            text = message if not label or message.startswith(label) else f"{label}：{message}"
            return f"<li>{html.escape(text)}</li>"

        lines = "".join(line(k, m) for k, m in problems)
        self.summary.setText(f"<b>还不能保存：有 {len(problems)} 处需要修改（已在对应栏目下标红）</b><ul "
                             f"style='margin:2px 0 0 -20px'>{lines}</ul>")
        self.summary.show()
        first = next((k for k, _m in problems if k in self.fields), None)
        if first is not None and focus:
            widget = self.fields[first]
            self.scroll_area.ensureWidgetVisible(widget, 50, 80)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def problems(self) -> list[tuple[str, str]]:
        data, problems, _new = self.collect()
        dated = {k for k, _m in problems}
        problems += [(k, m) for k, m in registry.account_problems(data) if k not in dated]
        return problems

    # ------------------------------------------------------------------ actions
    def save(self) -> bool:
        """Validate, ask about new units, save in one transaction; True when saved."""
        self._tried_save = True
        data, problems, new_units = self.collect()
        dated = {k for k, _m in problems}
        problems += [(k, m) for k, m in registry.account_problems(data) if k not in dated]
        self.show_problems(problems)
        if problems:
            return False
        changes = self.form_changes(data, new_units)
        mode = "save"
        if changes and data.id is not None and self.controller.read(filings.is_filed, data.id):
            refusal = self.controller.read(filings.change_filing_refusal, data.id)
            mode = ask_change_filing(self, changes, change_cite(self.controller), refusal)
            if mode == "cancel":
                return False
        keep: frozenset[str] = frozenset()
        if mode == "filing":  # the 登记表 fields keep their values until the 变更 is approved
            for key, _label, _old, _new in changes:
                attr = FORM_FIELDS[key][0]
                setattr(data, attr, getattr(self.data, attr))
            keep = frozenset(p for p in new_units if f"{p}_unit" in FORM_FIELDS)
        if new_units:
            names = "\n".join(f"{dict(UNIT_ROLES)[p]}：{n}" for p, n in new_units.items())
            if not confirm(self, "新建单位", f"以下单位尚未登记，保存账号时将同时新建：\n{names}\n\n是否继续？",
                           yes="新建并保存"):
                return False
        try:
            saved = self.controller.write_quiet(_save_with_new_units, data, new_units, keep)
        except UserError as exc:
            self.summary.setText(f"<b>未能保存：</b>{exc.message}")
            self.summary.show()
            QMessageBox.warning(self, "未能保存", exc.message)
            return False
        # just this account's row changes in the 账号台账; other pages reload as usual
        self.controller.announce_accounts(saved=[saved], topics=(ACCOUNTS, UNITS) if new_units else (ACCOUNTS,))
        self.saved_id, self.saved_name = saved, data.name
        self._baseline = self._state()
        if mode == "filing":
            self._start_change_filing(saved, changes)
        super().accept()
        return True

    def form_changes(self, data: AccountData, new_units: dict[str, str]) -> list[tuple[str, str, str, str]]:
        """(key, label, old text, new text) for each 登记表 field changed in this editor."""
        if self.data.id is None:
            return []
        names = dict(zip(UnitChoices.of(self.controller).ids, UnitChoices.of(self.controller).names, strict=True))
        out = []
        for key, (attr, label) in FORM_FIELDS.items():
            old, new = getattr(self.data, attr), getattr(data, attr)
            prefix = key[:-5] if key.endswith("_unit") else None
            if prefix is not None and prefix in new_units:
                new_text = new_units[prefix]
            elif old == new:
                continue
            elif prefix is not None:
                new_text = names.get(new, "") if new else ""
            elif key == "platform":
                new_text = enums.label("platform", new)
            else:
                new_text = new or ""
            if prefix is not None:
                old_text = names.get(old, "") if old else ""
            elif key == "platform":
                old_text = enums.label("platform", old)
            else:
                old_text = old or ""
            if old_text != new_text:
                out.append((key, label, old_text, new_text))
        return out

    def _start_change_filing(self, account_id: int, changes: list[tuple[str, str, str, str]]) -> None:
        from gzdesk.ui.filing_dialogs import NewFilingDialog

        dialog = NewFilingDialog(self.controller, account_id, self, kind="change")
        dialog.preset_changes({key: new for key, _label, _old, new in changes})
        try:
            if not dialog.exec():
                QMessageBox.information(self, "未新建变更备案", "登记表上的改动没有保存：可在“备案”页新建变更备案，"
                                        "或再次编辑账号选择“直接保存”。")
        finally:
            dialog.deleteLater()

    def accept(self) -> None:
        self.save()

    def reject(self) -> None:
        if self.saved_id is None and self.may_save and self.is_dirty():
            answer = ask_save_discard(self, "账号信息已修改，是否保存？")
            if answer == "save":
                self.save()
                return
            if answer == "cancel":
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        event.ignore()
        self.reject()

    def _platform_changed(self) -> None:
        other = self.platform_combo.currentData() == Platform.OTHER
        self.platform_other_edit.setEnabled(other)
        if not other:
            self.errors["platform_other"].set_error(None)

    def _fill_unit_contacts(self, prefix: str) -> None:
        """Choosing a unit fills its 分管领导 and 联系电话 when those are still empty."""
        unit_id = self.unit_combos[prefix].unit_id()
        if unit_id is None:
            return
        try:
            unit = self.controller.read(registry.get_unit, unit_id)  # the box holds names only
        except UserError:  # deleted meanwhile
            return
        if not self.leader_edits[prefix].text().strip() and unit.leader:
            self.leader_edits[prefix].setText(unit.leader)
        if not self.phone_edits[prefix].text().strip() and unit.phone:
            self.phone_edits[prefix].setText(unit.phone)
