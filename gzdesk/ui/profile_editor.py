"""策略配置 → 编辑时限和条款…: the profile's numbers edited in a form, each beside its article.

The clerk changes a deadline, a threshold or the wording of an article, or who signs a step of
the approval chain, instead of exporting the JSON, editing it and importing it again. The edited
copy is checked in full (``profiles.validate``: the same check as an imported file) and, once the
clerk confirms, stored in this office's database (``office.replace_profile``, one audited write).
Rules the office's document does not have (null in the profile) are not offered: there is no
article to put beside the number.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gzdesk import office, profile_schema, profiles
from gzdesk.errors import UserError
from gzdesk.profiles import Profile
from gzdesk.ui.controller import Controller
from gzdesk.ui.help_window import RULE_LABELS
from gzdesk.ui.widgets import ErrorLabel, fit_to_screen

# the rules whose numbers are offered, in the order a clerk meets them
NUMBER_RULES = ("filing_deadline", "provincial_filing", "announcement", "backfill", "update_frequency",
                "original_content", "reply_within_days", "objection", "inspection")
LABELS = RULE_LABELS | {"objection": "异议处理", "inspection": "检查整改"}
FIELDS = {"workdays": "个工作日", "max_workdays": "最长（个工作日）", "days": "天", "weeks": "周",
          "per_week": "每周不少于（次）", "rectify_days": "整改期限（天）", "report_by_day": "报告截止（每季度后第 N 日）"}
NULLABLE = {("provincial_filing", "workdays")}  # the schema allows "no time limit given" there
UNSET = "未规定"


def _numbers(rule: dict[str, Any]) -> list[str]:
    return [k for k in FIELDS if k in rule and (isinstance(rule[k], int) and not isinstance(rule[k], bool)
                                                or rule[k] is None)]


class ProfileEditor(QDialog):
    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("编辑时限和条款")
        self.profile: Profile = controller.read(office.current_profile)
        self.spins: dict[tuple[str, str], QSpinBox] = {}
        self.articles: dict[str, QLineEdit] = {}
        self.signers: list[QLineEdit] = []
        self.saved: Profile | None = None

        inner = QWidget()
        grid = QGridLayout(inner)
        grid.addWidget(QLabel("<b>项目</b>"), 0, 0)
        grid.addWidget(QLabel("<b>数值</b>"), 0, 1)
        grid.addWidget(QLabel("<b>依据（文件条款，可改为本单位新文件的条款）</b>"), 0, 2)
        row = 1
        for key in NUMBER_RULES:
            rule = self.profile.rule(key)
            if not rule or not _numbers(rule):
                continue
            grid.addWidget(QLabel(LABELS.get(key, key)), row, 0)
            cell = QWidget()
            lay = QGridLayout(cell)
            lay.setContentsMargins(0, 0, 0, 0)
            for i, name in enumerate(_numbers(rule)):
                spin = QSpinBox()
                spin.setObjectName(f"{key}.{name}")
                nullable = (key, name) in NULLABLE
                spin.setRange(0 if nullable else 1, 366)
                if nullable:
                    spin.setSpecialValueText(UNSET)
                spin.setValue(rule[name] or 0)
                lay.addWidget(spin, i, 0)
                lay.addWidget(QLabel(FIELDS[name]), i, 1)
                self.spins[(key, name)] = spin
            grid.addWidget(cell, row, 1)
            article = QLineEdit(rule.get("article", ""))
            article.setObjectName(f"{key}.article")
            article.setCursorPosition(0)
            article.setToolTip(rule.get("article", ""))
            grid.addWidget(article, row, 2)
            self.articles[key] = article
            row += 1
        grid.setColumnStretch(2, 1)

        chain = QGroupBox("审批流程：各级签字")
        chain_grid = QGridLayout(chain)
        for i, step in enumerate(self.profile.chain):
            chain_grid.addWidget(QLabel(f"{i + 1}. {step['title']}"), i, 0)
            signer = QLineEdit(step.get("signer_label", ""))
            signer.setObjectName(f"chain.{i}.signer_label")
            chain_grid.addWidget(signer, i, 1)
            self.signers.append(signer)
        chain_grid.setColumnStretch(1, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        holder = QWidget()
        holder_lay = QVBoxLayout(holder)
        holder_lay.addWidget(inner)
        holder_lay.addWidget(chain)
        holder_lay.addStretch(1)
        scroll.setWidget(holder)

        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        note = QLabel(f"本库使用的策略配置：<b>{self.profile.name}</b>（{self.profile.document}）。"
                      "改动只用于本库，时限和检查按改后的数字计算；条款文字请与本单位的文件一致。")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for edit in [*self.articles.values(), *self.signers]:
            edit.textChanged.connect(lambda _t: self.error.set_error(None))
        for spin in self.spins.values():
            spin.valueChanged.connect(lambda _v: self.error.set_error(None))
        fit_to_screen(self, 900, 640)

    def edited_data(self) -> dict[str, Any]:
        """The profile as the form now says."""
        data = copy.deepcopy(self.profile.data)
        for (key, name), spin in self.spins.items():
            value = spin.value()
            data[key][name] = None if (key, name) in NULLABLE and value == 0 else value
        for key, edit in self.articles.items():
            data[key]["article"] = edit.text().strip()
        for step, edit in zip(data["approval_chain"], self.signers, strict=True):
            step["signer_label"] = edit.text().strip()
        return data

    def field_label(self, field: str | None) -> str:
        """announcement.article → 公告的依据, approval_chain[2].signer_label → 第2级（…）的签字."""
        m = re.fullmatch(r"approval_chain\[(\d+)\]\.signer_label", field or "")
        if m:
            step = self.profile.chain[int(m.group(1)) - 1]
            return f"审批流程第{m.group(1)}级（{step['title']}）的签字"
        key, _dot, name = (field or "").partition(".")
        what = LABELS.get(key, "策略配置")
        return f"{what}的依据" if name == "article" else f"{what}的{FIELDS.get(name, '数值')}" if name else what

    def save(self) -> None:
        data = self.edited_data()
        if data == self.profile.data:
            self.reject()
            return
        try:
            profile_schema.check(data)  # first, to name the field as the form shows it
            edited = profiles.validate(data, "（本库）")
        except profile_schema.ProfileError as exc:
            self.error.set_error(f"{self.field_label(exc.field)}：{exc.message}")
            return
        except UserError as exc:
            self.error.set_error(exc.message)
            return
        answer = QMessageBox.question(self, "编辑时限和条款",
                                      "本库将按改后的时限和条款计算期限、检查和打印，确定吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.controller.write(office.replace_profile, edited, topic="office")
        self.saved = edited
        self.accept()
