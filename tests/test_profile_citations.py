"""Every article a policy profile cites exists in its document, and says what the profile says it does.

The documents are in docs/policies (a profile names its file in ``seed``). An article reference is
"第二十二条 gist" or several joined by 、 ("第十五条、附件1"); each 第…条 must be an article of the
document, and a gist after the first space must share most of its wording with that article
(gists are short quotations, sometimes abridged).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "docs" / "policies"
PROFILES = sorted((ROOT / "gzdesk" / "resources" / "profiles").glob("*.json"))
ARTICLE_START = re.compile(r"(?m)^\s*(第[一二三四五六七八九十百]+条)")


def _articles(text: str) -> dict[str, str]:
    """Article number → its text (up to the next article)."""
    starts = [(m.group(1), m.start()) for m in ARTICLE_START.finditer(text)]
    out: dict[str, str] = {}
    for i, (number, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        out.setdefault(number, re.sub(r"\s", "", text[start:end]))
    return out


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
    g = re.sub(r"（[^）]*）", "", gist)  # a note of ours in brackets, not a quotation
    g = re.sub(r"[\s“”\"《》，。、]", "", g)
    runs = [g[i:i + 3] for i in range(len(g) - 2)]
    return sum(run in body for run in runs) / len(runs) if runs else 1.0


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_cited_articles_exist_and_match(path: Path):
    profile = json.loads(path.read_text(encoding="utf-8"))
    articles = _articles((POLICIES / profile["seed"]).read_text(encoding="utf-8"))
    assert len(articles) >= 5 or profile["id"] == "linyi"  # 临沂's notice is numbered 一、（一）…
    checked = 0
    for where, citation in _citations(profile):
        head, _, gist = citation.partition(" ")
        numbers = re.findall(r"第[一二三四五六七八九十百]+条", head)
        for number in numbers:
            assert number in articles, f"{profile['id']}{where}: {number} is not in {profile['seed']}"
            checked += 1
        if len(numbers) == 1 and gist:
            share = _share(gist, articles[numbers[0]])
            assert share >= 0.5, f"{profile['id']}{where}: “{gist}” is not what {numbers[0]} says"
    assert checked or profile["id"] == "linyi"
