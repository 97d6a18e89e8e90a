"""文件 → 打印空白备案登记表…: choose a form template, see it in the preview, print or save it.

Filled forms and batch printing live on the 备案 page (``gzdesk.ui.filing_pages``), which uses the
same preview (``gzdesk.ui.pdf_preview``).
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from gzdesk import printing
from gzdesk.errors import UserError
from gzdesk.printing import list_templates, options


def choose_template(parent: QWidget, preferred: str | None = None) -> str | None:
    """Ask which form to print; the office profile's own form is offered first."""
    items = list_templates()
    items.sort(key=lambda t: (t.id != preferred, t.id))
    names = [t.name for t in items]
    name, ok = QInputDialog.getItem(parent, "打印空白备案登记表", "选择表格：", names, 0, False)
    if not ok:
        return None
    return items[names.index(name)].id


def blank_form_pdf(template_id: str, chain: list | None, opts: options.PrintOptions | None = None) -> bytes:
    """The blank form; for templates with an approval region, one block per step of ``chain``."""
    return printing.render_blank(template_id, chain, opts)  # reportlab imported now, not at start


def print_blank_form(window) -> None:
    preferred, chain = None, None
    try:
        profile = window.controller.profile
        preferred = profile.template_id
        chain = profile.chain  # titles with their signer labels (主要负责人签字 / 负责人签字)
    except UserError:
        pass
    template_id = choose_template(window, preferred)
    if template_id is None:
        return
    try:
        opts = window.controller.read(options.office_options, template_id)  # the profile's form title, 附件1, QR
        data = blank_form_pdf(template_id, chain, opts)
    except UserError as exc:
        QMessageBox.warning(window, "打印空白备案登记表", str(exc))
        return
    # pypdfium2 and Qt's printing support are loaded when a form is shown, not when the window opens
    from gzdesk.ui.pdf_preview import PdfPreviewDialog

    title = opts.title or next((t.title for t in list_templates() if t.id == template_id), template_id)
    PdfPreviewDialog(data, f"空白《{title}》", window).exec()


def install(window) -> None:
    menu = window.menu("文件")
    action = QAction("打印空白备案登记表…", window)
    action.setObjectName("print_blank_form")
    action.triggered.connect(lambda _=False: print_blank_form(window))
    quit_action = getattr(window, "quit_action", None)
    if quit_action is not None and quit_action in menu.actions():
        menu.insertAction(quit_action, action)
        menu.insertSeparator(quit_action)
    else:
        menu.addAction(action)
    window.print_blank_action = action
