"""bench/run.py runs end to end at a tiny scale and writes its table (no time is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_run_writes_its_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "20", "--repeat", "1",
                    "--only", "merge,snapshot", "--cache", str(tmp_path / "cache"), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=120)
    text = out.read_text(encoding="utf-8")
    assert "| snapshot export | 20 |" in text and "SQLite backup API" in text
    assert "merge of scale/2,000 county snapshots" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "×" in line]
    assert len(rows) == 2
