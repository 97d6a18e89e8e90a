"""The window's part of ``gzdesk --self-test``: what a frozen build most often loses.

Qt's Chinese translations (the standard buttons say 取消), the program's icon (the PNG the window
shows, and the .ico of the Windows executable with its sizes, read through Qt's image plugin), and
the platform plugin that opens a window on this system. No window is opened, so the check also
runs without a screen.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo
from PySide6.QtGui import QImageReader

from gzdesk.ui.app import icon_file, qt_translators

PLATFORM_PLUGINS = {"win32": "qwindows", "darwin": "qcocoa"}  # else xcb (X11; Wayland also has its own)


def _core_app() -> QCoreApplication:
    return QCoreApplication.instance() or QCoreApplication(sys.argv[:1])


def check_translations(_work: Path) -> str:
    _core_app()
    translators = qt_translators()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translators:
        raise RuntimeError(f"找不到 Qt 的中文翻译 qtbase_zh_CN.qm（{folder}）")
    if not any(t.translate("QPlatformTheme", "Cancel") == "取消" for t in translators):
        raise RuntimeError("Qt 的中文翻译不能使用：标准按钮“Cancel”没有译成“取消”")
    return "界面中文翻译"


def check_icon(_work: Path) -> str:
    _core_app()
    for suffix, least in (("png", 1), ("ico", 5)):
        path = icon_file(suffix)
        reader = QImageReader(str(path))
        sizes = reader.imageCount()  # (0 once read)
        image = reader.read()
        if image.isNull():
            raise RuntimeError(f"图标 {path.name} 无法读取：{reader.errorString()}")
        if sizes < least:
            raise RuntimeError(f"图标 {path.name} 只有 {sizes} 种尺寸")
    return "程序图标"


def check_platform(_work: Path) -> str:
    name = PLATFORM_PLUGINS.get(sys.platform, "qxcb")
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    found = sorted(p.name for p in folder.glob(f"*{name}*")) if folder.is_dir() else []
    if not found:
        raise RuntimeError(f"缺少 Qt 窗口组件 {name}（{folder}），窗口无法打开")
    return "窗口组件"


STEPS = [
    ("界面中文翻译", check_translations),
    ("程序图标", check_icon),
    ("窗口组件", check_platform),
]
