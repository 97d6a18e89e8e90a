"""Helpers shared by the subcommands: argument parsing in Chinese, opening the database, output."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.paths import default_db_path
from gzdesk.text import display_width

_TRANSLATIONS = [
    (r"the following arguments are required: (.*)", "缺少必填参数：{0}"),
    (r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.*)\)", "参数 {0} 的值“{1}”无效，可选：{2}"),
    (r"argument (\S+): invalid int value: '?([^']*)'?", "参数 {0} 应为整数，收到“{1}”"),
    (r"argument (\S+): expected one argument", "参数 {0} 需要一个值"),
    (r"argument (\S+): invalid (\w+) value: '?([^']*)'?", "参数 {0} 的值“{2}”无效"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"invalid choice: '?([^']*)'? \(choose from (.*)\)", "没有子命令“{0}”，可选：{1}"),
]


class ChineseHelpFormatter(argparse.HelpFormatter):
    """``用法：`` instead of ``usage:``."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: D401 (argparse API)
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class CliParser(argparse.ArgumentParser):
    """ArgumentParser in Chinese whose errors are one Chinese line and exit code 1."""

    def __init__(self, *args, **kw):
        kw["add_help"] = False
        kw.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kw)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, template in _TRANSLATIONS:
            m = re.search(pattern, message)
            if m:
                message = template.format(*m.groups())
                break
        raise UserError(f"{message}（用 gzdesk {self.prog.split(' ', 1)[-1] if ' ' in self.prog else ''} --help 查看用法）".replace("gzdesk  --help", "gzdesk --help"))


def add_db_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    parser.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                        help=f"数据库文件（默认：{default_db_path()}）")
    parser.add_argument("--user", metavar="姓名", default=None if top else argparse.SUPPRESS,
                        help="以该用户登录（也可用环境变量 GZDESK_USER；密码取自环境变量 GZDESK_PASSWORD，"
                             "或在终端输入）")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_db(args: argparse.Namespace, *, create: bool = False) -> Database:
    """Open the database named by --db (it must exist unless ``create``) and log its user in.

    The user is ``--user`` or ``GZDESK_USER`` (see ``login``). A command that has to wait for the
    window or another command says so on stderr."""
    db = Database(db_path(args), create=create, on_wait=lambda message: print(message, file=sys.stderr))
    try:
        login(args, db)
    except BaseException:
        db.close()
        raise
    return db


def user_name(args: argparse.Namespace) -> str | None:
    """The user named by ``--user``, else by ``GZDESK_USER`` (None when neither)."""
    return (getattr(args, "user", None) or os.environ.get("GZDESK_USER") or "").strip() or None


def login(args: argparse.Namespace, db: Database) -> None:
    """Log in the user the command names. Without one, a database that has users still allows
    reading; every write is then refused in one line (``gzdesk.permissions``)."""
    name = user_name(args)
    if name is None:
        return
    if not db.has_users():
        if getattr(args, "user", None):
            raise UserError("本库尚未设置用户，无需 --user；如需启用登录，请先用 gzdesk users add 姓名 --role 管理员 "
                            "创建管理员")
        return  # GZDESK_USER set for other databases: this one has no users yet
    db.login(name, ask_password(f"用户“{name}”的密码：", "GZDESK_PASSWORD", f"用户“{name}”的密码"),
             note_login=False)


def ask_password(prompt: str, env: str, what: str, *, confirm: bool = False) -> str:
    """A password from the environment variable ``env``, else typed on the terminal (not shown).

    Never from a command-line argument (others on the PC can see those). With neither an
    environment variable nor a terminal, one line says how to give it."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"未提供{what}：请设置环境变量 {env}，或在终端中运行本命令以便输入")
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("请再输入一次：") != first:
        raise UserError("两次输入的密码不一致")
    return first


def parse_cli_date(text: str) -> date:
    from gzdesk.dates import parse_iso

    try:
        return parse_iso(text)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(type(value))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def _cell(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())  # a line break would break the table


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain table whose columns line up in a terminal with Chinese text (``display_width``)."""
    text_rows = [[_cell(v) for v in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in text_rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in text_rows:
        print(line(r))
