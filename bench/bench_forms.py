"""Benchmark: filled 备案登记表 PDFs per second, against a bare reportlab page.

    .venv/bin/python bench/bench_forms.py [--n 1000] [--template nantong]

Prints the per-form time (goal: ≤ 150 ms once fonts are loaded) and its ratio to a bare
reportlab canvas drawing the same number of strings in the same embedded font. The font files
are read once, before timing (the first form of a session also pays for that; printed separately).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from gzdesk.printing import templates  # noqa: E402
from gzdesk.printing.context import build_context  # noqa: E402
from gzdesk.printing.fonts import fonts  # noqa: E402
from gzdesk.printing.render import layout_form, render_context, render_layouts  # noqa: E402

FROZEN = {
    "name": "清风镇发布", "handle": "qingfengzhen_fabu", "platform": "wechat_subscription",
    "platform_label": "微信订阅号", "registered_on": "2019-03-12", "followers": 12345, "status": "normal",
    "verified": True, "news_license": False, "supervisor_unit": "测试县人民政府办公室",
    "host_unit": "清风镇人民政府", "host_leader": "张建国 副镇长", "host_phone": "0513-81234567",
    "operator_unit": "清风镇党政综合办公室", "operator_leader": "李秀英 主任", "operator_phone": "0513-87654321",
    "url": "https://mp.weixin.qq.com/qingfeng", "qr_image": None,
    "intro": "本账号发布本镇政务信息、政策解读、办事指南和便民服务，回应群众关切。" * 6,
    "team": [{"role": "leader", "name": "张建国", "unit": "清风镇人民政府", "title": "副镇长",
              "office_phone": "0513-81234567", "mobile": "13912345678"},
             {"role": "dept_head", "name": "李秀英", "unit": "清风镇人民政府", "title": "主任",
              "office_phone": "0513-81234567", "mobile": "13912345678"},
             {"role": "admin", "name": "王小明", "unit": "清风镇人民政府", "title": "干事",
              "office_phone": "0513-81234567", "mobile": "13912345678"}],
}


def context(i: int) -> dict:
    return build_context(dict(FROZEN, name=f"清风镇发布{i}"), {
        "number": f"QF-2026-{i:04d}", "kind": "open", "reason": "为加强政务公开和政民互动，特申请开设本账号。" * 5,
        "filled_on": date(2026, 11, 20)},
        [{"title": "主办单位意见", "opinion": "同意。", "signer": "赵局长", "signed_on": date(2026, 11, 21)}],
        ["主办单位意见", "主管单位意见"])


def count_strings(layout) -> int:
    n = 0
    for page in layout.pages:
        for cell in page.cells:
            for flow in ([cell.body] if cell.body else []) + cell.footer:
                n += sum(1 for line in flow.lines for it in line.items if it.kind in ("text", "uline") and it.text)
        n += 2 + sum(len(f.lines) for _, f in page.header)  # title, footer, header lines
    return n


def bare_page(n_strings: int) -> bytes:
    fs = fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pageCompression=1, initialFontName=fs.body.name)
    c.setFont(fs.body.name, 10)
    for k in range(n_strings):
        c.drawString(40 + (k % 5) * 100, 800 - (k // 5) * 12 % 760, f"政务新媒体{k}")
    c.showPage()
    c.save()
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--template", default="nantong")
    args = ap.parse_args()
    t0 = time.perf_counter()
    fonts()
    t = templates.get(args.template)
    first = render_context(t, context(0))
    t_first = time.perf_counter() - t0
    strings = count_strings(layout_form(t, context(0)))

    t0 = time.perf_counter()
    size = 0
    for i in range(args.n):
        size += len(render_context(t, context(i)))
    per_form = (time.perf_counter() - t0) / args.n

    t0 = time.perf_counter()
    batch = render_layouts([layout_form(t, context(i)) for i in range(args.n)], "batch")
    per_form_batch = (time.perf_counter() - t0) / args.n

    t0 = time.perf_counter()
    for _ in range(args.n):
        bare_page(strings)
    per_bare = (time.perf_counter() - t0) / args.n

    print(f"模板 {args.template}，{args.n} 份，每份约 {strings} 段文字，平均 {size / args.n / 1024:.0f} KB")
    print(f"首份（含读取字体）：{t_first * 1000:.0f} ms（{len(first) / 1024:.0f} KB）")
    print(f"每份独立 PDF：{per_form * 1000:.1f} ms（目标 ≤ 150 ms）")
    print(f"合并为一个 PDF（批量打印）：每份 {per_form_batch * 1000:.1f} ms，共 {len(batch) / 1024 / 1024:.1f} MB")
    print(f"同样文字数的空白 reportlab 页面：{per_bare * 1000:.1f} ms")
    print(f"比值（登记表 / 空白页面）：{per_form / per_bare:.2f}")
    return 0 if per_form <= 0.150 else 1


if __name__ == "__main__":
    raise SystemExit(main())
