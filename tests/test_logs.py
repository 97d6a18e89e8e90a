"""The log: one rotating file per kind in the data folder; a bug in a command is one line for the
person and its traceback in the log; refusals are logged too."""

from __future__ import annotations

import logging

from gzdesk import __version__, logs, workdays
from gzdesk.cli import main


def _cli_log() -> str:
    return logs.log_file("cli").read_text(encoding="utf-8")


def test_a_bug_in_a_command_is_one_line_and_its_traceback_goes_to_the_log(monkeypatch, capsys):
    def broken(self, start, n):
        raise RuntimeError("模拟的程序缺陷")

    monkeypatch.setattr(workdays.WorkdayCalendar, "add", broken)
    assert main(["workdays", "add", "2025-09-30", "7"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("内部错误：RuntimeError: 模拟的程序缺陷（详情见 ") and str(logs.log_file("cli")) in err
    text = _cli_log()
    assert "gzdesk workdays add 2025-09-30 7" in text  # which command
    assert f"gzdesk {__version__}" in text and "Traceback (most recent call last)" in text
    assert 'in broken\n    raise RuntimeError("模拟的程序缺陷")' in text


def test_refusals_are_logged_as_information(capsys):
    assert main(["workdays", "add", "明天", "7"]) == 1
    assert "未执行：" in _cli_log() and "INFO" in _cli_log()


def test_setup_follows_the_data_folder_and_keeps_one_handler(tmp_path, monkeypatch):
    first = logs.setup_logging("cli")
    assert first == logs.log_file("cli") and logs.setup_logging("cli") == first
    ours = [h for h in logging.getLogger("gzdesk").handlers if getattr(h, "gzdesk_log", False)]
    assert len(ours) == 1
    monkeypatch.setenv("GZDESK_HOME", str(tmp_path / "elsewhere"))
    second = logs.setup_logging("window")
    assert second == tmp_path / "elsewhere" / "logs" / "gzdesk.log" and second.exists()
    ours = [h for h in logging.getLogger("gzdesk").handlers if getattr(h, "gzdesk_log", False)]
    assert len(ours) == 1 and ours[0].baseFilename == str(second)
    logging.getLogger("gzdesk.test").info("写入日志")
    assert "写入日志" in second.read_text(encoding="utf-8")


def test_an_unwritable_data_folder_costs_the_log_not_the_command(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("GZDESK_HOME", str(blocker))
    assert logs.setup_logging("cli") is None
    monkeypatch.setattr(workdays.WorkdayCalendar, "add", lambda self, s, n: 1 / 0)
    assert main(["workdays", "add", "2025-09-30", "7"]) == 2
    err = capsys.readouterr().err
    assert "（无法写入日志）" in err and "Traceback" not in err
    assert main(["workdays", "count", "2025-09-30", "2025-10-16"]) == 0


def test_the_log_rotates(monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.setup_logging("cli")
    assert path is not None
    for i in range(200):
        logging.getLogger("gzdesk.test").info("第 %d 行：%s", i, "政务新媒体" * 5)
    assert path.with_name(path.name + ".1").exists() and path.stat().st_size <= 2_000
    assert not path.with_name(path.name + f".{logs.BACKUPS + 1}").exists()


def test_an_upgrade_is_logged(tmp_path):
    from gzdesk.db import Database
    from gzdesk.models import migrations

    path = tmp_path / "old.db"
    migrations.migrate(path, upto=1)
    logs.setup_logging("cli")
    Database(path).close()
    assert f"已从结构第 1 版升级到第 {migrations.LATEST_VERSION} 版" in _cli_log()


def test_the_error_report_names_program_database_and_traceback(tmp_path):
    try:
        {}["缺少的键"]
    except KeyError as exc:
        report = logs.error_report(type(exc), exc, exc.__traceback__, tmp_path / "office.db")
    assert report.splitlines()[0].startswith(f"程序：gzdesk {__version__}；Python ")
    assert f"数据库：{tmp_path / 'office.db'}" in report
    assert "KeyError: '缺少的键'" in report and "Traceback" in report
