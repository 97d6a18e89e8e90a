"""Choosing files, and what to do with a file just written: one place for the whole window.

The file dialogs are Qt's own (non-native) dialog, all in Chinese: its labels (查找范围、文件名、文件类型),
the type column (文件夹, XLSX 文件), sizes and dates as 2026年12月1日 10:27 — Qt's translation leaves
"Look in", "Files of type" and "Folder", and dates follow the system locale ("1 12 2026"). They start
in the folder used last, else 文档, else 桌面, never the program's own folder. The native dialog of
the desktop is not used: on Linux it differs from desktop to desktop and cannot be told to speak
Chinese, and the window's database lock does not depend on it (see ``gzdesk.dblock``).

``show_saved`` is the message after an export or a report: 打开文件 / 打开所在文件夹 / 关闭.

Tests replace ``ask_open_file`` / ``ask_open_files`` / ``ask_save_file`` / ``ask_folder`` and
``open_path`` / ``open_folder`` on this module (callers use ``files.ask_save_file(...)``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDir,
    QFileInfo,
    QIdentityProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QFileSystemModel, QMessageBox, QTreeView, QWidget

from gzdesk.paths import data_dir

LAST_FOLDER_KEY = "files/last_folder"
EXCEL_FILTER = "Excel 工作簿 (*.xlsx)"
PDF_FILTER = "PDF 文件 (*.pdf)"
ALL_FILES = "所有文件 (*)"
HEADERS = ("名称", "大小", "类型", "修改日期")


def _settings() -> QSettings:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(Path(folder) / "window.ini"), QSettings.Format.IniFormat)


def start_folder() -> Path:
    """The folder a file dialog opens in: the last one used, else 文档, else 桌面, else the home folder."""
    last = _settings().value(LAST_FOLDER_KEY)
    candidates = [Path(last)] if isinstance(last, str) and last else []
    for location in (QStandardPaths.StandardLocation.DocumentsLocation,
                     QStandardPaths.StandardLocation.DesktopLocation):
        place = QStandardPaths.writableLocation(location)
        if place:
            candidates.append(Path(place))
    candidates.append(Path.home())
    return next((c for c in candidates if c.is_dir()), Path.home())


def remember_folder(path: str | Path) -> None:
    """The next dialog starts where this file is (or in this folder)."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    s = _settings()
    s.setValue(LAST_FOLDER_KEY, str(folder))
    s.sync()


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if size >= 10 else f"{size:.1f} {unit}"
    return ""  # pragma: no cover


class ChineseFileModel(QIdentityProxyModel):
    """The file dialog's list with Chinese headers, types, sizes and dates (2026年12月1日 10:27)."""

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self.sourceModel()
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and isinstance(source, QFileSystemModel) \
                and index.column() in (1, 2, 3):
            src = self.mapToSource(index)
            info: QFileInfo = source.fileInfo(src)
            if index.column() == 1:
                return "" if info.isDir() else size_text(info.size())
            if index.column() == 2:
                if info.isDir():
                    return "文件夹"
                suffix = info.suffix().upper()
                return f"{suffix} 文件" if suffix else "文件"
            when = info.lastModified()
            if not when.isValid():
                return ""
            d, t = when.date(), when.time()
            return f"{d.year()}年{d.month()}月{d.day()}日 {t.hour():02d}:{t.minute():02d}"
        return super().data(index, role)


def make_dialog(parent: QWidget | None, title: str, mode: str, name_filter: str = "",
                start: str | Path | None = None) -> QFileDialog:
    """A Chinese file dialog: ``mode`` is "open", "open_many", "save" or "folder"."""
    folder = Path(start) if start else start_folder()
    if start and not folder.is_dir():  # a suggested file name with its folder
        folder = folder.parent if folder.parent.is_dir() else start_folder()
    dialog = QFileDialog(parent, title, str(folder), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.setProxyModel(ChineseFileModel(dialog))
    accept = {"open": "打开", "open_many": "打开", "save": "保存", "folder": "选择文件夹"}[mode]
    for label, text in ((QFileDialog.DialogLabel.LookIn, "查找范围："),
                        (QFileDialog.DialogLabel.FileName, "文件夹：" if mode == "folder" else "文件名："),
                        (QFileDialog.DialogLabel.FileType, "文件类型："),
                        (QFileDialog.DialogLabel.Accept, accept),
                        (QFileDialog.DialogLabel.Reject, "取消")):
        dialog.setLabelText(label, text)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles if mode == "open_many"
                           else QFileDialog.FileMode.ExistingFile)
    places = [QUrl.fromLocalFile(QDir.homePath())]
    for location in (QStandardPaths.StandardLocation.DesktopLocation,
                     QStandardPaths.StandardLocation.DocumentsLocation):
        place = QStandardPaths.writableLocation(location)
        if place and Path(place).is_dir():
            places.append(QUrl.fromLocalFile(place))
    dialog.setSidebarUrls([QUrl("file:"), *places])
    from gzdesk.ui.widgets import fit_to_screen

    fit_to_screen(dialog, 900, 560)
    tree = dialog.findChild(QTreeView, "treeView")
    if tree is not None:  # room for 2026年12月1日 10:27
        for column, width in enumerate((380, 90, 90, 170)):
            tree.header().resizeSection(column, width)
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        chosen = dialog.selectedFiles()
    finally:
        dialog.deleteLater()
    if chosen:
        remember_folder(chosen[0])
    return chosen


