"""The Windows version resource of gzdesk.exe, made from the package version (build.spec uses it).

    .venv/bin/python scripts/windows_version.py [FILE]   # writes the file PyInstaller reads

Explorer shows these in the file's 属性 → 详细信息: 文件说明, 产品名称, 文件版本, 产品版本, 版权.
The numbers come from ``importlib.metadata.version("gzdesk")`` — pyproject.toml's one version.
The file is PyInstaller's text form of a version resource (``VSVersionInfo(...)``, read by
``PyInstaller.utils.win32.versioninfo.load_version_info_from_text_file``); it is written here
as text because PyInstaller's own classes import Windows-only modules.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import version as package_version
from pathlib import Path

TITLE = "政务新媒体备案管理"
LANGUAGE, CODEPAGE = 0x0804, 1200  # 中文（中华人民共和国）, Unicode


def numbers(text: str) -> tuple[int, int, int, int]:
    """'0.1.0' → (0, 1, 0, 0); a pre-release or local part is dropped ('1.2.0rc1+g12' → 1.2.0.0)."""
    release = re.match(r"[\d.]*\d", text)
    parts = [int(p) for p in release.group(0).split(".")][:4] if release else []
    a, b, c, d = (parts + [0, 0, 0, 0])[:4]
    return a, b, c, d


def strings(text: str) -> list[tuple[str, str]]:
    return [
        ("CompanyName", "gzdesk"),
        ("FileDescription", TITLE),
        ("FileVersion", text),
        ("InternalName", "gzdesk"),
        ("LegalCopyright", "MIT License"),
        ("OriginalFilename", "gzdesk.exe"),
        ("ProductName", f"{TITLE}（gzdesk）"),
        ("ProductVersion", text),
    ]


def version_text(text: str | None = None) -> str:
    text = text or package_version("gzdesk")
    nums = numbers(text)
    table = ",\n        ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings(text))
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(filevers={nums}, prodvers={nums}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('{LANGUAGE:04x}{CODEPAGE:04x}', [
        {table}])]),
    VarFileInfo([VarStruct('Translation', [{LANGUAGE}, {CODEPAGE}])])
  ]
)
"""


def write_version_file(path: Path, text: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_text(text), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_version_file(Path(sys.argv[1] if len(sys.argv) > 1 else "build/file_version_info.txt")))
