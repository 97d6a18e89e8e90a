"""The printed forms held against the seeds: readable sizes, nothing cut without a 附页, room for the
seals, the profile's title and labels, no generated QR code passed off as the account's, and the
南通 form's details."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from forms_fixtures import make_account, make_filing, squash
from reportlab.lib.units import mm
from sqlalchemy import select

from gzdesk import profiles
from gzdesk.cli import main
from gzdesk.models import Filing
from gzdesk.printing import options, render_blank, render_filing, templates
from gzdesk.printing.context import blank_context, build_context, filing_context
from gzdesk.printing.fonts import fonts
from gzdesk.printing.layout import CLOSING, Token, fit_flow, fits, wrap
from gzdesk.printing.render import layout_form

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from form_samples import LONG_NAME, long_context  # noqa: E402

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


def _pdftext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _text(cell) -> str:
    return "".join(cell.texts())


# ------------------------------------------------------------------ fitting (printing/layout.py)


def test_punctuation_at_a_line_end_does_not_shrink_or_cut_the_text():
    """A 、 or ， kept at a line end stuck out past the cell edge, so every size was rejected: this
    text printed at 8 pt in a box where 10.5 pt fits. The character before it now moves down with it."""
    fs = fonts()
    text = "甲乙丙丁、戊己庚辛，壬癸子丑；寅卯辰巳。" * 3
    width = fs.width("甲乙丙丁", 10.5)
    flow = fit_flow([Token("text", text)], width, 1000, 10.5, 9, fs)
    assert flow.size == 10.5 and not flow.truncated
    assert flow.text() == text
    for line in flow.lines:
        printed = "".join(i.text for i in line.items)
        assert line.width <= width + 0.01 and printed[:1] not in CLOSING


@pytest.mark.parametrize("width", range(60, 420, 9))
def test_punctuation_heavy_text_never_sticks_out_and_never_starts_a_line(width):
    fs = fonts()
    text = "本账号发布“政务信息”、（政策解读）、《办事指南》，便民服务；回应关切：就业、教育……等。" * 5
    for size in (9, 10, 10.5):
        lines = wrap([Token("text", text)], width, size, fs)
        assert "".join(i.text for line in lines for i in line.items) == text
        for line in lines:
            printed = "".join(i.text for i in line.items)
            assert line.width <= width + 0.01
            assert printed[:1] not in CLOSING and printed[-1:] not in "（《“"


def test_the_largest_size_that_fits_is_chosen():
    """南通 简介 case: the old search printed 6.5 pt where 7 pt fits."""
    fs = fonts()
    intro = [Token("text", "本账号发布本局政务信息、政策解读、办事指南和便民服务，回应群众关切。" * 14)]
    for height in (60, 80, 100, 140):
        flow = fit_flow(intro, 380, height, 10.5, 5, fs)
        assert not flow.truncated and fits(flow.lines, 380, height, flow.size)
        bigger = wrap(intro, 380, flow.size + 0.5, fs)
        assert not fits(bigger, 380, height, flow.size + 0.5)


def test_a_word_kept_whole_moves_to_the_next_line():
    fs = fonts()
    toks = [Token("text", "甲" * 8), Token("box"), Token("text", "移动客户端 APP", nobreak=True)]
    narrowest = int(fs.width("移动客户端 APP", 10.5) + 10.5 * 1.04) + 1  # the word and its box
    for width in range(narrowest, 200, 3):
        lines = wrap(toks, width, 10.5, fs)
        assert any("移动客户端 APP" in "".join(i.text for i in line.items) for line in lines), width


# ------------------------------------------------------------------ the 山西 form with long names


@pytest.mark.parametrize("name, size", [("盐湖区" + "政务公开官方账号测试名称" * 1 + "盐湖发布", 10.5),
                                        (LONG_NAME[:54], 9.0)])
def test_long_account_names_wrap_at_a_readable_size_and_are_never_cut(name, size):
    """山西 账号ID及名称: a 20-character name printed at 6 pt and a 54-character one at 5 pt, cut."""
    ctx = build_context({"name": name, "handle": "yanhu_fabu_2024", "platform": "douyin", "status": "normal"},
                        {"number": "2026-00001", "kind": "open"})
    lay = layout_form(templates.get("shanxi_county"), ctx)
    assert len(lay.pages) == 1 and not lay.overflow
    cell = next(c for c in lay.cells if name[:6] in _text(c))
    assert squash(_text(cell)) == squash(f"yanhu_fabu_2024{name}")
    assert min(cell.sizes()) >= size
    assert all(s >= 9 for c in lay.cells for s in c.sizes())


@pytest.mark.parametrize("profile_id", ["yanhu", "taibai", "yunnan", "nantong", "linyi"])
def test_long_punctuation_heavy_values_stay_readable_and_continue_on_the_attached_sheet(profile_id, tmp_path):
    profile = profiles.by_id(profile_id)
    t = templates.get(profile.template_id)
    ctx = long_context(profile)
    lay = layout_form(t, ctx)
    assert len(lay.form_pages) == 1
    assert all(s >= 9 for c in lay.cells for s in c.sizes())
    for c in lay.cells:
        for flow in ([c.body] if c.body else []) + c.footer:
            assert all(line.width <= c.w - 2 * 1.6 * mm + 0.01 for line in flow.lines)
    cut = [c for c in lay.cells if c.truncated]
    assert all("见附页" in _text(c) for c in cut)
    assert len(lay.overflow) >= len(cut)
    if lay.overflow and shutil.which("pdftotext"):
        from gzdesk.printing.render import render_context

        text = squash(_pdftext(render_context(t, ctx), tmp_path))
        assert "附页" in text
        for item in lay.overflow:  # every value that did not fit is printed whole
            assert squash(item.text) in text


# ------------------------------------------------------------------ seals


def _seal_rows(lay) -> list[float]:
    titles = ("意见",)
    heights = []
    for c in lay.form_pages[0].cells:
        if c.col == 0 and any(t in squash(_text(c)) for t in titles):
            heights.append(c.h / mm)
    return heights


@pytest.mark.parametrize("template_id, chain, least", [
    ("nantong", None, 38), ("generic", ["主办单位意见", "主管单位意见"], 34),
    ("shanxi_county", None, 24)])
def test_each_opinion_block_has_room_for_a_seal_and_the_form_is_one_page(template_id, chain, least):
    """The 意见 rows were about 18 mm high; a county office seal is 42 mm across. Two blocks get about
    40 mm; the 山西 form's four blocks share what the page allows."""
    lay = layout_form(templates.get(template_id), blank_context(chain))
    heights = _seal_rows(lay)
    assert len(heights) == (4 if template_id == "shanxi_county" else 2)
    assert min(heights) >= least
    assert len(lay.pages) == 1


