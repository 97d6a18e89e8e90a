"""监管 → the reports upward: the quarter's 检查整改情况 (南通 附件3 抽查检查), recording it as sent, and
the 排查摸底 census report (临沂 五) with its prose typed here, the previous report's text offered."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gzdesk import quarters, scope
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.ui import files
from gzdesk.ui.controller import SUPERVISION, Controller
from gzdesk.ui.supervision_pages import _SmallDialog, quarter_box
from gzdesk.ui.widgets import DateEdit, ErrorLabel, fit_to_screen


def _previous_quarter(today: date) -> quarters.Quarter:
    q = quarters.of(today)
    return quarters.Quarter(q.year - 1, 4) if q.q == 1 else quarters.Quarter(q.year, q.q - 1)


def _unit_box(controller: Controller) -> tuple[QComboBox, list[scope.Scope]]:
    box = QComboBox()
    scopes = controller.read(scope.choices)
    for sc in scopes:
        box.addItem(sc.name + ("（本单位）" if sc.origin is None else "（下级上报）"))
    return box, scopes


def _build_quarter(session, code: str, sc: scope.Scope):
    from gzdesk.reports import quarter

    return quarter.build(session, code, sc)


class QuarterReportDialog(_SmallDialog):
    """季度检查整改情况报告: choose the quarter and office, then the file (.pdf to sign, or .xlsx)."""

    def __init__(self, controller: Controller, parent=None, path: str | None = None):
        super().__init__("季度检查整改情况报告", parent)
        self.controller = controller
        self.path = path
        self.quarter = quarter_box(date.today(), with_all=False)
        i = self.quarter.findData(_previous_quarter(date.today()).code)
        self.quarter.setCurrentIndex(max(i, 0))
        self.unit, self.scopes = _unit_box(controller)
        self.form.addRow("季度：", self.quarter)
        self.form.addRow("单位：", self.unit)
        self.form.addRow("", QLabel("第四季度报告包括全年情况；应于下一季度首月5日前报送。"))
        self.written: str | None = None

    def do(self) -> None:
        from gzdesk.reports import quarter

        code = self.quarter.currentData()
        sc = self.scopes[self.unit.currentIndex()]
        path = self.path
        if not path:
            default = f"{sc.name}{quarters.parse(code).label}检查整改情况.pdf"
            path = files.ask_save_file(self, "保存季度报告", default, f"{files.PDF_FILTER};;{files.EXCEL_FILTER}")
            if not path:
                raise UserError("未选择保存位置")
            self.chosen = True
        data = self.controller.read(_build_quarter, code, sc)
        quarter.write(path, data)
        self.written = path


def quarter_report(window) -> None:
    dlg = QuarterReportDialog(window.controller, window)
    try:
        if dlg.exec() and dlg.written:
            window.status_message(f"已写出季度报告：{dlg.written}")
            if getattr(dlg, "chosen", False):  # a file the clerk chose: open it or its folder from here
                files.show_saved(window, "季度报告", "已写出季度检查整改情况报告。", dlg.written)
    finally:
        dlg.deleteLater()


class QuarterSentDialog(_SmallDialog):
    def __init__(self, controller: Controller, parent=None):
        super().__init__("登记季度报告已报送", parent)
        self.controller = controller
        self.quarter = quarter_box(date.today(), with_all=False)
        i = self.quarter.findData(_previous_quarter(date.today()).code)
        self.quarter.setCurrentIndex(max(i, 0))
        self.on = DateEdit()
        self.on.setDate(date.today())
        self.note = QLineEdit()
        self.form.addRow("季度：", self.quarter)
        self.form.addRow("报送日期：", self.on)
        self.form.addRow("说明：", self.note)
        self.on_time: bool | None = None

    def do(self) -> None:
        from gzdesk.reports import quarter

        on = self.required_date(self.on, "报送日期")
        _q, self.on_time = self.controller.write(quarter.record_sent, self.quarter.currentData(), on,
                                                 self.note.text(), topic=SUPERVISION)


def quarter_sent(window) -> None:
    dlg = QuarterSentDialog(window.controller, window)
    try:
        if dlg.exec():
            window.status_message("已登记季度报告报送" + ("" if dlg.on_time else "（已逾期）"))
    finally:
        dlg.deleteLater()


def _census_setup(session):
    from gzdesk.office import current_profile
    from gzdesk.reports import census

    texts, when = census.previous_texts(session)
    return census.sections_of(current_profile(session)), texts, when


def _census_write(session, start: date, end: date, sc: scope.Scope, texts: dict[str, str], path: str):
    from gzdesk.reports import census

    data = census.build(session, start, end, sc, texts)
    census.write(path, data)
    census.save(session, data)
    return data


class CensusDialog(QDialog):
    """排查摸底报告: the period, 主送, and each prose section, filled with the previous report's text."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        from gzdesk.reports import census

        self.controller = controller
        self.setWindowTitle("排查摸底报告")
        fit_to_screen(self, 860, 720)
        self.sections, previous, when = controller.read(_census_setup)
        self.start = DateEdit()
        self.start.setDate(date(date.today().year, 1, 1))
        self.end = DateEdit()
        self.end.setDate(date.today())
        self.unit, self.scopes = _unit_box(controller)
        self.addressee = QLineEdit(previous.get("主送", census.ADDRESSEE))
        form = QFormLayout()
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(QLabel("至"))
        period.addWidget(self.end)
        form.addRow("期间：", period)
        form.addRow("单位：", self.unit)
        form.addRow("主送：", self.addressee)
        hint = QLabel((f"已填入{cn_date(when)}报告的文字，请据实修改。" if when else "首次填写。")
                      + "开设数量、基本情况中的数字由程序据本库统计。")
        hint.setStyleSheet("color: #555;")
        self.editors: dict[str, QPlainTextEdit] = {}
        body = QWidget()
        bl = QFormLayout(body)
        for s in self.sections:
            if s in census.FIGURES_ONLY:
                continue
            edit = QPlainTextEdit(previous.get(s, ""))
            edit.setMinimumHeight(90)
            self.editors[s] = edit
            bl.addRow(f"{s}：", edit)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox()
        self.pdf_button = self.buttons.addButton("生成 PDF…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.xlsx_button = self.buttons.addButton("生成 Excel…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.pdf_button.clicked.connect(lambda: self.generate(".pdf"))
        self.xlsx_button.clicked.connect(lambda: self.generate(".xlsx"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.written: str | None = None

    def texts(self) -> dict[str, str]:
        out = {s: e.toPlainText().strip() for s, e in self.editors.items()}
        out["主送"] = self.addressee.text().strip()
        return out

    def generate(self, suffix: str, path: str | None = None) -> bool:
        chosen = False
        try:
            start, end = self.start.date(), self.end.date()
            if start is None or end is None:
                raise UserError("请填写报告期间")
            sc = self.scopes[self.unit.currentIndex()]
            if not path:
                default = f"{sc.name}政务新媒体排查摸底报告{suffix}"
                flt = "PDF (*.pdf)" if suffix == ".pdf" else "Excel 工作簿 (*.xlsx)"
                path = files.ask_save_file(self, "保存排查摸底报告", default, flt)
                if not path:
                    return False
                chosen = True
            self.controller.write(_census_write, start, end, sc, self.texts(), path, topic=SUPERVISION)
        except ValueError as exc:
            self.error.set_error(f"日期：{exc}")
            return False
        except UserError as exc:
            self.error.set_error(str(exc))
            return False
        self.written = path
        self.error.set_error(None)
        parent = self.parentWidget()
        window = parent.window() if parent is not None else None
        if window is not None and hasattr(window, "status_message"):
            window.status_message(f"已写出排查摸底报告：{path}")
        if chosen:
            files.show_saved(self, "排查摸底报告", "已写出排查摸底报告。", path)
        return True


def census_report(window) -> None:
    try:
        dlg = CensusDialog(window.controller, window)
    except UserError as exc:
        QMessageBox.warning(window, "排查摸底报告", str(exc))
        return
    try:
        dlg.exec()
    finally:
        dlg.deleteLater()
