"""The unit editor (单位), and the small pieces the unit and person editors share.

``RecordDialog`` is a form with a message under each field, 保存 (Ctrl+S) and 取消, that asks before
throwing away unsaved edits. ``UnitCombo`` picks a unit from the tree by typing part of its name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QCollator,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    SignalInstance,
)
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.registry import (
    UnitData,
    get_unit,
    guess_unit_kind,
    list_units,
    save_unit,
    unit_problems,
)
from gzdesk.ui.widgets import ask_save_discard, confirm
from gzdesk.units_tree import descendant_ids, same_name_unit, tree_order, unit_path, unit_paths

MESSAGE_STYLE = "color: #c0392b;"
# Chinese names in pinyin order (阿, 白, 陈 …) rather than by code point.
COLLATOR = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
COLLATOR.setNumericMode(True)


def pinyin_key(text: str) -> Any:
    return COLLATOR.sortKey(text or "")
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1


# --------------------------------------------------------------------------- message boxes

ask = confirm  # a yes/no question with Chinese buttons (the safe answer is the default)


def warn(parent: QWidget | None, text: str, title: str = "提示") -> None:
    """Show a refused action (a ``UserError``) in one line."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


# --------------------------------------------------------------------------- the form base


class RecordDialog(QDialog):
    """A record form: fields with messages under them, 保存 (Ctrl+S) and 取消 (asks if edited).

    Subclasses build their fields with ``add_field`` and implement ``collect`` (the data now in the
    form, plus problems found while reading it, such as an unreadable date), ``problems`` (the
    domain's checks) and ``write`` (save through the controller, returning the record id).
    """

    def __init__(self, controller: Any, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(title)
        self.saved_id: int | None = None
        self._initial: Any = None
        self._tried_save = False
        self._touched: set[str] = set()
        self._messages: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.general_message = QLabel()
        self.general_message.setStyleSheet(MESSAGE_STYLE)
        self.general_message.setWordWrap(True)
        self.general_message.hide()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        # The box's accepted() would close the dialog even when saving fails: connect clicks instead.
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save)
        can = getattr(controller, "can", None)
        self.may_save = can is None or can(Cap.EDIT)
        if not self.may_save:  # a 审核人 or 只读 user sees the record; the domain would refuse a save
            self.save_button.setEnabled(False)
            self.save_button.setToolTip("当前用户无权修改单位和人员")
            self.cancel_button.setText("关闭")

        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.extra = QVBoxLayout()
        self.body.addLayout(self.extra)
        self.body.addWidget(self.general_message)
        self.body.addWidget(self.buttons)

    # ------------------------------------------------------------------ building
    def add_field(self, key: str, label: str, widget: QWidget, *, changed: SignalInstance | None = None,
                  required: bool = False, hint: str | None = None) -> QWidget:
        """A form row: the label, the widget, and a message line under it (hidden when fine)."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setStyleSheet("color: #666;")
            hint_label.setWordWrap(True)
            lay.addWidget(hint_label)
        message = QLabel()
        message.setObjectName(f"message_{key}")
        message.setStyleSheet(MESSAGE_STYLE)
        message.setWordWrap(True)
        message.hide()
        lay.addWidget(message)
        self.form.addRow(f"{label}{'＊' if required else ''}：", box)
        self._messages[key] = message
        self.fields[key] = widget
        if changed is not None:
            changed.connect(lambda *_a, k=key: self._on_changed(k))
        return widget

    def start(self) -> None:
        """Call once the fields hold the record: remembers it to tell later whether it was edited."""
        self._initial, _ = self.collect()

    # ------------------------------------------------------------------ for subclasses
    def collect(self) -> tuple[Any, list[tuple[str, str]]]:
        raise NotImplementedError

    def problems(self, data: Any) -> list[tuple[str, str]]:
        raise NotImplementedError

    def write(self, data: Any) -> int:
        raise NotImplementedError

    def confirm_save(self, data: Any) -> bool:
        """Last question before writing (e.g. 离职 creates tasks); True to go on."""
        return True

    # ------------------------------------------------------------------ state
    def message(self, key: str) -> str:
        """The message shown under a field ('' when none) — for tests and screen readers."""
        label = self._messages.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def all_problems(self) -> list[tuple[str, str]]:
        data, read_problems = self.collect()
        return read_problems + self.problems(data)

    def show_problems(self, problems: list[tuple[str, str]], only: set[str] | None = None) -> None:
        by_key: dict[str, list[str]] = {}
        general: list[str] = []
        for key, text in problems:
            if key in self._messages:
                by_key.setdefault(key, []).append(text)
            else:
                general.append(text)
        for key, label in self._messages.items():
            texts = by_key.get(key, []) if only is None or key in only else []
            label.setText("；".join(texts))
            label.setVisible(bool(texts))
        self.general_message.setText("；".join(general) if only is None else "")
        self.general_message.setVisible(bool(general) and only is None)

    def is_dirty(self) -> bool:
        data, _ = self.collect()
        return data != self._initial

    def _on_changed(self, key: str) -> None:
        self._touched.add(key)
        # Before the first 保存 only fields already edited get messages, so a new form is not all red.
        self.show_problems(self.all_problems(), None if self._tried_save else self._touched)

    # ------------------------------------------------------------------ actions
    def save(self) -> bool:
        """Check, ask where needed, write in one transaction, close. False when nothing was saved."""
        self._tried_save = True
        data, read_problems = self.collect()
        problems = read_problems + self.problems(data)
        self.show_problems(problems)
        if problems:
            first = self.fields.get(problems[0][0])
            if first is not None:
                first.setFocus()
            return False
        if not self.confirm_save(data):
            return False
        try:
            self.saved_id = self.write(data)
        except UserError as exc:
            self.general_message.setText(str(exc))
            self.general_message.show()
            warn(self, str(exc))
            return False
        self._initial = data
        self.accept()
        return True

    def reject(self) -> None:  # also Esc and the title bar's close button
        if self._initial is not None and self.may_save and self.is_dirty():
            answer = ask_save_discard(self, "内容已修改，是否保存？")
            if answer == "cancel" or (answer == "save" and not self.save()):
                return
            if answer == "save":
                return  # save() closed the dialog
        super().reject()


# --------------------------------------------------------------------------- unit picker


class _IndentDelegate(QStyledItemDelegate):
    """Indents popup entries by their depth in the unit tree (the line edit shows the plain name)."""

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802 (Qt name)
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        depth = index.data(DEPTH_ROLE) or 0
        option.text = "\u3000" * int(depth) * 2 + option.text


class UnitCombo(QComboBox):
    """Choose a unit: the tree in the popup, or type part of a name (matches anywhere in the name)."""

    def __init__(self, none_text: str | None = "（无）", parent: QWidget | None = None):
        super().__init__(parent)
        self.none_text = none_text
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self.setItemDelegate(_IndentDelegate(self))
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        completer = QCompleter(self._model, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def set_units(self, units: Iterable[UnitData], exclude: Collection[int] = frozenset()) -> None:
        units = list(units)
        self._model.clear()
        if self.none_text is not None:
            item = QStandardItem(self.none_text)
            item.setData(None, Qt.ItemDataRole.UserRole)
            self._model.appendRow(item)
        paths = unit_paths(units)
        for depth, u in tree_order(units, pinyin_key):
            if u.id is None or u.id in exclude:
                continue
            item = QStandardItem(u.name)
            item.setData(u.id, Qt.ItemDataRole.UserRole)
            item.setData(depth, DEPTH_ROLE)
            item.setToolTip(f"{paths[u.id]}（{enums.label('unit_type', u.kind)}）")
            self._model.appendRow(item)

    def set_unit_id(self, unit_id: int | None) -> None:
        index = self.findData(unit_id, Qt.ItemDataRole.UserRole) if unit_id is not None else -1
        if index < 0 and unit_id is None and self.none_text is not None:
            index = 0
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")

    def unit_id(self) -> tuple[int | None, str | None]:
        """(unit id or None, problem or None): a typed name must be one of the listed units."""
        text = " ".join(self.currentText().split())
        if not text or text == self.none_text:
            return None, None
        index = self.currentIndex()
        if index < 0 or self.itemText(index) != text:
            index = self.findText(text, Qt.MatchFlag.MatchExactly)
        if index < 0:
            return None, f"找不到单位“{text}”，请从列表中选择"
        return self.itemData(index, Qt.ItemDataRole.UserRole), None


# --------------------------------------------------------------------------- the unit editor


class UnitEditor(RecordDialog):
    """Create or edit a 单位. ``unit_id`` None makes a new one (under ``parent_id`` if given)."""

    def __init__(self, controller: Any, unit_id: int | None = None, parent_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(controller, "新建单位" if unit_id is None else "编辑单位", parent)
        self.units = controller.read(list_units)
        if unit_id is None:
            self.unit = UnitData(parent_id=parent_id)
            parent_unit = next((u for u in self.units if u.id == parent_id), None)
            if parent_unit is not None and parent_unit.kind not in (enums.UnitType.GOVERNMENT,):
                self.unit.kind = enums.UnitType.INTERNAL  # below a township or bureau: its 内设机构
        else:
            self.unit = controller.read(get_unit, unit_id)
            self.setWindowTitle(f"编辑单位 — {self.unit.name}")
        self.setMinimumWidth(520)

        self.name_edit = QLineEdit(self.unit.name)
        self.name_edit.setPlaceholderText("如 某某镇人民政府、县教育体育局")
        self.kind_combo = QComboBox()
        for code, text in enums.labels("unit_type").items():
            self.kind_combo.addItem(text, code)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(self.unit.kind)))
        self.parent_combo = UnitCombo("（无，顶级单位）")
        self.parent_combo.set_units(self.units, exclude=descendant_ids(self.units, self.unit.id))
        self.parent_combo.set_unit_id(self.unit.parent_id)
        self.head_edit = QLineEdit(self.unit.head or "")
        self.leader_edit = QLineEdit(self.unit.leader or "")
        self.leader_edit.setPlaceholderText("如 张三　副县长")
        self.phone_edit = QLineEdit(self.unit.phone or "")
        self.phone_edit.setPlaceholderText("如 0513-12345678 或 11 位手机号")
        self.classified_check = QCheckBox("涉密单位")
        self.classified_check.setChecked(bool(self.unit.classified))
        self.notes_edit = QPlainTextEdit(self.unit.notes or "")
        self.notes_edit.setFixedHeight(70)

        self.add_field("name", "名称", self.name_edit, changed=self.name_edit.textChanged, required=True)
        self.add_field("kind", "类型", self.kind_combo, changed=self.kind_combo.currentIndexChanged)
        self.add_field("parent_id", "上级单位", self.parent_combo, changed=self.parent_combo.currentTextChanged)
        self.add_field("head", "主要负责人", self.head_edit, changed=self.head_edit.textChanged)
        self.add_field("leader", "分管领导及职务", self.leader_edit, changed=self.leader_edit.textChanged)
        self.add_field("phone", "联系电话", self.phone_edit, changed=self.phone_edit.textChanged)
        self.add_field("classified", "涉密", self.classified_check, changed=self.classified_check.toggled)
        self.add_field("notes", "备注", self.notes_edit, changed=self.notes_edit.textChanged)
        if self.unit.id is not None:
            count = next((u.account_count for u in self.units if u.id == self.unit.id), 0)
            if count:
                self.extra.addWidget(QLabel(f"本单位作为主办单位的账号：{count} 个"))
        elif self.unit.kind == enums.UnitType.OTHER:
            # a new unit's type follows its name (…镇人民政府 → 乡镇人民政府) until chosen by hand
            self._kind_chosen = False
            self.name_edit.textChanged.connect(self._guess_kind)
            self.kind_combo.activated.connect(lambda _i: setattr(self, "_kind_chosen", True))
        self.extra.addStretch(1)  # spare height below the form, not between its rows
        self.resize(580, 440)  # room for the messages that appear under fields
        self.start()
        self.name_edit.setFocus()

    def _guess_kind(self, name: str) -> None:
        kind = guess_unit_kind(name.strip())
        if not self._kind_chosen and kind != enums.UnitType.OTHER:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def collect(self) -> tuple[UnitData, list[tuple[str, str]]]:
        parent_id, parent_problem = self.parent_combo.unit_id()
        data = replace(
            self.unit,
            name=" ".join(self.name_edit.text().split()),
            kind=self.kind_combo.currentData(),
            parent_id=parent_id,
            head=self.head_edit.text().strip() or None,
            leader=self.leader_edit.text().strip() or None,
            phone=self.phone_edit.text().strip() or None,
            classified=self.classified_check.isChecked(),
            notes=self.notes_edit.toPlainText().strip() or None,
        )
        return data, [("parent_id", parent_problem)] if parent_problem else []

    def problems(self, data: UnitData) -> list[tuple[str, str]]:
        out = unit_problems(data)
        twin = same_name_unit(self.units, data.name, data.id)
        # Only a new or changed name is refused: an old duplicate (from an import) stays editable.
        if data.name and twin is not None and (data.id is None or data.name != self.unit.name):
            out.append(("name", f"已有同名单位“{twin.name}”（{unit_path(self.units, twin.id)}），单位名称不能重复"))
        if data.parent_id is not None and data.parent_id in descendant_ids(self.units, data.id):
            out.append(("parent_id", "上级单位不能是本单位或其下级单位"))
        return out

    def write(self, data: UnitData) -> int:
        return self.controller.write(save_unit, data)
