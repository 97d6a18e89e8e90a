"""``gzdesk --self-test``: run every check of ``gzdesk.selftest`` and ``gzdesk.ui.selftest`` in a
temporary folder; one Chinese line, exit 0 when all pass, 1 naming the step that failed."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from gzdesk import __version__
from gzdesk.logs import setup_logging
from gzdesk.selftest import STEPS, Step

log = logging.getLogger(__name__)


def _window_steps() -> list[Step]:
    try:
        from gzdesk.ui.selftest import STEPS as UI_STEPS
    except ImportError as exc:  # Qt itself missing or broken: that is the finding
        def missing(_work: Path, exc: ImportError = exc) -> str:
            raise RuntimeError(f"界面组件无法加载：{exc}")

        return [("界面组件", missing)]
    return list(UI_STEPS)


def run_self_test() -> int:
    log_path = setup_logging("cli")
    steps = [*STEPS, *_window_steps()]
    done: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gzdesk-selftest-") as tmp:
        for number, (name, check) in enumerate(steps, start=1):
            try:
                done.append(check(Path(tmp)))
            except Exception as exc:  # the step failed: name it, the details to the log
                log.exception("自检第 %d 步“%s”失败", number, name)
                where = f"（详情见 {log_path}）" if log_path else ""
                print(f"自检失败：第 {number} 步“{name}”：{exc}{where}", file=sys.stderr)
                return 1
    print(f"自检通过（gzdesk {__version__}）：{'、'.join(done)}")
    return 0
