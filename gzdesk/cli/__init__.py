"""The ``gzdesk`` command: with no subcommand it opens the window; otherwise it runs headless.

Each ``gzdesk/cli/cmd_*.py`` module registers its subcommands with ``register(subparsers)``; they
are found automatically, so adding a command is adding a module. Every command prints Chinese for
people (``--json`` for scripts where it lists things) and exits 0 on success, 1 on a user error
with one line of reason. An unexpected error prints one line too and writes its traceback to the
log in the data folder.
"""

from __future__ import annotations

import argparse
import importlib
import io
import pkgutil
import sys
import traceback
from datetime import datetime

from gzdesk import APP_TITLE, __version__
from gzdesk.cli.common import CliParser, add_db_option
from gzdesk.errors import UserError

COMMAND_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="gzdesk", description=f"{APP_TITLE}（gzdesk {__version__}）。不带子命令时打开窗口。")
    parser.add_argument("--version", action="version", version=f"gzdesk {__version__}", help="显示版本号并退出")
    add_db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=CliParser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def _reconfigure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not a test's capture, nor None in a windowed build
            try:
                stream.reconfigure(encoding="utf-8")
            except ValueError:
                pass


def main(argv: list[str] | None = None) -> int:
    _reconfigure_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            from gzdesk.ui.app import run_window  # Qt only when a window is wanted

            return run_window(args.db)
        return int(args.func(args) or 0)
    except UserError as exc:
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
        log = _write_crash_log()
        print(f"内部错误：{type(exc).__name__}: {exc}（详情见 {log}）", file=sys.stderr)
        return 2


def _write_crash_log() -> str:
    from gzdesk.paths import data_dir

    try:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "gzdesk-error.log"
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now().isoformat(timespec='seconds')} {' '.join(sys.argv)}\n")
            f.write(traceback.format_exc())
        return str(path)
    except OSError:
        return "（无法写入日志）"
