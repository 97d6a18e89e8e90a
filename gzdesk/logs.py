"""The program's log: stdlib ``logging`` to a rotating file in the data folder.

The window writes ``logs/gzdesk.log``, the command line ``logs/gzdesk-cli.log`` (two files, so
that a long-running window holding its file open never stops a command from rotating its own).
Each keeps 5 files of 1 MB. What goes in: each start (version, platform, database), schema
upgrades with their backup copy, refusals (``UserError``) at INFO, and every unexpected error
with its traceback — the details a clerk copies for whoever supports the program.

``setup_logging`` is the one place that configures it; modules log with
``logging.getLogger(__name__)`` (all under ``gzdesk``).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from gzdesk import __version__
from gzdesk.paths import data_dir

LOGGER = "gzdesk"
FILES = {"window": "gzdesk.log", "cli": "gzdesk-cli.log"}
MAX_BYTES = 1_000_000
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


# Without a handler of its own, an error logged before setup would reach logging's last-resort
# handler and print a traceback on the console; a person never sees one.
logging.getLogger(LOGGER).addHandler(logging.NullHandler())


def log_file(kind: str = "cli") -> Path:
    """Where ``kind`` ("window" or "cli") logs, in the current data folder."""
    return data_dir() / "logs" / FILES[kind]


def setup_logging(kind: str = "cli") -> Path | None:
    """Send the ``gzdesk`` loggers to the rotating file of ``kind``; the file's path, or None when
    the data folder cannot be written (then nothing is logged, and nothing fails because of it).

    Called again — by tests, or after ``GZDESK_HOME`` changed — it replaces its own handler.
    """
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    path = log_file(kind)
    for handler in list(logger.handlers):
        if getattr(handler, "gzdesk_log", False):
            if getattr(handler, "baseFilename", None) == os.path.abspath(path):
                return path
            logger.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8")  # opened now: fails here, not later
    except OSError:
        return None
    handler.gzdesk_log = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    return path


def stop_logging() -> None:
    """Close the log file (tests, and anything that must let go of the data folder)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "gzdesk_log", False):
            logger.removeHandler(handler)
            handler.close()


def environment() -> str:
    """One line naming this program and where it runs (the head of every report)."""
    return f"{_program()}；{_system()}"


def _program() -> str:
    frozen = "，打包版" if getattr(sys, "frozen", False) else ""
    qt = sys.modules.get("PySide6")  # named only when the window loaded it (the domain imports no Qt)
    qt_text = f"；PySide6 {getattr(qt, '__version__', '?')}" if qt is not None else ""
    return f"gzdesk {__version__}{frozen}；Python {platform.python_version()}{qt_text}"


def _system() -> str:
    return f"{platform.platform()}；{platform.machine() or '?'}"


def error_report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
                 db_path: Path | str | None = None) -> str:
    """The text a clerk copies for support: program, platform, database, time, traceback."""
    lines = [f"程序：{_program()}",
             f"系统：{_system()}",
             f"数据库：{db_path if db_path is not None else '（未打开）'}",
             f"时间：{datetime.now().isoformat(sep=' ', timespec='seconds')}",
             "",
             "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()]
    return "\n".join(lines)
