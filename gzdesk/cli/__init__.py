"""The ``gzdesk`` command: with no subcommand it opens the window; otherwise it runs headless.

Each ``gzdesk/cli/cmd_*.py`` module registers its subcommands with ``register(subparsers)``; they
are found automatically, so adding a command is adding a module. Every command prints Chinese for
people (``--json`` for scripts where it lists things) and exits 0 on success, 1 on a user error
with one line of reason. An unexpected error prints one line too and writes its traceback to the
log in the data folder (``gzdesk.logs``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import sys

from gzdesk import APP_TITLE, __version__
from gzdesk.cli.common import CliParser, add_db_option, db_path
from gzdesk.errors import UserError
from gzdesk.logs import environment, setup_logging
from gzdesk.paths import default_db_path

log = logging.getLogger(__name__)

# Written out, not discovered: a frozen build lists no modules it did not collect, and a command
# would silently vanish from it. tests/test_cli_basic.py checks this against the files of gzdesk/cli/.
COMMAND_MODULES = (
    "cmd_accounts",
    "cmd_assess",
    "cmd_backup",
    "cmd_check",
    "cmd_demo",
    "cmd_due",
    "cmd_excel",
    "cmd_fake",
    "cmd_filing",
    "cmd_form",
    "cmd_holidays",
    "cmd_inspection",
    "cmd_objection",
    "cmd_office",
    "cmd_rectify",
    "cmd_replies",
    "cmd_report",
    "cmd_snapshot",
    "cmd_users",
    "cmd_workdays",
)


# Which module registers each subcommand, so that ``gzdesk check …`` imports cmd_check alone and not
# every command's domain modules and libraries (reportlab, the Excel readers…: ~0.5 s of start-up).
# A subcommand missing here still works (the whole parser is built); tests/test_cli_basic.py checks
# this table against what the modules register.
COMMAND_OF = {
    "accounts": "cmd_accounts",
    "assess": "cmd_assess",
    "backup": "cmd_backup", "restore": "cmd_backup", "verify": "cmd_backup",
    "check": "cmd_check",
    "demo": "cmd_demo",
    "due": "cmd_due",
    "export-excel": "cmd_excel", "import-excel": "cmd_excel",
    "fake": "cmd_fake",
    "filing": "cmd_filing",
    "form": "cmd_form",
    "holidays": "cmd_holidays",
    "inspection": "cmd_inspection",
    "objection": "cmd_objection",
    "init": "cmd_office", "profiles": "cmd_office",
    "rectify": "cmd_rectify",
    "replies": "cmd_replies",
    "report": "cmd_report",
    "snapshot": "cmd_snapshot",
    "users": "cmd_users",
    "workdays": "cmd_workdays",
}


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser with the subcommands of ``modules`` (all of them unless told)."""
    parser = CliParser(prog="gzdesk", description=f"{APP_TITLE}（gzdesk {__version__}）。不带子命令时打开窗口。")
    parser.add_argument("--version", action="version", version=f"gzdesk {__version__}", help="显示版本号并退出")
    parser.add_argument("--self-test", action="store_true",
                        help="检查本程序能否正常工作（数据库、登记表打印、Excel、界面翻译和图标）后退出")
    add_db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=CliParser)
    for name in modules:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def _modules_for(argv: list[str] | None) -> tuple[str, ...]:
    """The one command module ``argv`` needs; none for the window (no subcommand, nothing else on
    the line); all of them where the whole parser answers with the list of subcommands
    (``--help``, a word that is not a subcommand, an unknown option)."""
    pre = argparse.ArgumentParser(add_help=False, exit_on_error=False)  # the top-level options, as below
    pre.add_argument("--version", action="store_true")
    pre.add_argument("--self-test", action="store_true")
    add_db_option(pre, top=True)
    pre.add_argument("command", nargs="?")
    try:
        known, _rest = pre.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):  # e.g. --db with no value: the whole parser says so
        return COMMAND_MODULES
    if known.command is None and not _rest and not known.version:
        return ()  # the window (or --self-test): no subcommand's modules (~0.3 s of the window's start)
    module = COMMAND_OF.get(known.command or "")
    return (module,) if module in COMMAND_MODULES else COMMAND_MODULES


def _reconfigure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not a test's capture, nor None in a windowed build
            try:
                stream.reconfigure(encoding="utf-8")
            except ValueError:
                pass


def main(argv: list[str] | None = None) -> int:
    _reconfigure_streams()
    parser = build_parser(_modules_for(sys.argv[1:] if argv is None else argv))
    args: argparse.Namespace | None = None
    try:
        args = parser.parse_args(argv)
        if args.self_test:
            from gzdesk.cli.self_test import run_self_test

            return run_self_test()
        if getattr(args, "func", None) is None:
            return _open_window(args.db)
        setup_logging("cli")
        log.info("gzdesk %s", " ".join(sys.argv[1:] if argv is None else argv))
        return int(args.func(args) or 0)
    except UserError as exc:
        log.info("未执行：%s", exc.message)
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except Exception as exc:  # a bug: one line for the person, the traceback to the log
        told = _storage_failure(exc, args)
        if told is not None:  # the database's disk, not the program: full, read-only, locked, pulled out
            log.warning("未执行：%s（%s）", told.message, exc)
            print(f"错误：{told.message}", file=sys.stderr)
            return 1
        where = _write_crash_log()
        print(f"内部错误：{type(exc).__name__}: {exc}（详情见 {where}）", file=sys.stderr)
        return 2


def _open_window(db: str | None) -> int:
    """The window: first make sure there is a screen (Qt would abort the process without one)."""
    from gzdesk.ui.display import display_problem  # imports no Qt

    problem = display_problem()
    if problem:
        raise UserError(problem)
    try:
        from gzdesk.ui.app import run_window  # Qt only when a window is wanted
    except ImportError as exc:  # Qt's system libraries missing (libEGL, libxkbcommon…)
        raise UserError(f"无法打开窗口：缺少图形界面所需的系统库（{exc}）；命令行子命令仍可使用（gzdesk --help）") from None
    return run_window(db)


def _storage_failure(exc: BaseException, args: argparse.Namespace | None) -> UserError | None:
    """A database failure that reached the top without being explained on its way (one line)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    from gzdesk import storage_errors

    if not isinstance(exc, (sqlite3.Error, DBAPIError)):
        return None  # a file the command writes explains itself; anything else is a bug
    return storage_errors.explain(exc, db_path(args) if args is not None else default_db_path())


def _write_crash_log() -> str:
    """Log the error being handled with its traceback; the log's path for the one-line message."""
    path = setup_logging("cli")
    if path is None:
        return "（无法写入日志）"
    log.exception("内部错误（%s）", environment())
    return str(path)
