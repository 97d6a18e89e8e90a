"""Users on the command line: ``init --admin``, ``users …``, ``--user`` / ``GZDESK_USER`` / ``GZDESK_PASSWORD``."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from gzdesk.cli import main

ADMIN_PW, CLERK_PW, REVIEW_PW, VIEW_PW = "admin-pass-1", "clerk-pass-1", "review-pass-1", "viewer-pass-1"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_tty(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for name in ("GZDESK_USER", "GZDESK_PASSWORD", "GZDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def office(tmp_path, capsys, no_tty):
    """A database made with ``init --admin`` and one 经办人, 审核人 and 只读 added by the 管理员."""
    db = str(tmp_path / "office.db")
    no_tty.setenv("GZDESK_NEW_PASSWORD", ADMIN_PW)
    code, out, err = run(capsys, "init", "--unit", "测试县人民政府办公室", "--profile", "nantong", "--admin", "王管理",
                         "--db", db)
    assert code == 0, err
    assert "已创建管理员“王管理”" in out
    no_tty.setenv("GZDESK_PASSWORD", ADMIN_PW)
    for name, role, pw in (("李经办", "经办人", CLERK_PW), ("钱审核", "审核人", REVIEW_PW), ("赵只读", "只读", VIEW_PW)):
        no_tty.setenv("GZDESK_NEW_PASSWORD", pw)
        code, out, err = run(capsys, "users", "add", name, "--role", role, "--user", "王管理", "--db", db)
        assert code == 0, err
        assert out.strip() == f"已添加用户“{name}”（{role}）"
    no_tty.delenv("GZDESK_PASSWORD")
    no_tty.delenv("GZDESK_NEW_PASSWORD")
    return db


def _actors(db: str, entity: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT actor FROM audit_event WHERE entity = ? ORDER BY id", (entity,))]
    finally:
        conn.close()


def test_writes_need_a_user_given_by_option_or_environment(office, capsys, no_tty):
    args = ("holidays", "set", "2027-02-06", "--off", "--name", "春节", "--db", office)
    code, _, err = run(capsys, *args)
    assert code == 1 and err.strip() == "错误：本库已设置用户，修改数据须先登录；命令行请用 --user 姓名 或环境变量 GZDESK_USER 登录"
    code, _, err = run(capsys, *args, "--user", "王管理")  # no password, no terminal: one line, nothing asked
    assert code == 1 and err.strip() == ("错误：未提供用户“王管理”的密码：请设置环境变量 GZDESK_PASSWORD，"
                                         "或在终端中运行本命令以便输入")
    no_tty.setenv("GZDESK_PASSWORD", "wrong-password")
    code, _, err = run(capsys, *args, "--user", "王管理")
    assert code == 1 and "用户名或密码不正确" in err and len(err.strip().splitlines()) == 1
    no_tty.setenv("GZDESK_PASSWORD", ADMIN_PW)
    no_tty.setenv("USER", "局长")  # what the operating system says is not who acted
    code, out, err = run(capsys, *args, "--user", "王管理")
    assert code == 0, err
    no_tty.setenv("GZDESK_USER", "王管理")
    code, _, err = run(capsys, "holidays", "set", "2027-02-07", "--off", "--name", "春节", "--db", office)
    assert code == 0, err
    assert _actors(office, "office_holiday")[-2:] == ["王管理", "王管理"]
    assert "局长" not in _actors(office, "office_holiday")


def test_a_password_is_asked_on_a_terminal(office, capsys, no_tty):
    asked = []
    no_tty.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})(""))
    no_tty.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or ADMIN_PW)
    code, _, err = run(capsys, "holidays", "set", "2027-02-06", "--off", "--db", office, "--user", "王管理")
    assert code == 0, err
    assert asked == ["用户“王管理”的密码："]


def test_each_role_is_refused_in_one_line(office, capsys, no_tty, tmp_path):
    no_tty.setenv("GZDESK_PASSWORD", CLERK_PW)
    code, out, err = run(capsys, "users", "add", "张三", "--role", "经办人", "--user", "李经办", "--db", office)
    assert code == 1 and err.strip() == "错误：经办人“李经办”无权管理用户，须由管理员操作"
    code, _, err = run(capsys, "profiles", "import", str(tmp_path / "x.json"), "--user", "李经办", "--db", office)
    assert code == 1  # the file does not exist: refused before anything
    code, _, err = run(capsys, "restore", office, "--user", "李经办", "--db", office)
    assert code == 1 and "无权从备份恢复数据库" in err
    no_tty.setenv("GZDESK_PASSWORD", VIEW_PW)
    code, _, err = run(capsys, "export-excel", str(tmp_path / "full.xlsx"), "--user", "赵只读", "--db", office)
    assert code == 1 and "只读用户“赵只读”无权导出未脱敏的数据" in err
    assert not (tmp_path / "full.xlsx").exists()
    code, out, err = run(capsys, "export-excel", str(tmp_path / "m.xlsx"), "--mask-phones", "--user", "赵只读",
                         "--db", office)
    assert code == 0, err
    code, _, err = run(capsys, "backup", "--to", str(tmp_path / "b"), "--user", "赵只读", "--db", office)
    assert code == 1 and "无权导出未脱敏的数据" in err
    code, _, err = run(capsys, "snapshot", "export", str(tmp_path / "s.gzsnap"), "--user", "赵只读", "--db", office)
    assert code == 1 and "无权导出未脱敏的数据" in err and not (tmp_path / "s.gzsnap").exists()
    code, out, err = run(capsys, "due", "--user", "赵只读", "--db", office)  # reading goes on
    assert code == 0, err


def test_only_a_reviewer_records_an_approval_step(office, capsys, no_tty):
    no_tty.setenv("GZDESK_PASSWORD", CLERK_PW)
    code, _, err = run(capsys, "accounts", "--db", office, "--json")
    assert code == 0
    from gzdesk import registry
    from gzdesk.db import Database

    db = Database(office)
    db.login("李经办", CLERK_PW)
    with db.transaction() as s:
        aid = registry.save_account(s, registry.AccountData(name="通州发布"))
    db.close()
    code, out, err = run(capsys, "filing", "new", "--account", str(aid), "--kind", "开设", "--reason", "新开设",
                         "--user", "李经办", "--db", office)
    assert code == 0, err
    step = ("filing", "step", "1", "--opinion", "同意", "--signer", "主任", "--date", date.today().isoformat(),
            "--db", office)
    code, _, err = run(capsys, *step, "--user", "李经办")
    assert code == 1 and err.strip() == "错误：经办人“李经办”无权记录审批步骤，须由管理员或审核人操作"
    no_tty.setenv("GZDESK_PASSWORD", REVIEW_PW)
    code, out, err = run(capsys, *step, "--user", "钱审核")
    assert code == 0, err
    assert _actors(office, "approval_step") == ["钱审核"]


def test_users_list_passwd_disable(office, capsys, no_tty):
    code, out, _ = run(capsys, "users", "list", "--db", office, "--json")
    rows = json.loads(out)
    assert code == 0 and [(r["name"], r["role_label"]) for r in rows] == [
        ("王管理", "管理员"), ("李经办", "经办人"), ("钱审核", "审核人"), ("赵只读", "只读")]
    assert all("password" not in r for r in rows)
    no_tty.setenv("GZDESK_PASSWORD", ADMIN_PW)
    no_tty.setenv("GZDESK_NEW_PASSWORD", "short")
    code, _, err = run(capsys, "users", "passwd", "李经办", "--user", "王管理", "--db", office)
    assert code == 1 and "至少需要 8 个字符" in err
    no_tty.setenv("GZDESK_NEW_PASSWORD", "clerk-pass-2")
    code, out, err = run(capsys, "users", "passwd", "李经办", "--user", "王管理", "--db", office)
    assert code == 0 and "已为用户“李经办”设置新密码" in out, err
    code, out, err = run(capsys, "users", "disable", "李经办", "--user", "王管理", "--db", office)
    assert code == 0 and out.strip() == "已停用用户“李经办”"
    no_tty.setenv("GZDESK_PASSWORD", "clerk-pass-2")
    code, _, err = run(capsys, "due", "--user", "李经办", "--db", office)
    assert code == 1 and "已停用" in err
    code, out, _ = run(capsys, "users", "list", "--db", office)
    assert "已停用" in out
    # a user's own password: the one used to log in is the old one
    no_tty.setenv("GZDESK_PASSWORD", REVIEW_PW)
    no_tty.setenv("GZDESK_NEW_PASSWORD", "review-pass-2")
    code, out, err = run(capsys, "users", "passwd", "钱审核", "--user", "钱审核", "--db", office)
    assert code == 0, err
    no_tty.setenv("GZDESK_PASSWORD", "review-pass-2")
    assert run(capsys, "due", "--user", "钱审核", "--db", office)[0] == 0


def test_user_option_on_a_database_without_users(tmp_path, capsys, no_tty):
    db = str(tmp_path / "o.db")
    assert run(capsys, "init", "--unit", "测试县人民政府办公室", "--profile", "nantong", "--db", db)[0] == 0
    code, _, err = run(capsys, "accounts", "--db", db, "--user", "王管理")
    assert code == 1 and "本库尚未设置用户" in err
    no_tty.setenv("GZDESK_USER", "王管理")  # set for other databases: ignored here
    assert run(capsys, "accounts", "--db", db)[0] == 0
    no_tty.delenv("GZDESK_USER")
    code, _, err = run(capsys, "users", "add", "李经办", "--role", "经办人", "--db", db)
    assert code == 1 and "未提供用户“李经办”的新密码" in err
    no_tty.setenv("GZDESK_NEW_PASSWORD", CLERK_PW)
    code, _, err = run(capsys, "users", "add", "李经办", "--role", "经办人", "--db", db)
    assert code == 1 and "第一个用户必须是管理员" in err
    code, _, err = run(capsys, "users", "add", "李经办", "--role", "超级", "--db", db)
    assert code == 1 and "未知角色“超级”" in err


def test_init_admin_without_a_password_leaves_no_file(tmp_path):
    """A real process without a terminal: refused in one line, nothing created."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("GZDESK_")}
    env["GZDESK_HOME"] = str(tmp_path)
    db = tmp_path / "o.db"
    r = subprocess.run([sys.executable, "-m", "gzdesk", "init", "--unit", "某县", "--profile", "nantong", "--admin",
                        "王管理", "--db", str(db)], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
    assert r.returncode == 1
    assert r.stderr.strip() == "错误：未提供管理员“王管理”的密码：请设置环境变量 GZDESK_NEW_PASSWORD，或在终端中运行本命令以便输入"
    assert not db.exists()
