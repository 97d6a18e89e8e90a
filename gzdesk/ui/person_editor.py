"""The person editor (人员): contact data, 培训日期, 离职日期, and the accounts the person is on.

Recording a 离职日期 makes ``registry.save_person`` create, for every account of the person, a task
to change its password and one to take back the work device (云南 第三十七条; the office's own
article is cited, see ``people_tasks.departure_article``). The editor says so
next to the field as soon as a date is typed, and asks once more before saving.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from gzdesk.dates import cn_date
from gzdesk.people_tasks import (
    PersonAccountRole,
    accounts_of_person,
    departure_account_count,
    staff_articles,
)
from gzdesk.registry import (
    PersonData,
    departure_problem,
    get_person,
    list_units,
    person_problems,
    save_person,
)
from gzdesk.ui.unit_editor import RecordDialog, UnitCombo
from gzdesk.ui.widgets import DateEdit, confirm, fit_to_screen, landline_example, office_area_code


def date_value(edit: DateEdit) -> tuple[date | None, str | None]:
    """(date or None, problem or None) of a ``DateEdit``."""
    problem = edit.problem()
    return (None, problem) if problem else (edit.date(), None)


class PersonEditor(RecordDialog):
    """Create or edit a 人员. ``person_id`` None makes a new one (in ``unit_id`` if given)."""

    def __init__(self, controller: Any, person_id: int | None = None, unit_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(controller, "新建人员" if person_id is None else "编辑人员", parent)
        if person_id is None:
            self.person = PersonData(unit_id=unit_id)
            self.roles: list[PersonAccountRole] = []
        else:
            self.person = controller.read(get_person, person_id)
            self.roles = controller.read(accounts_of_person, person_id)
            self.setWindowTitle(f"编辑人员 — {self.person.name}")
        self.account_count = controller.read(departure_account_count, self.person.id)
        self.articles = controller.read(staff_articles)
        self.setMinimumWidth(560)

        self.name_edit = QLineEdit(self.person.name)
        self.unit_combo = UnitCombo("（未填）")
        self.unit_combo.set_units(controller.read(list_units))
        self.unit_combo.set_unit_id(self.person.unit_id)
        self.title_edit = QLineEdit(self.person.title or "")
        self.title_edit.setPlaceholderText("如 办公室主任、宣传干事")
        self.office_phone_edit = QLineEdit(self.person.office_phone or "")
        self.office_phone_edit.setPlaceholderText(f"如 {landline_example(office_area_code(controller))}")
        self.mobile_edit = QLineEdit(self.person.mobile or "")
        self.mobile_edit.setPlaceholderText("11 位手机号码")
        self.trained_edit = DateEdit()
        self.trained_edit.setDate(self.person.trained_on)
        self.left_edit = DateEdit()
        self.left_edit.setDate(self.person.left_on)
        self.notes_edit = QPlainTextEdit(self.person.notes or "")
        self.notes_edit.setFixedHeight(60)

        self.add_field("name", "姓名", self.name_edit, changed=self.name_edit.textChanged, required=True)
        self.add_field("unit_id", "单位", self.unit_combo, changed=self.unit_combo.currentTextChanged)
        self.add_field("title", "职务", self.title_edit, changed=self.title_edit.textChanged)
        self.add_field("office_phone", "办公电话", self.office_phone_edit, changed=self.office_phone_edit.textChanged)
        self.add_field("mobile", "手机号码", self.mobile_edit, changed=self.mobile_edit.textChanged)
        self.add_field("trained_on", "培训日期", self.trained_edit, changed=self.trained_edit.changed,
                       hint="须经培训后方可上岗" + (f"（{self.articles.training_number}）"
                                                    if self.articles.training_number else ""))
        self.add_field("left_on", "离职日期", self.left_edit, changed=self.left_edit.changed)
        self.left_warning = QLabel()
        self.left_warning.setObjectName("leftWarning")
        self.left_warning.setWordWrap(True)
        self.left_warning.setStyleSheet("color: #a04000; background: #fff4e0; padding: 4px;")
        self.form.addRow("", self.left_warning)
        self.form.setRowVisible(self.left_warning, False)  # a hidden row keeps its spacing: hide the row
        self.left_edit.changed.connect(self._update_left_warning)
        self.add_field("notes", "备注", self.notes_edit, changed=self.notes_edit.textChanged)

        self.extra.addWidget(QLabel(f"负责的账号及岗位（{len(self.roles)}）："))
        self.roles_table = QTableWidget(len(self.roles), 5)
        self.roles_table.setObjectName("personAccounts")
        self.roles_table.setHorizontalHeaderLabels(["账号", "平台", "岗位", "运行状态", "任职"])
        self.roles_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roles_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.roles_table.verticalHeader().setVisible(False)
        self.roles_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for r, role in enumerate(self.roles):
            since = cn_date(role.since)
            span = f"{since}起" if since and not role.until else (
                f"{since}至{cn_date(role.until)}" if role.until else "")
            for c, text in enumerate((role.account_name, role.platform_label, role.role_label,
                                      role.status_label, span)):
                self.roles_table.setItem(r, c, QTableWidgetItem(text))
        self.roles_table.resizeColumnsToContents()
        self.roles_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.roles_table.setMinimumHeight(min(6, len(self.roles)) * 26 + 30)
        if not self.roles:
            self.roles_table.hide()
            note = QLabel("（尚未进入任何账号的管理队伍；在账号编辑中添加管理队伍成员）")
            note.setStyleSheet("color: #666;")
            self.extra.addWidget(note)
        self.extra.addWidget(self.roles_table)

        # Room for the messages and the 离职 warning that appear under fields while typing (word-wrapped
        # labels do not grow the window by themselves); the accounts table gives the space back.
        fit_to_screen(self, 640, 720 if self.roles else 600)
        self.start()
        self.name_edit.setFocus()

    # ------------------------------------------------------------------ the 离职 warning
    def records_departure(self, data: PersonData | None = None) -> bool:
        """True when saving now records a 离职日期 the person did not have (tasks will be created)."""
        if data is None:
            data, _ = self.collect()
        return data.left_on is not None and self.person.left_on is None

    def departure_text(self) -> str:
        n = self.account_count
        if n == 0:
            return "登记离职日期后，此人不再列为在岗人员。此人目前不在任何账号的管理队伍中，不会生成待办。"
        return (f"登记离职后，将为此人负责的 {n} 个账号各生成“更改账号密码”和“收回工作设备”待办"
                f"（共 {2 * n} 项），并结束其在管理队伍中的任职。依据：{self.articles.departure}。")

    def _update_left_warning(self) -> None:
        data, _ = self.collect()
        show = self.records_departure(data)
        text = self.departure_text() if show else ""
        early = self.before_role(data) if show else None
        if early:
            text = f"<b>{early}。</b><br>{text}"
        self.left_warning.setText(text)
        self.form.setRowVisible(self.left_warning, show)

    # ------------------------------------------------------------------ RecordDialog
    def collect(self) -> tuple[PersonData, list[tuple[str, str]]]:
        unit_id, unit_problem = self.unit_combo.unit_id()
        trained_on, trained_problem = date_value(self.trained_edit)
        left_on, left_problem = date_value(self.left_edit)
        data = replace(
            self.person,
            name=" ".join(self.name_edit.text().split()),
            unit_id=unit_id,
            title=self.title_edit.text().strip() or None,
            office_phone=self.office_phone_edit.text().strip() or None,
            mobile=self.mobile_edit.text().strip() or None,
            trained_on=trained_on,
            left_on=left_on,
            notes=self.notes_edit.toPlainText().strip() or None,
        )
        problems = [(k, p) for k, p in (("unit_id", unit_problem), ("trained_on", trained_problem),
                                         ("left_on", left_problem)) if p]
        return data, problems

    def before_role(self, data: PersonData) -> str | None:
        """A 离职日期 before one of the person's roles began (``registry.departure_problem``)."""
        if data.left_on is None or data.left_on == self.person.left_on:
            return None
        return self.controller.read(departure_problem, data.id, data.left_on)

    def problems(self, data: PersonData) -> list[tuple[str, str]]:
        out = person_problems(data)
        if data.left_on and data.left_on > date.today():
            out.append(("left_on", "离职日期不能晚于今天；尚未离职请先不填"))
        if data.trained_on and data.trained_on > date.today():
            out.append(("trained_on", "培训日期不能晚于今天"))
        return out

    def confirm_save(self, data: PersonData) -> bool:
        early = self.before_role(data)
        if early:  # asked even with no tasks to make: the date is most likely mistyped
            return confirm(
                self, "核对离职日期", f"{early}。\n\n任职开始日期是该岗位录入本程序的日期；如果此人确实在录入前已离职，"
                f"可以登记。\n\n{self.departure_text()}\n\n仍要登记离职吗？", yes="登记离职", no="返回修改")
        if not self.records_departure(data) or self.account_count == 0:
            return True
        return confirm(self, "登记离职", self.departure_text() + "\n\n确定登记离职吗？", yes="登记离职", no="返回修改")

    def write(self, data: PersonData) -> int:
        return self.controller.write(save_person, data)


