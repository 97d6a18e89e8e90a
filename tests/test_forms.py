"""Form templates (forms/*.json), fonts and the cell layout — no external binaries needed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from forms_fixtures import SEED_LABELS, squash

from gzdesk.errors import UserError
from gzdesk.printing import templates
from gzdesk.printing.context import build_context
from gzdesk.printing.fonts import fonts, gb2312_chars
from gzdesk.printing.layout import LEADING, Token, fit_flow, wrap
from gzdesk.printing.render import layout_form, render_context


def test_bundled_templates_load_and_cover_the_seed_labels():
    ids = [t.id for t in templates.list_templates()]
    assert ids == ["generic", "nantong", "shanxi_county"]
    for tid, labels in SEED_LABELS.items():
        t = templates.get(tid)
        # every literal text of the template, whitespace-insensitive, glued together per cell
        texts = squash(t.source_path.read_text(encoding="utf-8").replace("\\n", ""))
        for label in labels:
            assert squash(label) in texts, f"{tid}: 缺少官方表格文字“{label}”"


def test_verbatim_sentences_are_exact_in_the_data():
    shanxi = json.loads(templates.get("shanxi_county").source_path.read_text(encoding="utf-8"))
    nantong = json.loads(templates.get("nantong").source_path.read_text(encoding="utf-8"))
    flat_s = json.dumps(shanxi, ensure_ascii=False)
    flat_n = json.dumps(nantong, ensure_ascii=False)
    assert "已知本单位在网络公共平台开办此政务新媒体账号，并建立有关管理制度，明确对此账号及发布内容负有管理责任。" in flat_s
    assert "本表一式三份。由政务新媒体主办单位填写，一份报送主管单位备案，一份抄报属地政府办公室，一份存所在主办单位。" in flat_n


def _minimal(**over):
    data = {"id": "x", "title": "测试表", "columns": [1, 2], "rows": [{"cells": ["名称", {"parts": [{"field": "account.name"}]}]}]}
    data.update(over)
    return data


@pytest.mark.parametrize("bad, words", [
    ({"columns": []}, "columns"),
    ({"rows": [{"cells": ["名称"]}]}, "不足 2 列"),
    ({"rows": [{"cells": ["名称", "甲", "乙"]}]}, "超出表格"),
    ({"rows": [{"cells": ["名称", {"parts": [{"field": "account.nmae"}]}]}]}, "未知字段“account.nmae”"),
    ({"rows": [{"cells": [{"parts": ["甲"], "rowspan": 3}, "乙"]}, {"cells": ["丙"]}]}, "rowspan"),
    ({"rows": [{"cells": ["名称", {"parts": [{"box": "account.status=="}]}]}]}, "条件"),
    ({"rows": [{"cells": ["名称", {"colour": "red"}]}]}, "未知字段 colour"),
    ({"page": {"size": "B5"}}, "B5"),
    ({"fonts": {"body_pt": "五号"}}, "body_pt"),
    ({"fonts": {"body_pt": 8, "min_pt": 9}}, "min_pt"),
    ({"title": "表", "rows": [{"cells": ["名称", {"size_pt": 100}]}]}, "size_pt"),
])
def test_validation_errors_are_clear(bad, words):
    with pytest.raises(UserError) as err:
        templates.validate(_minimal(**bad), "“x.json”")
    assert words in err.value.message
    assert "“x.json”" in err.value.message


def test_rowspans_are_placed_like_the_seed_reads(tmp_path):
    t = templates.validate({"id": "y", "title": "表", "columns": [1, 1, 1], "rows": [
        {"cells": [{"parts": ["主办单位"], "rowspan": 2}, "分管领导", "甲"]},
        {"cells": ["联系电话", "乙"]}]})
    second = t.data["rows"][1]["cells"]
    assert [c["col"] for c in second] == [1, 2]


def test_a_new_province_is_a_new_data_file(tmp_path):
    form = _minimal(id="hubei_demo", title="湖北省某县政务新媒体备案表",
                    rows=[{"cells": ["名称", {"parts": [{"field": "account.name"}]}]},
                          {"cells": ["状态", {"parts": [{"box": "account.status=normal"}, "正常"]}]}])
    (tmp_path / "hubei_demo.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    t = templates.get("hubei_demo", tmp_path)
    ctx = build_context({"name": "某县发布", "status": "normal"})
    pdf = render_context(t, ctx)
    assert pdf.startswith(b"%PDF")
    cells = layout_form(t, ctx).cells
    assert any("某县发布" in "".join(c.texts()) for c in cells)
    assert [c.boxes() for c in cells if c.boxes()] == [[True]]
    with pytest.raises(UserError, match="没有编号为“nope”的表单模板"):
        templates.get("nope", tmp_path)
    (tmp_path / "wrong.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(UserError, match="id 应与文件名一致"):
        templates.load_file(tmp_path / "wrong.json")


# ------------------------------------------------------------------ fonts


def test_fonts_cover_all_of_gb2312_and_ling():
    fs = fonts()
    chars = gb2312_chars()
    assert len(chars) > 7400  # 6763 汉字 + 682 symbols
    missing = [ch for ch in chars + ["〇"] if not fs.covers(ch)]
    assert missing == []
    body_missing = [ch for ch in chars if not fs.body.has(ch)]
    assert len(body_missing) <= 3, body_missing  # the rest is drawn with the fallback face
    assert fs.body.has("〇") and fs.title.has("〇")
    # no CJK font has ☐/☑ — check boxes are drawn as shapes
    assert not fs.body.has("☐")


def test_font_runs_fall_back_per_character():
    fs = fonts()
    runs = fs.runs("中文￣文字")
    assert "".join(t for _, t in runs) == "中文￣文字"
    for face, text in runs:
        assert all(face.has(ch) for ch in text)


def test_env_font_that_cannot_load_falls_back(monkeypatch, tmp_path):
    from gzdesk.printing import fonts as fonts_mod

    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    monkeypatch.setenv("GZDESK_FONT_BODY", str(bogus))
    fs = fonts_mod.fonts()
    assert fs.body.path.name == "uming.ttc"


def test_canvas_base_font_is_the_body_face():
    from reportlab import rl_config

    fs = fonts()
    assert rl_config.canvas_basefontname == fs.body.name


# ------------------------------------------------------------------ layout


def test_long_text_shrinks_within_its_box():
    fs = fonts()
    text = "为加强政务公开和政民互动，" * 30
    width, height = 300.0, 60.0
    flow = fit_flow([Token("text", text)], width, height, 10.5, 5, fs)
    assert flow.size < 10.5
    assert flow.height <= height + 0.01
    assert all(line.width <= width + 0.01 for line in flow.lines)
    assert "".join(i.text for line in flow.lines for i in line.items) == text
    assert not flow.truncated


def test_short_text_keeps_the_base_size():
    flow = fit_flow([Token("text", "清风镇发布")], 200.0, 20.0, 10.5, 5, fonts())
    assert flow.size == 10.5 and len(flow.lines) == 1


def test_text_too_long_even_at_minimum_is_cut_with_ellipsis_not_overflowing():
    fs = fonts()
    flow = fit_flow([Token("text", "字" * 2000)], 100.0, 30.0, 10.5, 5, fs)
    assert flow.truncated and flow.size == 5
    assert flow.height <= 30.01
    assert flow.lines[-1].items[-1].text.endswith("…")


def test_wrap_never_starts_a_line_with_closing_punctuation():
    fs = fonts()
    lines = wrap([Token("text", "甲乙丙丁，戊己庚辛。")], fs.width("甲乙丙丁", 10), 10, fs)
    starts = ["".join(i.text for i in line.items)[:1] for line in lines]
    assert "，" not in starts and "。" not in starts


def test_box_stays_with_its_label():
    fs = fonts()
    toks = [Token("text", "甲" * 9), Token("box", checked=True), Token("text", "正常")]
    lines = wrap(toks, fs.width("甲" * 10, 10), 10, fs)
    assert lines[-1].items[0].kind == "box"


def test_layout_of_filled_shanxi_form_ticks_the_right_boxes():
    t = templates.get("shanxi_county")
    ctx = build_context({"name": "清风镇发布", "handle": "qf", "platform": "douyin", "status": "normal",
                         "verified": True, "news_license": False, "registered_on": "2019-03-12",
                         "reason": None, "intro": "简介" * 400},
                        {"number": "N-1", "kind": "open", "reason": "理由" * 500, "filled_on": date(2026, 11, 20)})
    lay = layout_form(t, ctx)
    assert len(lay.form_pages) == 1
    by_text = [(squash("".join(c.texts())), c) for c in lay.cells]
    status = next(c for k, c in by_text if k.startswith("正常暂停注销关停"))
    assert status.boxes() == [True, False, False, False]
    verified = [c for k, c in by_text if k == "是否"]
    assert [c.boxes() for c in verified] == [[True, False], [False, True]]
    platform = next(c for k, c in by_text if k.startswith("微博"))
    assert platform.boxes() == [False, False, False, True]
    assert "抖音" in "".join(platform.texts())
    # long texts wrap inside their cells, never below 9 pt; what does not fit is on the 附页, whole
    for c in lay.cells:
        for flow in [c.body] if c.body else []:
            assert flow.height <= c.body_h + 0.01 or c.image is not None
            assert all(line.width <= c.w for line in flow.lines)
            assert flow.size >= 9
    reason = next(c for k, c in by_text if k.startswith("理由理由"))
    assert reason.body.size == 9 and reason.truncated and reason.texts()[-1].endswith("（见附页）")
    assert [o.text for o in lay.overflow if o.label == "开办（变更、关停、整合）理由"] == ["理由" * 500]
    assert len(lay.pages) == 2 and lay.pages[1].title == "《山西省政府系统政务新媒体备案登记表（县市区）》附页"


def test_nantong_kind_and_platform_mapping():
    t = templates.get("nantong")
    for kind, expected in (("open", [True, False, False, False]), ("backfill", [True, False, False, False]),
                           ("change", [False, True, False, False]), ("close", [False, False, True, False]),
                           ("cancel", [False, False, False, True])):
        ctx = build_context({"name": "甲", "platform": "wechat_service"}, {"kind": kind})
        cells = layout_form(t, ctx).cells
        reason = next(c for c in cells if squash("".join(c.texts())).startswith("开设变更关停注销"))
        assert reason.boxes() == expected, kind
        # no 补办 box on the 南通 form: 开设 is ticked and the cell says 补办备案
        assert ("补办备案" in "".join(reason.texts())) == (kind == "backfill")
    ctx = build_context({"name": "甲", "platform": "wechat_channels"}, {"kind": "open"})
    kinds = next(c for c in layout_form(t, ctx).cells if "微信公众号" in "".join(c.texts()))
    ticks = kinds.boxes()
    # 微信公众号 服务号 订阅号 小程序 新浪微博 APP 其他平台 今日头条 快手 抖音 (blank)
    assert ticks == [False, False, False, False, False, False, True, False, False, False, True]
    assert "视频号" in "".join(kinds.texts())


def test_generic_form_prints_one_approval_block_per_chain_step():
    t = templates.get("generic")
    chain = ["主办单位意见", "县政务公开办公室意见", "市政务公开办公室意见"]
    ctx = build_context({"name": "甲"}, {"kind": "open"}, [{"title": "县政务公开办公室意见", "signer": "钱主任",
                                                            "signed_on": "2027-01-06", "opinion": "同意"}], chain)
    texts = [squash("".join(c.texts())) for c in layout_form(t, ctx).cells]
    for title in chain:
        assert title in texts
    assert any("钱主任" in x and "2027年1月6日" in x for x in texts)


def test_entered_dates_are_never_marked_as_estimates():
    """A form prints dates that were entered (a signature's day): 2027 is not 预估 there."""
    from gzdesk.printing.render import show

    assert show(date(2025, 10, 8)) == "2025年10月8日"
    assert show(date(2027, 1, 6)) == "2027年1月6日"


def test_line_height_constant_is_sane():
    assert 1.1 < LEADING < 1.6


def test_windows_fonts_are_preferred_when_present(monkeypatch, tmp_path):
    from gzdesk.paths import resources_dir
    from gzdesk.printing import fonts as fonts_mod

    (tmp_path / "simfang.ttf").symlink_to(resources_dir() / "fonts" / "uming.ttc")
    (tmp_path / "simhei.ttf").symlink_to(resources_dir() / "fonts" / "wqy-microhei.ttc")
    monkeypatch.setenv("GZDESK_FONT_DIR", str(tmp_path))
    fs = fonts_mod.fonts()
    assert fs.body.path.name == "simfang.ttf" and fs.title.path.name == "simhei.ttf"
    monkeypatch.delenv("GZDESK_FONT_DIR")
    assert fonts_mod.fonts().body.path.name == "uming.ttc"


@pytest.mark.parametrize("template_id", ["shanxi_county", "nantong", "generic"])
def test_nothing_overflows_its_cell_even_with_extreme_data(template_id):
    huge = "很长的文字" * 120
    frozen = {k: huge for k in ("name", "handle", "supervisor_unit", "host_unit", "host_leader", "host_phone",
                                "operator_unit", "operator_leader", "operator_phone", "url", "intro")}
    frozen.update(platform="other", platform_other=huge, registered_on="2027-03-01", followers=10**12,
                  team=[{"role": r, "name": huge, "unit": huge, "title": huge, "office_phone": huge, "mobile": huge}
                        for r in ("leader", "dept_head", "admin", "informant")])
    steps = [{"title": t, "opinion": huge, "signer": huge, "signed_on": "2027-02-01"}
             for t in ("主办单位意见", "主管单位意见", "县（市、区）办公室意见")]
    ctx = build_context(frozen, {"number": "X" * 40, "kind": "merge", "reason": huge * 3, "unit_name": huge},
                        steps, ["主办单位意见", "主管单位意见"])
    lay = layout_form(templates.get(template_id), ctx)
    assert len(lay.form_pages) == 1
    for c in lay.cells:
        used = sum(f.height for f in c.footer) + (c.body.height if c.body else 0)
        assert used <= c.h + 0.01, (c.row, c.col, c.texts()[:1])
        for flow in ([c.body] if c.body else []) + c.footer:
            assert flow.size >= 9, (c.row, c.col)
            for line in flow.lines:
                assert line.width <= c.w, (c.row, c.col)
    # every value cut in its cell says 见附页 and is on the 附页 whole: no character lost
    cut = [c for c in lay.cells if c.truncated]
    assert cut and all("见附页" in "".join(c.texts()) for c in cut)
    assert len(lay.overflow) == len(cut) or len(lay.overflow) > len(cut)  # a cell's footer may be cut too
    assert all(huge in o.text for o in lay.overflow)
    assert lay.pages[-1].appendix
    assert render_context(templates.get(template_id), ctx).startswith(b"%PDF")


def test_a_returned_step_is_printed_as_returned():
    ctx = build_context({}, {}, [{"title": "主管单位意见", "opinion": "材料不全", "result": "returned"}],
                        ["主办单位意见", "主管单位意见"])
    assert ctx["steps"]["主管单位意见"]["opinion"] == "（退回）材料不全"
