"""The printed PDFs: every official label and the filled values in pdftotext, fonts embedded, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from forms_fixtures import LONG_REASON, SEED_LABELS, make_account, make_filing, squash

from gzdesk.printing import options, render_blank, render_filing, render_filings, templates
from gzdesk.printing.context import blank_context, filing_context
from gzdesk.printing.render import layout_form

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="poppler-utils (pdftotext/pdffonts) 未安装，无法检查 PDF 文字和字体")

CHAINS = {
    "yanhu": ["主办单位意见", "县（市、区）办公室意见", "市政府办公室意见", "省政府办公厅意见"],
    "nantong": ["主办单位意见", "主管单位意见"],
    "taibai": ["主办单位意见", "县政务公开办公室意见"],
    "yunnan": ["主办单位意见", "主管单位意见"],
}
TEMPLATE_OF = {"yanhu": "shanxi_county", "nantong": "nantong", "taibai": "generic", "yunnan": "generic"}


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdffonts_rows(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def assert_labels_printed(template_id: str, ctx: dict, text: str, labels: list[str]) -> None:
    """Each official label is printed with its exact text: the cell holding it (possibly wrapped over
    several lines) glues back to the label, and every one of its lines is in the PDF's text."""
    flat = squash(text)
    layout = layout_form(templates.get(template_id), ctx)
    cells = layout.cells
    heads = [squash(layout.template.title)]
    for label in labels:
        want = squash(label)
        if want in heads:
            assert want in flat
            continue
        holders = [c for c in cells if want in squash("".join(c.texts()))]
        if not holders:  # header lines (单位名称：/ 填表时间：) are outside the grid
            assert want in flat, f"“{label}” 未打印"
            continue
        for line in holders[0].texts():
            assert squash(line) in flat, f"“{label}” 的一行“{line}”不在 PDF 文字中"


def assert_fonts_embedded(path: Path) -> None:
    rows = pdffonts_rows(path)
    assert rows, "PDF 中没有字体"
    for row in rows:
        # name type encoding emb sub uni object ID  (type may be two words: "CID TrueType")
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert "Helvetica" not in row[0] and "STSong" not in row[0], row


@needs_poppler
@pytest.mark.parametrize("template_id", ["shanxi_county", "nantong", "generic"])
def test_blank_form_prints_every_label(template_id, tmp_path):
    path = tmp_path / f"{template_id}.pdf"
    path.write_bytes(render_blank(template_id))
    text = pdftotext(path)
    assert_labels_printed(template_id, blank_context(), text, SEED_LABELS[template_id])
    if template_id == "shanxi_county":
        assert "（请插入图片）" in squash(text)
    assert "第 1 页 共 1 页" in text
    assert_fonts_embedded(path)


@needs_poppler
@pytest.mark.parametrize("profile", ["yanhu", "nantong", "taibai"])
def test_filled_form_prints_labels_and_values(profile, make_db, tmp_path):
    db = make_db(profile)
    chain = CHAINS[profile]
    with db.transaction() as s:
        aid = make_account(s, platform="douyin")
        fid = make_filing(s, aid, chain, steps=[(chain[0], "同意开设。", "赵局长", date(2026, 11, 21)),
                                                (chain[1], "同意备案。", "钱主任", date(2027, 1, 6))])
    with db.reader() as s:
        pdf = render_filing(s, fid)
        template_id, ctx = filing_context(s, fid)
    assert template_id == TEMPLATE_OF[profile]
    path = tmp_path / "filled.pdf"
    path.write_bytes(pdf)
    text = pdftotext(path)
    flat = squash(text)
    labels = [x for x in SEED_LABELS[template_id] if x not in ("新媒体二维码：",)]
    assert_labels_printed(template_id, ctx, text, labels)
    for value in ("清风镇人民政府", "13912345678" if template_id != "shanxi_county" else "0513-81234567",
                  "2019年3月12日", "赵局长", "钱主任", "2026年11月21日", "2027年1月6日", "QF-2026-001"):
        assert squash(value) in flat, value
    assert "清风镇发布" in flat
    if template_id != "nantong":
        assert "2026年11月20日" in flat  # 填表时间
        assert "测试县人民政府办公室" in flat  # 主管单位
        assert "qingfengzhen_fabu" in flat
    assert "https://mp.weixin.qq.com/qingfeng" in flat
    # the long 理由 / 简介 are printed (shrunk), not dropped
    if template_id != "nantong":
        assert squash(LONG_REASON)[:12] in flat
    assert "本账号发布本局政务信息" in flat
    assert_fonts_embedded(path)


@needs_poppler
def test_batch_pdf_numbers_each_form(make_db, tmp_path):
    db = make_db("nantong")
    with db.transaction() as s:
        a1 = make_account(s, name="甲镇发布")
        f1 = make_filing(s, a1, CHAINS["nantong"], number="N-1")
        f2 = make_filing(s, a1, CHAINS["nantong"], number="N-2", kind="change")
    with db.reader() as s:
        pdf = render_filings(s, [f1, f2])
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    text = pdftotext(path)
    assert text.count("第 1 页 共 1 页") == 2
    assert "N-1" in text and "N-2" in text


