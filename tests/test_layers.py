"""Architecture guards: the domain never imports Qt; widgets never touch the database."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "gzdesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_outside_the_ui_package():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "ui" in path.relative_to(ROOT).parts[:1]:
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_ui_runs_no_sql_and_holds_no_session():
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        for name in _imports(path):
            if name.split(".")[0] in ("sqlalchemy", "sqlite3") or name.startswith("gzdesk.models"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
        text = path.read_text(encoding="utf-8")
        for marker in (".execute(", ".scalars(", ".scalar(", "session.query", "Session("):
            if marker in text:
                offenders.append(f"{path.relative_to(ROOT)} uses {marker}")
        if path.name != "controller.py":  # the door: only it opens sessions and transactions
            for marker in (".reader(", ".transaction(", "sessionmaker", ".engine"):
                if marker in text:
                    offenders.append(f"{path.relative_to(ROOT)} opens its own session ({marker})")
    assert not offenders, offenders


def test_the_domain_imports_cleanly_without_qt():
    """Import every domain module in a fresh interpreter that refuses to load Qt."""
    import subprocess
    import sys

    code = (
        "import importlib, pkgutil, sys\n"
        "class B:\n"
        "    def find_spec(self, name, *a):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt imported by the domain: ' + name)\n"
        "sys.meta_path.insert(0, B())\n"
        "import gzdesk\n"
        "for info in pkgutil.walk_packages(gzdesk.__path__, 'gzdesk.'):\n"
        "    if info.name.startswith('gzdesk.ui') or info.name == 'gzdesk.__main__':\n"
        "        continue\n"
        "    importlib.import_module(info.name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_filing_modules_import_each_other_one_way():
    """gzdesk/filings.py and the modules split from it form layers (filing_kinds below
    filing_changes / filing_decisions / filing_scans, below filings, below filing_announcements):
    no import among them, at the top of a file or inside a function, closes a cycle."""
    modules = {p.stem: _imports(p) for p in ROOT.glob("filing*.py")}
    assert {"filings", "filing_kinds", "filing_changes", "filing_decisions", "filing_scans",
            "filing_announcements"} <= set(modules)
    below = {name: {m for m in modules if f"gzdesk.{m}" in imports and m != name}
             for name, imports in modules.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for m in below[start] - seen:
            if m == goal or reaches(m, goal, seen | {m}):
                return True
        return False

    cycles = sorted(name for name in below if reaches(name, name, set()))
    assert not cycles, f"import cycle among {cycles}: {below}"