def ask_open_file(parent: QWidget | None, title: str, name_filter: str = ALL_FILES,
                  start: str | Path | None = None) -> str | None:
    chosen = _run(make_dialog(parent, title, "open", name_filter, start))
    return chosen[0] if chosen else None


def ask_open_files(parent: QWidget | None, title: str, name_filter: str = ALL_FILES,
                   start: str | Path | None = None) -> list[str]:
    return _run(make_dialog(parent, title, "open_many", name_filter, start))


def _suffixes(name_filter: str) -> list[str]:
    """.pdf, .xlsx … named by a filter such as "PDF (*.pdf);;Excel 工作簿 (*.xlsx)"."""
    return [s.lower() for s in re.findall(r"\*(\.[A-Za-z0-9]+)", name_filter)]


def ask_save_file(parent: QWidget | None, title: str, suggested_name: str, name_filter: str,
                  start: str | Path | None = None) -> str | None:
    """A file to write. A name typed without one of the filter's suffixes gets the suffix of the
    file type chosen (PDF or Excel where both are offered), else that of ``suggested_name``."""
    dialog = make_dialog(parent, title, "save", name_filter, start)
    suffix = Path(suggested_name).suffix
    if suffix:
        dialog.setDefaultSuffix(suffix.lstrip("."))
        for f in name_filter.split(";;"):  # the suggested name's type chosen first
            if suffix.lower() in _suffixes(f):
                dialog.selectNameFilter(f)
                break

    def type_chosen(f: str) -> None:
        found = _suffixes(f)
        if found:
            dialog.setDefaultSuffix(found[0].lstrip("."))
            name = Path(suggested_name).stem + found[0]
            dialog.selectFile(name)

    dialog.filterSelected.connect(type_chosen)
    dialog.selectFile(Path(suggested_name).name)
    chosen = _run(dialog)
    if not chosen:
        return None
    path = chosen[0]
    allowed = _suffixes(name_filter)
    if allowed and Path(path).suffix.lower() not in allowed:
        picked = _suffixes(dialog.selectedNameFilter())
        path += picked[0] if picked else (suffix or allowed[0])
    return path


def ask_folder(parent: QWidget | None, title: str, start: str | Path | None = None) -> str | None:
    chosen = _run(make_dialog(parent, title, "folder", "", start))
    return chosen[0] if chosen else None


# --------------------------------------------------------------------------- after writing a file


def open_path(path: str | Path) -> bool:
    """Open a file with the program the system uses for it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_folder(path: str | Path) -> bool:
    """Show the folder of ``path`` (on Windows with the file selected)."""
    p = Path(path)
    if sys.platform.startswith("win") and p.exists():
        try:
            subprocess.Popen(["explorer", "/select,", os.path.normpath(str(p))])  # noqa: S603, S607
            return True
        except OSError:
            pass
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(p if p.is_dir() else p.parent)))


def saved_box(parent: QWidget | None, title: str, text: str, path: str | Path) -> QMessageBox:
    """The message after a file was written, with 打开文件 / 打开所在文件夹 / 关闭 (see ``show_saved``)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, f"{text}\n\n{path}", QMessageBox.StandardButton.NoButton,
                      parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    open_file = box.addButton("打开文件", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole).setObjectName("openFolder")
    close = box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    open_file.setObjectName("openFile")
    box.setDefaultButton(open_file)
    box.setEscapeButton(close)
    return box


def show_saved(parent: QWidget | None, title: str, text: str, path: str | Path) -> str:
    """Tell the clerk where the file is and open it or its folder on request.

    Returns "file", "folder" or "" (closed)."""
    box = saved_box(parent, title, text, path)
    try:
        box.exec()
        clicked = box.clickedButton()
        name = clicked.objectName() if clicked is not None else ""
    finally:
        box.deleteLater()
    if name == "openFile":
        open_path(path)
        return "file"
    if name == "openFolder":
        open_folder(path)
        return "folder"
    return ""