def test_a_filled_form_keeps_room_for_the_seals(db):
    with db.transaction() as s:
        aid = make_account(s, platform="wechat_service")
        fid = make_filing(s, aid, ["主办单位意见", "主管单位意见"], template_id="nantong")
    with db.reader() as s:
        tid, ctx = filing_context(s, fid)
    heights = _seal_rows(layout_form(templates.get(tid), ctx))
    assert min(heights) >= 30


# ------------------------------------------------------------------ titles and labels from the profile


def test_yunnan_prints_the_title_its_document_names(make_db, tmp_path):
    """云南 第十七条 names 《云南省政务新媒体备案登记表》; the program printed 《政务新媒体建设备案表》."""
    db = make_db("yunnan")
    with db.transaction() as s:
        aid = make_account(s)
        fid = make_filing(s, aid, ["主办单位意见", "主管单位意见"], template_id="generic")
    with db.reader() as s:
        tid, ctx = filing_context(s, fid)
        data = render_filing(s, fid)
    lay = layout_form(templates.get(tid), ctx)
    assert lay.pages[0].title == "云南省政务新媒体备案登记表"
    if shutil.which("pdftotext"):
        text = squash(_pdftext(data, tmp_path))
        assert "云南省政务新媒体备案登记表" in text and "政务新媒体建设备案表" not in text


def test_blank_forms_take_the_profiles_labels(tmp_path, capsys):
    """太白 第六条: 主要负责人签字 and 县政务公开办公室意见 — the blank printed 负责人签字 / 主管单位意见."""
    db = tmp_path / "taibai.db"
    assert main(["init", "--unit", "太白县人民政府办公室", "--profile", "taibai", "--db", str(db)]) == 0
    out = tmp_path / "blank.pdf"
    assert main(["form", "--blank", "--db", str(db), "--out", str(out)]) == 0
    lay = layout_form(templates.get("generic"), blank_context(profiles.by_id("taibai").chain))
    texts = [squash(_text(c)) for c in lay.cells]
    assert any("县政务公开办公室意见" == t for t in texts)
    assert any(t.startswith("主要负责人签字") for t in texts)
    assert not any(t == "主管单位意见" for t in texts)
    if shutil.which("pdftotext"):
        text = squash(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout)
        assert "县政务公开办公室意见" in text and "主要负责人签字" in text
    # without a database: --profile names one
    out2 = tmp_path / "yunnan-blank.pdf"
    assert main(["form", "--blank", "--profile", "yunnan", "--out", str(out2), "--db", str(tmp_path / "no.db")]) == 0
    assert "空白《云南省政务新媒体备案登记表》" in capsys.readouterr().out


