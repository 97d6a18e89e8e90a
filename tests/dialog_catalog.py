"""Every dialog of the window, made over a main window on a demo registry.

Used by tests/test_ui_dialog_fit.py (each one must fit a 1366×768 screen) and by
scripts/screenshot.py --dialog NAME (to look at one as a clerk would). Each entry takes the main
window and returns the dialog, not yet shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QDialog, QWidget

from gzdesk import filings, registry


def _first(window, kind: str | None = None, state: str | None = None) -> int | None:
    rows = window.controller.read(filings.list_filings, state=state, kind=kind)
    return rows[0].id if rows else None


def _busy_person(window) -> int:
    people = window.controller.read(registry.list_people)
    return max(people, key=lambda p: p.account_count).id


def _closing_filing(window) -> int:
    found = _first(window, kind="关停")
    if found is not None:
        return found
    account = window.controller.read(registry.list_accounts)[0].id
    return window.controller.write(filings.new_filing, account, "关停", "无力维护", filled_on=date.today()).id


def account_editor(window) -> QWidget:
    from gzdesk.ui.account_editor import AccountEditor

    return AccountEditor(window.controller, window.controller.read(registry.list_accounts)[0].id, window)


def new_account(window) -> QWidget:
    from gzdesk.ui.account_editor import AccountEditor

    return AccountEditor(window.controller, None, window)


def person_picker(window) -> QWidget:
    from gzdesk.ui.account_editor import PeopleChoices, PersonPicker

    return PersonPicker(PeopleChoices.of(window.controller), window, window.controller)


def person_editor(window) -> QWidget:
    from gzdesk.ui.person_editor import PersonEditor

    return PersonEditor(window.controller, _busy_person(window), parent=window)


def unit_editor(window) -> QWidget:
    from gzdesk.ui.unit_editor import UnitEditor

    units = window.controller.read(registry.list_units)
    return UnitEditor(window.controller, unit_id=units[0].id, parent=window)


def new_filing(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import NewFilingDialog

    return NewFilingDialog(window.controller, None, window)


def change_filing(window) -> QWidget:
    """新建备案 (变更): the 变更后的内容 box hid the buttons off-screen at 1366×768."""
    from gzdesk.ui.filing_dialogs import NewFilingDialog

    account = window.controller.read(registry.list_accounts)[0].id
    return NewFilingDialog(window.controller, account, window, kind="change")


def step(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import StepDialog

    fid = _first(window, state="待签批") or _first(window, state="草稿")
    return StepDialog(window.controller, fid, window)


def announcement(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import AnnouncementDialog

    return AnnouncementDialog(window.controller, _closing_filing(window), window)


def report(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import ReportDialog

    return ReportDialog(window.controller, _first(window, state="已备案") or _first(window), window)


def merge(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import MergeDialog

    return MergeDialog(window.controller, window.controller.read(registry.list_accounts)[0].id, window)


def reason(window) -> QWidget:
    from gzdesk.ui.filing_dialogs import ReasonDialog

    return ReasonDialog("重新办理备案2026-00001（主管单位意见退回：理由不充分）\n可按退回意见改写理由：",
                        "为加强政务公开，拟开设本账号", window)


def preview(window) -> QWidget:
    """打印预览 of a filled 登记表: was 960 px tall and opened at 25 %."""
    from gzdesk.printing import render
    from gzdesk.ui.pdf_preview import PdfPreviewDialog

    fid = _first(window)
    data = window.controller.read(render.render_filings, [fid])
    return PdfPreviewDialog(data, "备案登记表", window)


def profile(window) -> QWidget:
    from gzdesk.ui.settings_actions import ProfileDialog

    return ProfileDialog(window.controller, window)


def profile_editor(window) -> QWidget:
    from gzdesk.ui.profile_editor import ProfileEditor

    return ProfileEditor(window.controller, window)


def holidays(window) -> QWidget:
    from gzdesk.ui.settings_actions import HolidayDialog

    return HolidayDialog(window.controller, window)


def first_run(window) -> QWidget:
    from gzdesk.ui.first_run import FirstRunDialog

    return FirstRunDialog(window.controller, window)


def import_wizard(window) -> QWidget:
    from gzdesk.ui.import_wizard import ImportWizard

    return ImportWizard(window.controller, window)


def help_window(window) -> QWidget:
    from gzdesk.ui.help_window import HelpWindow, render_manual

    return HelpWindow(render_manual(window.controller.profile, "本单位"), window)


def snapshot_report(window) -> QWidget:
    from gzdesk.ui.snapshot_actions import ReportDialog

    return ReportDialog("合并结果", "已合并 2 个快照文件，共 30 项改动。", "\n".join(f"第{i}行" for i in range(60)), window)


def file_dialog(window) -> QWidget:
    from gzdesk.ui import files

    return files.make_dialog(window, "导出 Excel 台账", "save", files.EXCEL_FILTER)


DIALOGS: dict[str, Callable[[object], QWidget]] = {
    "account_editor": account_editor, "new_account": new_account, "person_picker": person_picker,
    "person_editor": person_editor, "unit_editor": unit_editor, "new_filing": new_filing,
    "change_filing": change_filing, "step": step, "announcement": announcement, "report": report,
    "merge": merge, "reason": reason, "preview": preview, "profile": profile, "profile_editor": profile_editor,
    "holidays": holidays,
    "first_run": first_run, "import_wizard": import_wizard, "help": help_window,
    "snapshot_report": snapshot_report, "file_dialog": file_dialog,
}


def is_dialog(widget: QWidget) -> bool:
    return isinstance(widget, QDialog)
