"""Profiles are checked in full on import and whenever they are read (bundled, or kept in a database)."""

from __future__ import annotations

import copy
import json

import pytest

from gzdesk import office, profiles
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.models import Setting


def _yunnan() -> dict:
    return copy.deepcopy(profiles.by_id("yunnan").data)


def test_every_bundled_profile_is_valid():
    assert [p.id for p in profiles.bundled()] == ["yanhu", "taibai", "yunnan", "nantong", "linyi"]
    for p in profiles.bundled():
        profiles.validate(copy.deepcopy(p.data))


def test_an_imported_profile_missing_announcement_mode_is_refused(db_path, db, tmp_path, capsys):
    """It was accepted, and then ``gzdesk profiles`` crashed (KeyError, exit 2)."""
    data = _yunnan()
    del data["announcement"]["mode"]
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with db.reader() as s:
        before = office.current_profile(s).to_json()
    assert main(["profiles", "import", str(path), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "announcement.mode" in err and "缺少此字段" in err and "Traceback" not in err
    with db.reader() as s:
        assert office.current_profile(s).to_json() == before  # nothing changed
    assert main(["profiles", "--db", str(db_path)]) == 0


def test_a_hand_edited_profile_in_the_database_is_refused_cleanly(db_path, db, capsys):
    data = _yunnan()
    del data["announcement"]["mode"]
    with db.transaction() as s:
        s.get(Setting, "profile").value = json.dumps(data, ensure_ascii=False)
    assert main(["profiles", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "策略配置（本库）的字段 announcement.mode：缺少此字段" in err
    assert main(["due", "--db", str(db_path)]) == 1


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d.__setitem__("anouncement", {}), "anouncement", "未知字段"),
    (lambda d: d["announcement"].__setitem__("mode", "sometimes"), "announcement.mode", "min_period / before_close"),
    (lambda d: d["announcement"].__setitem__("workdays", "15"), "announcement.workdays", "整数"),
    (lambda d: d["announcement"].__setitem__("kinds", ["open", "闭"]), "announcement.kinds", "未知备案事由"),
    (lambda d: d["filing_deadline"].__setitem__("workdays", 0), "filing_deadline.workdays", "1–366"),
    (lambda d: d["backfill"].__setitem__("from", "2019年8月3日"), "backfill.from", "日期"),
    (lambda d: d["objection"].__setitem__("max_workdays", 5), "objection.max_workdays", "不能短于"),
    (lambda d: d["approved_platforms"].__setitem__("article", "第十二条"), "approved_platforms.article",
     "本单位自定"),
    (lambda d: d["approved_platforms"]["codes"].append("tiktok"), "approved_platforms.codes", "tiktok"),
    (lambda d: d["names"].__setitem__("article", "十五条"), "names.article", "条款号"),
    (lambda d: d.__setitem__("approval_chain", []), "approval_chain", "不能为空"),
    (lambda d: d["approval_chain"].append(dict(d["approval_chain"][0])), "approval_chain[3].title", "重复"),
    (lambda d: d["approval_chain"][0].pop("signer_label"), "approval_chain[1].signer_label", "缺少"),
    (lambda d: d["form_template"].__setitem__("id", "hubei"), "form_template.id", "没有编号为“hubei”的表单模板"),
    (lambda d: d.__setitem__("published_on", 20190803), "published_on", "日期"),
    (lambda d: d["update_frequency"].__setitem__("daily", "是"), "update_frequency.daily", "true 或 false"),
])
def test_wrong_fields_are_named(change, field, words):
    data = _yunnan()
    change(data)
    with pytest.raises(UserError) as err:
        profiles.validate(data, "“mine.json”")
    assert f"的字段 {field}" in err.value.message
    assert words in err.value.message


def test_a_chain_step_the_form_has_no_block_for_is_refused():
    data = copy.deepcopy(profiles.by_id("yanhu").data)
    data["approval_chain"][1]["title"] = "区政府办公室意见"
    with pytest.raises(UserError, match="没有“区政府办公室意见”一栏"):
        profiles.validate(data)


def test_a_rule_may_be_null_and_then_is_not_applied():
    data = _yunnan()
    data["announcement"] = None
    p = profiles.validate(data)
    assert p.rule("announcement") is None
    assert all(what != "公告" for what, _v, _a in p.numbers())
