"""The checks the project claims are part of the test run: ruff (lint) and mypy (types).

Both read their settings from pyproject.toml; a failure shows the tool's own report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    """The tool installed beside this Python (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run([_tool("ruff"), "check", "--no-cache", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors():
    result = _run([_tool("mypy"), "--no-error-summary"])  # files and settings: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
