"""Print every form template blank (per profile) and filled with long, punctuation-heavy values.

    .venv/bin/python scripts/form_samples.py OUT_DIR
    pdftoppm -r 70 -png OUT_DIR/nantong-long.pdf OUT_DIR/nantong-long

For looking at the forms as a supervisor would: every value at 9 pt or more, nothing cut without a
附页, room for a seal in each 意见 block. Writes one PDF per sample and lists what it wrote.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gzdesk import profiles  # noqa: E402
from gzdesk.printing import templates  # noqa: E402
from gzdesk.printing.context import build_context  # noqa: E402
from gzdesk.printing.options import PrintOptions  # noqa: E402
from gzdesk.printing.render import layout_form, render_blank, render_context  # noqa: E402

LONG_NAME = "运城市盐湖区人民政府办公室政务公开与政务服务（12345热线）官方账号测试名称很长很长的一个账号名称"
PUNCT = ("本账号发布“政务信息”、（政策解读）、《办事指南》，便民服务；回应群众关切：就业、教育、医疗、"
         "养老……等民生事项。")


def long_context(profile: profiles.Profile) -> dict:
    team = [{"role": r, "name": n, "unit": "某某镇人民政府党政办", "title": t,
             "office_phone": "0359-2021234", "mobile": "13912345678"}
            for r, n, t in (("leader", "欧阳建国", "党委委员、副镇长"), ("dept_head", "李秀英", "主任"),
                            ("admin", "王小明", "干事（网络安全员）"), ("informant", "赵丽", "信息员"))]
    frozen = {"name": LONG_NAME, "handle": "yanhuqu_zhengwu_gongkai_official_account_2024",
              "platform": "other", "platform_other": "美篇（一点资讯同步）", "registered_on": "2024-06-03",
              "followers": 1234567, "status": "normal", "verified": True, "news_license": False,
              "supervisor_unit": "运城市盐湖区人民政府办公室（区政务公开领导小组办公室）",
              "host_unit": "运城市盐湖区某某镇人民政府（某某镇便民服务中心、某某镇综合行政执法队）",
              "host_leader": "欧阳建国 党委委员、副镇长", "host_phone": "0359-2021234、13912345678",
              "operator_unit": "运城市某某信息技术有限公司（受托运维单位，已签订保密协议）",
              "operator_leader": "钱多多 项目经理", "operator_phone": "0359-2029999",
              "url": "https://www.meipian.cn/c/123456789?from=yanhu&share=1&utm_source=gzdesk-sample",
              "intro": PUNCT * 9, "team": team}
    steps = [{"title": s["title"], "opinion": "同意开设。请按《管理办法》第十条、第十一条的规定，落实专人负责、先审后发；"
              "（此为较长的审批意见，用于检查换行与标点：、，。；）", "signer": "王建国", "signed_on": "2026-11-20"}
             for s in profile.chain]
    filing = {"number": "2026-00012", "kind": "backfill", "reason": PUNCT * 5, "filled_on": "2026-11-18",
              "unit_name": frozen["host_unit"]}
    labels = {s["title"]: s.get("signer_label", "") for s in profile.chain}
    options = PrintOptions.for_profile(profile)
    return build_context(frozen, filing, steps, [s["title"] for s in profile.chain], labels, options.as_context())


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for p in profiles.bundled():
        t = templates.get(p.template_id)
        blank = render_blank(t.id, p.chain, PrintOptions.for_profile(p))
        (out / f"{p.id}-blank.pdf").write_bytes(blank)
        ctx = long_context(p)
        (out / f"{p.id}-long.pdf").write_bytes(render_context(t, ctx))
        lay = layout_form(t, ctx)
        smallest = min(s for c in lay.cells for s in c.sizes())
        print(f"{p.id}: {t.id}, {len(lay.form_pages)} 页表 + {len(lay.pages) - len(lay.form_pages)} 页附页，"
              f"最小字号 {smallest} 磅，转附页 {len(lay.overflow)} 项")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "form-samples"))
