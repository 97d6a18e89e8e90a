"""The builders of hostile and odd workbooks live in scripts/fuzz_workbooks.py (the fuzz run uses
them too); this imports that script as a module for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parent.parent / "scripts" / "fuzz_workbooks.py"
_spec = importlib.util.spec_from_file_location("fuzz_workbooks", _PATH)
fuzz = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fuzz_workbooks", fuzz)
_spec.loader.exec_module(fuzz)

db_digest = fuzz.db_digest
