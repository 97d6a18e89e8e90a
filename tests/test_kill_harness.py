"""A short run of scripts/kill_harness.py: SIGKILL in the middle of an import, a merge, an approval
step and a migration leaves each whole or absent, with integrity_check and verify ok (the full run,
160 kills, is ``python scripts/kill_harness.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "scripts" / "kill_harness.py"


@pytest.mark.slow
def test_kills_leave_every_write_whole_or_absent(tmp_path):
    spec = importlib.util.spec_from_file_location("kill_harness", HARNESS)
    harness = importlib.util.module_from_spec(spec)
    sys.modules["kill_harness"] = harness  # dataclasses look their module up there
    spec.loader.exec_module(harness)
    said: list[str] = []
    summary = harness.run(kills=2, seed=11, work=tmp_path, say=said.append, scale=0.3)
    assert set(summary) == {"import", "merge", "step", "migrate"}, said
    assert all(sum(c.values()) == 2 for c in summary.values()), summary