def test_qr_image_is_printed_when_given(make_db):
    import base64

    # a 1x1 PNG
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    db = make_db("yanhu")
    with db.transaction() as s:
        aid = make_account(s, qr=png)
        fid = make_filing(s, aid, CHAINS["yanhu"])
        aid2 = make_account(s, name="乙镇发布")
        fid2 = make_filing(s, aid2, CHAINS["yanhu"], number="QF-2")
    with db.reader() as s:
        tid, ctx = filing_context(s, fid)
        tid2, ctx2 = filing_context(s, fid2)
        assert b"/Image" in render_filing(s, fid) or b"/XObject" in render_filing(s, fid)
    kinds = [c.image[0] for c in layout_form(templates.get(tid), ctx).cells if c.image]
    assert kinds == ["png"]
    # no picture: the seed's （请插入图片） space, never a code passed off as the account's own
    cells2 = layout_form(templates.get(tid2), ctx2).cells
    assert [c.image for c in cells2 if c.image] == []
    assert any("（请插入图片）" in "".join(c.texts()) for c in cells2)
    # an office may allow a code drawn from the 访问链接: it is marked so
    with db.transaction() as s:
        options.write_setting(s, options.QR_FROM_URL, True)
    with db.reader() as s:
        tid2, ctx2 = filing_context(s, fid2)
    cells2 = layout_form(templates.get(tid2), ctx2).cells
    drawn = [c for c in cells2 if c.image]
    assert [c.image for c in drawn] == [("qr", "https://mp.weixin.qq.com/qingfeng")]
    assert drawn[0].image_caption == "（据访问链接生成）"
    assert not any("（请插入图片）" in "".join(c.texts()) for c in cells2)


def test_check_box_tick_is_drawn_as_lines():
    import io

    from reportlab.pdfgen.canvas import Canvas

    from gzdesk.printing.render import _draw_box

    def ops(checked: bool) -> bytes:
        buf = io.BytesIO()
        c = Canvas(buf, pageCompression=0)
        _draw_box(c, 10, 10, 8, checked)
        c.showPage()
        c.save()
        return buf.getvalue()

    assert ops(False).count(b" l") == 0 and b" re" in ops(False)
    assert ops(True).count(b" l") == 2


def test_unknown_filing_is_a_chinese_error(db):
    from gzdesk.errors import UserError

    with db.reader() as s, pytest.raises(UserError, match="没有编号为 999 的备案事项"):
        render_filing(s, 999)


# ------------------------------------------------------------------ command line


def test_cli_filing_blank_and_list(make_db, tmp_path, capsys):
    from gzdesk.cli import main

    db = make_db("nantong")
    with db.transaction() as s:
        aid = make_account(s)
        fid = make_filing(s, aid, CHAINS["nantong"], template_id="nantong")
    out = tmp_path / "a" / "f.pdf"
    assert main(["form", "--db", str(db.path), "--filing", str(fid), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "已生成" in capsys.readouterr().out
    blank = tmp_path / "b.pdf"
    assert main(["form", "--template", "shanxi_county", "--blank", "--out", str(blank)]) == 0
    assert blank.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    assert main(["form", "--list-templates", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {t["id"] for t in listed} == {"generic", "nantong", "shanxi_county"}
    assert main(["form", "--db", str(db.path), "--filing", "999", "--out", str(out)]) == 1
    assert "没有编号或备案号为“999”的备案事项" in capsys.readouterr().err
    assert main(["form", "--db", str(db.path), "--filing", "QF-2026-001", "--out", str(out)]) == 0
    assert main(["form", "--template", "hubei", "--blank", "--out", str(blank)]) == 1
    assert "没有编号为“hubei”的表单模板" in capsys.readouterr().err
    assert main(["form", "--template", "generic", "--blank", "--out", str(tmp_path)]) == 1
    assert "是文件夹" in capsys.readouterr().err
    assert main(["form", "--template", "generic", "--blank", "--out", "/proc/nope/x.pdf"]) == 1
    err = capsys.readouterr().err
    assert "无法写入" in err and len(err.strip().splitlines()) == 1


@needs_poppler
def test_long_chain_runs_onto_a_second_page_with_footers(tmp_path):
    chain = [f"第{i}级主管单位意见" for i in range(1, 9)]
    path = tmp_path / "long.pdf"
    path.write_bytes(render_blank("generic", chain))
    text = pdftotext(path)
    assert "第 1 页 共 2 页" in text and "第 2 页 共 2 页" in text
    flat = squash(text)
    assert "《政务新媒体建设备案表》（续）" in flat
    for title in chain:
        assert title in flat
    lay = layout_form(templates.get("generic"), blank_context(chain))
    # rows joined by a row span (主办单位 / 分管领导及职务 / 联系电话) never split across pages
    first_rows = {c.row for c in lay.pages[0].cells}
    second_rows = {c.row for c in lay.pages[1].cells}
    assert not first_rows & second_rows
    assert all(c.y >= 0 for p in lay.pages for c in p.cells)
