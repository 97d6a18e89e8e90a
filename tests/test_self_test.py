"""``gzdesk --self-test``: every step really runs; a broken part is named, exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gzdesk.cli import main
from gzdesk.ui import selftest as ui_selftest


def test_self_test_passes_with_one_line(qapp, capsys):  # qapp: a later widget test needs a QApplication
    assert main(["--self-test"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1
    assert out.startswith("自检通过（gzdesk ")
    for part in ("数据库（第 1 版升级到第", "登记表 PDF（4 份，字体已嵌入）", "Excel 台账读写", "快照签名（Ed25519）", "界面中文翻译",
                 "程序图标", "窗口组件"):
        assert part in out


def test_a_failing_step_is_named_and_exits_1(qapp, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(ui_selftest, "icon_file", lambda suffix="png": tmp_path / f"missing.{suffix}")
    assert main(["--self-test"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("自检失败：第 6 步“程序图标”：图标 missing.png 无法读取")
    assert err.count("\n") == 1


def test_a_form_without_embedded_fonts_fails_the_self_test(qapp, monkeypatch, capsys):
    from gzdesk import printing

    monkeypatch.setattr(printing, "render_blank", lambda template_id, chain=None: b"%PDF-1.4 no fonts")
    assert main(["--self-test"]) == 1
    assert "第 2 步“登记表打印”：空白" in capsys.readouterr().err


def test_self_test_in_a_new_process_leaves_the_data_folder_alone(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "GZDESK_HOME": str(home)}
    env.pop("QT_QPA_PLATFORM", None)  # no window is opened: no display needed
    result = subprocess.run([sys.executable, "-m", "gzdesk", "--self-test"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("自检通过")
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == ["logs", "logs/gzdesk-cli.log"]
    assert not list(Path(tmp_path).glob("*.db"))
