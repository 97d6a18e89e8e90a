"""Every subcommand answers a mistake with one Chinese line and exit 1, never a traceback."""

from __future__ import annotations

import argparse

import pytest

from gzdesk.cli import build_parser, main


def _commands() -> list[list[str]]:
    """Every leaf subcommand as an argv prefix, found from the parser itself."""
    found: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if prefix:
            found.append(prefix)
        for action in subs:
            for name, child in action.choices.items():
                walk(child, [*prefix, name])

    walk(build_parser(), [])
    return found


COMMANDS = _commands()


def test_the_command_list_is_complete():
    names = {c[0] for c in COMMANDS}
    assert {"init", "profiles", "demo", "workdays", "accounts", "filing", "form", "due", "check",
            "import-excel", "export-excel", "snapshot", "backup", "restore", "verify"} <= names


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_missing_database_or_arguments_is_one_line(tmp_path, capsys, argv):
    code = main([*argv, "--db", str(tmp_path / "missing.db")])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1), err
    if code == 1:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("错误：")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])


@pytest.mark.parametrize("argv", [
    ["filing", "step", "--filing", "999", "--opinion", "同意", "--signer", "王", "--date", "2026-11-20"],
    ["filing", "new", "--account", "999", "--kind", "开设", "--reason", "x"],
    ["filing", "new", "--account", "1", "--kind", "开张", "--reason", "x"],
    ["form", "--filing", "999", "--out", "x.pdf"],
    ["form", "--template", "beijing", "--blank", "--out", "x.pdf"],
    ["import-excel", "nothere.xlsx"],
    ["snapshot", "merge", "nothere.gzsnap"],
    ["restore", "nothere.db"],
    ["due", "--today", "2026-02-30"],
])
def test_bad_input_on_an_initialised_database(db, db_path, tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code = main([*argv, "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("错误：") and "Traceback" not in err
