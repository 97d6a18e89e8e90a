"""Every article a policy profile cites exists in its document, and says what the profile says it does.

The documents are in docs/policies (a profile names its file in ``seed``). An article reference is
"第二十二条 quotation", or several numbers joined by 、 ("第十五条、附件1"); 临沂's notice numbers its
parts 一、 and （一）, cited as "三（一）". Each number must be a part of the document. A quotation
after the first space must be the document's own words (white space aside) — an abridged text must
say so by starting with "摘要：", and then share most of its wording with the article. The list of
approved platforms is the office's own and must cite nothing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import profile_numbers  # noqa: E402
from profile_numbers import articles, cited_numbers, flat  # noqa: E402

POLICIES = ROOT / "docs" / "policies"
PROFILES = sorted((ROOT / "gzdesk" / "resources" / "profiles").glob("*.json"))


def _citations(node, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "article" and isinstance(value, str):
                yield path, value
            else:
                yield from _citations(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _citations(value, f"{path}[{i}]")


def _share(gist: str, body: str) -> float:
    """Share of the gist's 3-character runs found in the article."""
    g = re.sub(r"[“”\"《》，。、：；]", "", flat(gist))
    b = re.sub(r"[“”\"《》，。、：；]", "", body)
    runs = [g[i:i + 3] for i in range(len(g) - 2)]
    return sum(run in b for run in runs) / len(runs) if runs else 1.0


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_cited_articles_exist_and_quotes_are_exact(path: Path):
    profile = json.loads(path.read_text(encoding="utf-8"))
    arts = {k: flat(v) for k, v in articles((POLICIES / profile["seed"]).read_text(encoding="utf-8")).items()}
    assert len(arts) >= 5
    checked = 0
    for where, citation in _citations(profile):
        head, _, quote = citation.partition(" ")
        numbers = cited_numbers(citation)
        assert numbers or head == "备案登记表", f"{profile['id']}{where}: “{citation}” names no article"
        for number in numbers:
            assert number in arts, f"{profile['id']}{where}: {number} is not in {profile['seed']}"
            checked += 1
        if quote and numbers:
            body = "".join(arts[n] for n in numbers)
            if quote.startswith("摘要："):
                assert _share(quote[3:], body) >= 0.5, f"{profile['id']}{where}: 摘要“{quote}” is not what {head} says"
            else:
                assert flat(quote) in body, (f"{profile['id']}{where}: “{quote}” is not quoted exactly from {head} "
                                             "(quote the document's words, or start the text with 摘要：)")
    assert checked


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_approved_platform_lists_are_the_offices_own(path: Path):
    """No document lists approved platforms (盐湖's own form names 一点资讯、美篇、知乎 …)."""
    rule = json.loads(path.read_text(encoding="utf-8")).get("approved_platforms")
    if rule is not None:
        assert rule["source"] == "office" and "article" not in rule
        assert "本单位自定" in rule["note"]


def test_the_wrong_citations_of_the_first_profiles_are_gone():
    """盐湖 has no one-account-per-platform rule (第八条 does not say it) and no quarterly checks
    (第二十七条: 监测和抽查); 临沂's 三（一） is about names, not 认证信息."""
    data = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in PROFILES}
    assert data["yanhu"]["one_account_per_platform"] is None
    assert data["yanhu"]["inspection"]["quarterly"] is False
    assert data["linyi"]["verification_names_host"] is None
    assert data["yunnan"]["form_template"]["title"] == "云南省政务新媒体备案登记表"


def test_the_quote_check_catches_an_abridged_quote():
    arts = {k: flat(v) for k, v in articles((POLICIES / "000_330d73095654f8e3.txt").read_text(encoding="utf-8")).items()}
    assert flat("指定专人对政务新媒体信息内容和安全运行负总责") in arts["第二十一条"]
    assert flat("指定专人负责") not in arts["第二十一条"]  # what the profile said before: an abridged quote
    assert _share("指定专人负责", arts["第二十一条"]) >= 0.5


def test_linyi_parts_are_read():
    arts = articles((POLICIES / "004_60c5770837d6a77d.txt").read_text(encoding="utf-8"))
    assert "一个单位原则上在同一平台只开设一个政务新媒体账号" in flat(arts["三（一）"])
    assert "定期组织检查" in flat(arts["四（三）"])


def test_the_generated_table_is_up_to_date():
    """docs/policies/profile-numbers.md is what scripts/profile_numbers.py writes from the profiles."""
    committed = (POLICIES / "profile-numbers.md").read_text(encoding="utf-8")
    assert committed == profile_numbers.table(), "运行 .venv/bin/python scripts/profile_numbers.py 重新生成"
    assert "第四十五条" in committed and "须经同级政府同意" in committed
