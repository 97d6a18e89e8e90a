"""Issue 8 items 5 and 9 in the window: the import wizard meets a hostile or unreadable file, says
why in its message box, stays on its first page, and the window lives on to import a good file.
(Before the fix the far-cell workbook aborted the whole process from the wizard's preview.)"""

from __future__ import annotations

import pytest
from fuzz_books import fuzz
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from gzdesk import demo
from gzdesk.exchange import safe_read
from gzdesk.exchange.read_limits import GiB, ReadLimits
from gzdesk.models import Account
from gzdesk.ui import background, excel_actions, import_wizard
from gzdesk.ui.controller import Controller
from gzdesk.ui.import_wizard import ImportWizard


class _Boxes:
    said: list[str] = []

    @classmethod
    def warning(cls, _parent, title, text):
        cls.said.append(f"{title}：{text}")

    information = warning


@pytest.fixture(autouse=True)
def quiet_boxes(monkeypatch):
    _Boxes.said = []
    monkeypatch.setattr(import_wizard, "QMessageBox", _Boxes)
    return _Boxes


def _open(qtbot, db, path) -> ImportWizard:
    wizard = ImportWizard(Controller(db), path=str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    return wizard


def _good_file(tmp_path):
    path = tmp_path / "好.xlsx"
    path.write_bytes(fuzz.xlsx_bytes({"台账": fuzz.sheet_xml([["账号名称", "平台", "主办单位"],
                                                             ["测试发布", "抖音", "测试县教育局"]])}))
    return path


def _count(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count(Account.id)))


@pytest.mark.parametrize("make,words", [
    (lambda: fuzz.far_cell_xlsx(), "XFD1048576"),
    (lambda: fuzz.zip_bomb_xlsx(16 * 1024 * 1024), "压缩炸弹"),
    (lambda: fuzz.encrypted_xlsx(), "打开密码"),
    (lambda: b"<html><body><table><tr><td>x</td></tr></table></body></html>", "网页（HTML）"),
])
def test_wizard_refuses_hostile_files_and_goes_on(qtbot, db, tmp_path, make, words):
    bad = tmp_path / "台账.xlsx"
    bad.write_bytes(make())
    wizard = _open(qtbot, db, bad)
    assert wizard.currentPage() is wizard.file_page and wizard.isVisible()
    assert len(_Boxes.said) == 1 and words in _Boxes.said[0], _Boxes.said
    wizard.file_page.path_edit.setText(str(_good_file(tmp_path)))
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page


def test_wizard_survives_an_abort_of_the_reader(qtbot, db, tmp_path, monkeypatch):
    """Checks relaxed: calamine really aborts (in the reading process) and the window does not."""
    monkeypatch.setattr(safe_read, "DEFAULT_LIMITS",
                        ReadLimits(max_sheet_cells=10**12, max_book_cells=10**12, memory_bytes=1 * GiB))
    bad = tmp_path / "远.xlsx"
    bad.write_bytes(fuzz.far_cell_xlsx())
    before = _count(db)
    wizard = _open(qtbot, db, bad)
    assert wizard.currentPage() is wizard.file_page and wizard.isVisible()
    assert any("文件无法读取" in s and "内存" in s for s in _Boxes.said), _Boxes.said
    wizard.file_page.path_edit.setText(str(_good_file(tmp_path)))
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    assert _count(db) == before + 1


def test_wizard_reads_a_big5_csv_and_says_why_its_header_is_not_found(qtbot, db, tmp_path):
    path = tmp_path / "繁体.csv"
    path.write_bytes("帳號名稱,平台,主辦單位\n測試發布,抖音,測試縣教育局\n".encode("cp950"))
    wizard = _open(qtbot, db, path)
    assert wizard.currentPage() is wizard.file_page
    assert any("Big5" in s for s in _Boxes.said), _Boxes.said


# --------------------------------------------------------------------------- the window's exports


class _Window(QWidget):
    """What export_registry needs of the main window."""

    def __init__(self, db):
        super().__init__()
        self.controller = Controller(db)
        self.messages: list[str] = []

    def status_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.messages.append(text)


@pytest.fixture
def boxes_in_actions(monkeypatch):
    monkeypatch.setattr(excel_actions, "QMessageBox", _Boxes)
    return _Boxes


def test_window_export_says_read_only_and_long_text(qtbot, db, tmp_path, boxes_in_actions):
    demo.generate(db, 3, seed=1)
    window = _Window(db)
    qtbot.addWidget(window)
    target = tmp_path / "只读.xlsx"
    target.write_bytes(b"keep")
    target.chmod(0o444)
    assert excel_actions.export_registry(window, target) is None
    assert any("只读" in s for s in _Boxes.said) and target.read_bytes() == b"keep"
    with db.transaction() as s:
        s.scalars(select(Account).order_by(Account.id)).first().intro = "简介" * 20000
    _Boxes.said.clear()
    result = excel_actions.export_registry(window, tmp_path / "长.xlsx")
    assert result is not None and len(result.long_texts) == 1
    assert len(_Boxes.said) == 1 and "超长文本" in _Boxes.said[0] and "40,000 字" in _Boxes.said[0]


def test_cancel_while_reading_kills_the_reader_and_stays(qtbot, db, tmp_path, monkeypatch):
    monkeypatch.setattr(background.ProgressRunner, "callback", lambda self, done, total: False)
    wizard = _open(qtbot, db, _good_file(tmp_path))
    assert wizard.currentPage() is wizard.file_page and _Boxes.said == []
    monkeypatch.undo()
    monkeypatch.setattr(import_wizard, "QMessageBox", _Boxes)
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