# ------------------------------------------------------------------ 南通 details


def test_nantong_attachment_label_is_printed_and_can_be_turned_off(db, db_path, capsys):
    ctx = blank_context(None, options.PrintOptions().as_context())
    assert layout_form(templates.get("nantong"), ctx).pages[0].attachment_label == "附件1"
    off = blank_context(None, options.PrintOptions(attachment_label=False).as_context())
    assert layout_form(templates.get("nantong"), off).pages[0].attachment_label is None
    assert main(["form", "settings", "--attachment-label", "off", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"attachment_label": False, "qr_from_url": False}
    with db.reader() as s:
        assert options.office_options(s, "nantong").attachment_label is False
    assert main(["form", "settings", "--qr-from-url", "maybe", "--db", str(db_path)]) == 1


def test_nantong_details_as_in_the_seed():
    t = templates.get("nantong")
    blank = layout_form(t, blank_context())
    cells = [(squash(_text(c)), c) for c in blank.cells]
    # the seed's check box before 是否通过认证
    verified = next(c for k, c in cells if k == "是否通过认证")
    assert verified.boxes() == [False]
    # 开设时间 as in the seed: an empty cell, no added 年 月 日
    row = next(c.row for k, c in cells if k == "开设时间")
    assert [k for k, c in cells if c.row == row and c.col == 2] == [""]
    filled = layout_form(t, build_context({"name": "甲", "platform": "app", "verified": True,
                                            "registered_on": "2019-03-12"}, {"kind": "open"}))
    kinds = next(c for c in filled.cells if "微信公众号" in _text(c))
    assert any("移动客户端 APP" in line for line in kinds.texts())
    assert next(c for c in filled.cells if squash(_text(c)) == "是否通过认证").boxes() == [True]
    assert any(squash(_text(c)) == "2019年3月12日" for c in filled.cells)


def test_nantong_number_and_page_line_stay_small_outside_the_table(tmp_path):
    lay = layout_form(templates.get("nantong"), build_context({"name": "甲"}, {"number": "2026-00005", "kind": "open"}))
    page = lay.pages[0]
    assert page.number == "2026-00005"
    top_of_table = page.frame[1] + page.frame[3]
    assert page.title_y < top_of_table + 60  # the title right above the table; 备案编号 above the title


# ------------------------------------------------------------------ demo data


def test_demo_opening_filings_hold_the_account_as_it_was_then(tmp_path):
    """Demo 2026-00005 printed ☑注销 on a 开设 form: the frozen data was the account of today."""
    from gzdesk import demo, office
    from gzdesk.db import Database

    db = Database(tmp_path / "demo.db", actor="测试员")
    with db.transaction() as s:
        office.init_office(s, "运城市盐湖区人民政府办公室", "yanhu")
    demo.generate(db, accounts=300, seed=1, today=date(2026, 11, 20))
    with db.reader() as s:
        rows = s.execute(select(Filing.id, Filing.kind, Filing.frozen)).all()
        first = [(fid, json.loads(frozen)) for fid, kind, frozen in rows if kind in ("open", "backfill")]
        assert first and all(f["status"] == "normal" for _, f in first)
        fid = first[0][0]
        tid, ctx = filing_context(s, fid)
    status = next(c for c in layout_form(templates.get(tid), ctx).cells if squash(_text(c)).startswith("正常暂停"))
    assert status.boxes() == [True, False, False, False]
    db.close()


def test_blank_render_passes_options_through():
    assert render_blank("nantong", None, options.PrintOptions(attachment_label=False)).startswith(b"%PDF")


@pytest.mark.parametrize("steps", range(1, 9))
def test_a_blank_form_never_cuts_anything_and_continues_on_a_second_page(steps):
    """A blank generic form with five 意见 blocks was squeezed onto one page: a label was cut and sent
    to a 附页. A form continues on the next page instead (《表名》（续）)."""
    lay = layout_form(templates.get("generic"), blank_context([f"第{i}级主管单位意见" for i in range(1, steps + 1)]))
    assert not lay.overflow and not any(c.truncated for c in lay.cells)
    assert len(lay.pages) == (1 if steps <= 3 else 2)
    assert all(h >= 22 for h in [c.h / mm for c in lay.cells if c.col == 0 and squash(_text(c)).endswith("意见")])
