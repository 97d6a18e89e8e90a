"""File dialogs in Chinese, starting in the last folder; the 打开文件 / 打开所在文件夹 message after a save."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QTreeView

from gzdesk.ui import files

ROOT = Path(__file__).resolve().parent.parent / "gzdesk"


def _when_modal(qtbot, act):
    """Run ``act(widget)`` on the next modal dialog once it is shown."""

    def poll():
        w = QApplication.activeModalWidget()
        if w is None:
            QTimer.singleShot(20, poll)
            return
        act(w)

    QTimer.singleShot(0, poll)


def test_labels_types_and_dates_are_chinese(qtbot, tmp_path):
    (tmp_path / "子文件夹").mkdir()
    (tmp_path / "台账.xlsx").write_bytes(b"x" * 2048)
    dialog = files.make_dialog(None, "选择台账文件", "open", files.EXCEL_FILTER, tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围："
    assert dialog.labelText(QFileDialog.DialogLabel.FileType) == "文件类型："
    assert dialog.labelText(QFileDialog.DialogLabel.FileName) == "文件名："
    assert dialog.labelText(QFileDialog.DialogLabel.Accept) == "打开"
    assert Path(dialog.directory().absolutePath()) == tmp_path
    dialog.show()
    tree = dialog.findChild(QTreeView, "treeView")
    model = tree.model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] \
        == ["名称", "大小", "类型", "修改日期"]
    root = tree.rootIndex()
    qtbot.waitUntil(lambda: model.rowCount(root) == 2, timeout=5000)
    rows = {model.index(r, 0, root).data(): [model.index(r, c, root).data() for c in (1, 2, 3)]
            for r in range(model.rowCount(root))}
    assert rows["子文件夹"][:2] == ["", "文件夹"]
    assert rows["台账.xlsx"][:2] == ["2.0 KB", "XLSX 文件"]
    for _size, _kind, when in rows.values():
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", when), when


def test_save_starts_in_the_last_folder_and_adds_the_suffix(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(files.QStandardPaths, "writableLocation", lambda _loc: str(tmp_path / "文档"))
    (tmp_path / "文档").mkdir()
    assert files.start_folder() == tmp_path / "文档"  # never the program's folder
    folder = tmp_path / "导出"
    folder.mkdir()
    seen = {}

    def answer(w):
        seen["dir"] = Path(w.directory().absolutePath())
        seen["name"] = w.findChild(QLineEdit, "fileNameEdit").text()
        w.setDirectory(str(folder))
        w.selectFile(str(folder / "台账"))
        w.accept()

    _when_modal(qtbot, answer)
    path = files.ask_save_file(None, "导出 Excel 台账", "本县台账.xlsx", files.EXCEL_FILTER)
    assert seen == {"dir": tmp_path / "文档", "name": "本县台账.xlsx"}
    assert path == str(folder / "台账.xlsx")
    assert files.start_folder() == folder  # the next dialog opens where the last file went


def test_show_saved_opens_the_file_or_its_folder(qtbot, tmp_path, monkeypatch):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"x")
    opened = []
    monkeypatch.setattr(files, "open_path", lambda p: opened.append(("file", Path(p))))
    monkeypatch.setattr(files, "open_folder", lambda p: opened.append(("folder", Path(p))))
    for button, expected in (("openFile", "file"), ("openFolder", "folder")):
        def click(w, name=button):
            assert isinstance(w, QMessageBox) and str(target) in w.text()
            assert [b.text() for b in w.buttons()].count("打开所在文件夹") == 1
            w.findChild(type(w.buttons()[0]), name).click()

        _when_modal(qtbot, click)
        assert files.show_saved(None, "导出 Excel 台账", "已导出台账。", target) == expected
    assert opened == [("file", target), ("folder", target)]


def test_no_window_code_calls_qt_file_dialogs_directly():
    """Every file dialog goes through gzdesk.ui.files (Chinese labels, the last folder)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py")
                 if p.name != "files.py" and re.search(r"QFileDialog\.get", p.read_text(encoding="utf-8"))]
    assert offenders == [], offenders
