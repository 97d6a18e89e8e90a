"""Issue 8: the short version of scripts/fuzz_workbooks.py — mutated workbooks and CSVs through
``import-excel --dry-run`` and a real import: exit 0 or 1 only, no traceback, one line for a
refusal, the database unchanged after a dry run or a refusal, integrity kept after an import.
(The full run, 2,000 cases: ``.venv/bin/python scripts/fuzz_workbooks.py``.)"""

from __future__ import annotations

from fuzz_books import fuzz


def test_sixty_mutated_files(tmp_path):
    results = fuzz.run_cases(60, seed=11, work=tmp_path, accounts=12)
    assert len(results) == 60
    problems = [f"case {r.case} ({r.file}, {r.what}): {r.problem}" for r in results if r.problem]
    assert not problems, "\n".join(problems)
    codes = {r.codes for r in results}
    assert (0, 0) in codes and (1, 1) in codes  # some imported, some refused: the run did both
