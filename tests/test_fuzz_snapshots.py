"""A short run of scripts/fuzz_snapshots.py: mutated snapshots never abort, never print a traceback,
exit 0 or 1, and change nothing on a refusal (the full run: 2,000 cases, see the script)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fuzz_snapshots.py"


def _load():
    spec = importlib.util.spec_from_file_location("fuzz_snapshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_snapshots"] = module
    spec.loader.exec_module(module)
    return module


def test_sixty_mutated_snapshots(tmp_path):
    fuzz = _load()
    outcomes = fuzz.run(60, seed=11, folder=tmp_path, quiet=True, accounts=8)
    assert len(outcomes) == 60
    assert not [o for o in outcomes if o.problem], fuzz.summary(outcomes)
    # the run is not vacuous: files were refused, and some (valid values, re-sealed) were merged
    codes = {o.code for o in outcomes}
    assert codes == {0, 1}
    assert len({o.mutation for o in outcomes}) >= 10


def test_the_harness_notices_a_write_on_refusal(tmp_path):
    """A check that cannot fail is a defect: a refusal that changed the city is reported."""
    fuzz = _load()
    setup = fuzz.make_setup(tmp_path, accounts=3)
    city = tmp_path / "city.db"
    city.write_bytes(setup.empty_city.read_bytes())

    class Meddling:
        def run(self, argv):
            import sqlite3

            conn = sqlite3.connect(city)
            conn.execute("UPDATE unit SET notes = 'changed'")
            conn.commit()
            conn.close()
            return {"code": 1, "out": "", "err": "错误：拒绝\n"}

    code, problem = fuzz.check_case(Meddling(), setup, setup.snapshot, "merge", city)
    assert problem == "refused, but the city database changed"
    code, problem = fuzz.check_case(type("W", (), {"run": lambda self, a: {"code": 2, "out": "",
                                                                            "err": "内部错误：X\n"}})(),
                                    setup, setup.snapshot, "merge", city)
    assert problem.startswith("exit 2")
