"""The profiles' numbers side by side with the article texts they come from.

    .venv/bin/python scripts/profile_numbers.py            # writes docs/policies/profile-numbers.md
    .venv/bin/python scripts/profile_numbers.py --check    # exit 1 when the file is out of date

For each bundled profile: every line ``gzdesk profiles`` prints (what, the number, the article it
cites) and the full text of that article in the document (docs/policies/<seed>). The test
``tests/test_profile_citations.py`` reads the documents with the same parser and checks that the
committed table is what this script writes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "docs" / "policies"
PROFILES = ROOT / "gzdesk" / "resources" / "profiles"
OUT = POLICIES / "profile-numbers.md"

ARTICLE_START = re.compile(r"(?m)^\s*(第[一二三四五六七八九十百]+条)")
NUMERAL = "一二三四五六七八九十"
SECTION_START = re.compile(rf"(?m)^[#*\s]*([{NUMERAL}]+)、")
SUB_START = re.compile(rf"(?m)^[#*\s]*[（(]([{NUMERAL}]+)[)）]")
ANNEX_START = re.compile(r"(?m)^\s*(附件\d)\s*$")
CITED = re.compile(rf"第[{NUMERAL}百]+条|附件\d|^[{NUMERAL}]+(?:（[{NUMERAL}]+）)?(?=\s|$|、)")


def flat(text: str) -> str:
    """Text compared without white space, markdown emphasis or the kind of brackets."""
    text = re.sub(r"[\s*#]", "", text)
    return text.replace("(", "（").replace(")", "）")


def articles(text: str) -> dict[str, str]:
    """Article number → its text (up to the next article): 第N条, 附件N, and 临沂's 一、/（一）."""
    out: dict[str, str] = {}
    starts = [(m.group(1), m.start()) for m in ARTICLE_START.finditer(text)]
    starts += [(m.group(1), m.start()) for m in ANNEX_START.finditer(text)]
    starts.sort(key=lambda s: s[1])
    for i, (number, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        out.setdefault(number, text[start:end].strip())
    if not any(k.startswith("第") for k in out):  # 临沂: 一、… with （一）… inside
        sections = [(m.group(1), m.start()) for m in SECTION_START.finditer(text)]
        for i, (number, start) in enumerate(sections):
            end = sections[i + 1][1] if i + 1 < len(sections) else len(text)
            body = text[start:end]
            out.setdefault(number, body.strip())
            subs = [(m.group(1), m.start()) for m in SUB_START.finditer(body)]
            for j, (sub, s0) in enumerate(subs):
                s1 = subs[j + 1][1] if j + 1 < len(subs) else len(body)
                out.setdefault(f"{number}（{sub}）", body[s0:s1].strip())
    return out


def cited_numbers(citation: str) -> list[str]:
    head = citation.split(" ", 1)[0]
    return CITED.findall(head)


def load_profiles() -> list[dict]:
    order = ["yanhu", "taibai", "yunnan", "nantong", "linyi"]
    found = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(PROFILES.glob("*.json"))}
    return [found[k] for k in order if k in found] + [v for k, v in found.items() if k not in order]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def table() -> str:
    sys.path.insert(0, str(ROOT))
    from gzdesk.profiles import Profile

    lines = ["# 策略配置的数字与条文 / Profile numbers and their articles", "",
             "由 `scripts/profile_numbers.py` 生成，请勿手改（`tests/test_profile_citations.py` 检查它与配置一致）。",
             "每个配置：`gzdesk profiles` 列出的每一项、它引用的条款、该条款在文件中的全文。", ""]
    for data in load_profiles():
        p = Profile(data)
        text = (POLICIES / data["seed"]).read_text(encoding="utf-8")
        arts = articles(text)
        lines += [f"## {p.name}（{p.id}）", "", f"{p.document}，`docs/policies/{data['seed']}`", "",
                  "| 项目 | 规定 | 引用 | 条文 |", "|---|---|---|---|"]
        for what, value, article in p.numbers():
            numbers = cited_numbers(article) if article else []
            body = "<br>".join(_cell(arts[n]) for n in numbers if n in arts) or "（不引条款）"
            lines.append(f"| {_cell(what)} | {_cell(value)} | {_cell(article) or '—'} | {body} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    content = table()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != content:
            print(f"{OUT.relative_to(ROOT)} 已过期，请运行 scripts/profile_numbers.py")
            return 1
        return 0
    OUT.write_text(content, encoding="utf-8")
    print(f"已写入 {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
