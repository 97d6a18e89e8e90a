"""Official form templates as data (``gzdesk/forms/*.json``): loading and validation.

A template is a grid. ``columns`` gives relative column widths; each row lists its cells left to
right, skipping grid positions still covered by a ``rowspan`` from a row above (as in an HTML
table, and as the seeds' flattened tables read: "a row with fewer cells continues a row-spanning
cell"). Adding another province's form is adding a JSON file; nothing here names a province.

Cell (a JSON string is a centred label; ``{}`` an empty cell)::

    {"colspan": 1, "rowspan": 1,            # grid spans
     "align": "left|center|right", "valign": "top|middle|bottom",
     "parts": [PART, ...],                  # inline flow: text, fields, check boxes, blanks
     "footer": [[PART, ...], ...],          # lines pinned to the bottom of the cell (signatures)
     "image": {"field": "account.qr_image", "qr_from": "account.url", "size_mm": 28},
     "label": "简介"}                        # its heading on the 附页 (default: the label cell to its left)

PART is one of::

    "文字"                                   literal text printed verbatim ("\\n" breaks the line)
    {"text": "…", "if": COND, "unless": COND, "nobreak": true}   nobreak: never broken inside
    {"field": "account.name", "placeholder": "-----", "underline": true, "min_width_mm": 20}
    {"date": "account.registered_on"}       2026年11月22日 (预估 marked), blank: "年 月 日"
    {"date": "…", "blank": ""}              what an empty date prints (here nothing, as 南通's 开设时间)
    {"box": COND}                           a check box, ticked when COND holds
    {"hfill": true}                         pushes the rest of the line to the right edge
    {"br": true}                            line break

COND is ``path`` (truthy), ``!path`` (falsy), or ``path=v1|v2`` (value among; ``true``/``false``
compare booleans). Several conditions joined with ``,`` must all hold.

Rows grow with what they hold: ``height_mm`` is a row's least height (room to write by hand on a
blank form); a value is printed at the body size (10.5 pt) where the page allows and never below
``fonts.min_pt`` (at least 9 pt) — what still does not fit continues on an attached sheet (附页)
with "见附页" in its cell. The page's free space goes first to the rows with ``seal_mm`` (an 意见
block with room for a seal over the date, up to that height), then to rows with ``"grow": true``.
``attachment_label`` ("附件1") prints above the title, as in the seed, unless the office turns it
off; ``form.title`` (the profile's title for its form) replaces the template's title.

A row may carry ``"repeat": "chain"``: it is printed once per approval step of the filing's chain
(the "approval_blocks" region), with ``step.*`` bound to that step. Field paths are checked on
load against ``CONTEXT_PATHS`` so a typo fails with a clear Chinese message, not a blank cell.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from gzdesk import fields
from gzdesk.errors import UserError
from gzdesk.paths import forms_dir

PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}

# every field of the catalogue by its form name (a unit by its name), and what the context adds
ACCOUNT_PATHS = set(fields.FORM_NAMES) | {"platform_label", "status_label", "other_platform_name", "handle_and_name",
                                          "qr_printed"}
FILING_PATHS = {"number", "kind", "kind_label", "form_kind", "reason", "filled_on", "event_on", "unit_name"}
TEAM_ROLES = {"leader", "dept_head", "admin", "informant", "operator"}
MEMBER_PATHS = {"name", "unit", "title", "unit_title", "office_phone", "mobile"}
STEP_PATHS = {"title", "signer_label", "opinion", "signer", "signed_on"}
FORM_PATHS = {"title", "qr_from_url", "attachment_label"}  # print settings and the profile's form title
MIN_PT = 9  # no printed value smaller than this

CELL_KEYS = {"colspan", "rowspan", "align", "valign", "parts", "footer", "image", "shrink", "size_pt", "bold",
             "label"}
PART_KEYS = {"text", "if", "unless", "field", "placeholder", "underline", "min_width_mm", "date", "box",
             "hfill", "br", "bold", "nobreak", "blank"}
ROW_KEYS = {"height_mm", "cells", "repeat", "keep_with_next", "seal_mm", "grow"}
TEMPLATE_KEYS = {"id", "name", "title", "source", "page", "fonts", "header", "columns", "rows",
                 "blank_chain", "notes", "subtitle", "attachment_label"}


def path_known(path: str) -> bool:
    """Whether a dotted field path names something the renderer provides (see ``CONTEXT_PATHS``)."""
    head, _, rest = path.partition(".")
    if head == "account":
        return rest in ACCOUNT_PATHS
    if head == "filing":
        return rest in FILING_PATHS
    if head == "team":
        role, _, key = rest.partition(".")
        return role in TEAM_ROLES and key in MEMBER_PATHS
    if head == "step":
        return rest in STEP_PATHS
    if head == "form":
        return rest in FORM_PATHS
    if head == "steps":  # steps.<title>.<key>: a fixed approval row bound by its title
        title, _, key = rest.rpartition(".")
        return bool(title) and key in STEP_PATHS
    return False


CONTEXT_PATHS = (
    [f"account.{k}" for k in sorted(ACCOUNT_PATHS)] + [f"filing.{k}" for k in sorted(FILING_PATHS)]
    + [f"team.<{'/'.join(sorted(TEAM_ROLES))}>.{k}" for k in sorted(MEMBER_PATHS)]
    + [f"step.{k}" for k in sorted(STEP_PATHS)] + [f"steps.<意见标题>.{k}" for k in sorted(STEP_PATHS)]
    + [f"form.{k}" for k in sorted(FORM_PATHS)]
)

_COND_RE = re.compile(r"^(!?)([^=!,]+?)(?:=(.+))?$")


@dataclass(frozen=True)
class Cond:
    """A parsed condition: all clauses must hold."""

    clauses: tuple[tuple[bool, str, tuple[str, ...] | None], ...]  # (negate, path, values)

    @property
    def paths(self) -> list[str]:
        return [c[1] for c in self.clauses]


def parse_cond(text: str) -> Cond:
    clauses = []
    for piece in str(text).split(","):
        m = _COND_RE.match(piece.strip())
        if not m:
            raise ValueError(f"条件“{text}”格式不正确")
        neg, path, values = m.groups()
        if values is not None and any(not v.strip() or "=" in v for v in values.split("|")):
            raise ValueError(f"条件“{text}”格式不正确")
        clauses.append((bool(neg), path.strip(), tuple(v.strip() for v in values.split("|")) if values else None))
    return Cond(tuple(clauses))


@dataclass
class Template:
    """A validated form template; ``data`` is the JSON document, normalised."""

    id: str
    name: str
    title: str
    data: dict[str, Any]
    source_path: Path | None = None
    labels: list[str] = field(default_factory=list)  # every literal text, for checking a printout

    @property
    def has_chain_region(self) -> bool:
        return any(r.get("repeat") == "chain" for r in self.data["rows"])

    @property
    def step_titles(self) -> set[str]:
        """The 意见 titles the template's fixed rows print (``steps.<title>.…`` fields)."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key in ("field", "date"):
                    path = node.get(key)
                    if isinstance(path, str) and path.startswith("steps."):
                        found.add(path[len("steps."):].rpartition(".")[0])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.data["rows"])
        return found


def _err(source: str, where: str, msg: str) -> UserError:
    return UserError(f"表单模板{source}{where}：{msg}")


def _check_part(part: Any, source: str, where: str, labels: list[str]) -> dict[str, Any]:
    if isinstance(part, str):
        labels.append(part)
        return {"text": part}
    if not isinstance(part, dict):
        raise _err(source, where, f"内容项应为文字或对象，收到 {part!r}")
    unknown = set(part) - PART_KEYS
    if unknown:
        raise _err(source, where, f"内容项有未知字段 {'、'.join(sorted(unknown))}")
    kinds = [k for k in ("text", "field", "date", "box", "hfill", "br") if k in part]
    if len(kinds) != 1:
        raise _err(source, where, f"内容项须且只能有 text/field/date/box/hfill/br 之一：{part!r}")
    out = dict(part)
    for key in ("field", "date"):
        if key in part and not path_known(str(part[key])):
            raise _err(source, where, f"未知字段“{part[key]}”（可用：{'、'.join(CONTEXT_PATHS)}）")
    for key in ("box", "if", "unless"):
        if key in part:
            try:
                cond = parse_cond(part[key])
            except ValueError as exc:
                raise _err(source, where, str(exc)) from None
            for p in cond.paths:
                if not path_known(p):
                    raise _err(source, where, f"条件中的未知字段“{p}”")
            out[key] = cond
    if "text" in part and not isinstance(part["text"], str):
        raise _err(source, where, "text 须为文字")
    if "nobreak" in part and (not isinstance(part["nobreak"], bool) or "text" not in part):
        raise _err(source, where, "nobreak 应为 true/false，且只用于文字")
    if "blank" in part and (not isinstance(part["blank"], str) or "date" not in part):
        raise _err(source, where, "blank 应为文字，且只用于日期")
    if "text" in part and "if" not in part and "unless" not in part:
        labels.append(part["text"])
    if "placeholder" in part:
        labels.append(str(part["placeholder"]))
    return out


def _check_cell(cell: Any, source: str, where: str, labels: list[str]) -> dict[str, Any]:
    if isinstance(cell, str):
        cell = {"parts": [cell], "align": "center"} if cell else {}
    if not isinstance(cell, dict):
        raise _err(source, where, f"单元格应为文字或对象，收到 {cell!r}")
    unknown = set(cell) - CELL_KEYS
    if unknown:
        raise _err(source, where, f"单元格有未知字段 {'、'.join(sorted(unknown))}")
    out = dict(cell)
    if "size_pt" in out and (not isinstance(out["size_pt"], (int, float)) or isinstance(out["size_pt"], bool)
                             or not MIN_PT <= out["size_pt"] <= 48):
        raise _err(source, where, f"size_pt 应为 {MIN_PT}–48 之间的磅数，收到 {out['size_pt']!r}")
    if "label" in out and (not isinstance(out["label"], str) or not out["label"].strip()):
        raise _err(source, where, "label 应为文字（该格内容在附页上的标题）")
    for key in ("colspan", "rowspan"):
        v = out.setdefault(key, 1)
        if not isinstance(v, int) or v < 1:
            raise _err(source, where, f"{key} 应为正整数，收到 {v!r}")
    if out.get("align", "left") not in ("left", "center", "right"):
        raise _err(source, where, f"align 应为 left/center/right，收到 {out['align']!r}")
    if out.get("valign", "middle") not in ("top", "middle", "bottom"):
        raise _err(source, where, f"valign 应为 top/middle/bottom，收到 {out['valign']!r}")
    parts = out.get("parts", [])
    if not isinstance(parts, list):
        raise _err(source, where, "parts 应为列表")
    out["parts"] = [_check_part(p, source, where, labels) for p in parts]
    footer = out.get("footer", [])
    if not isinstance(footer, list) or not all(isinstance(line, list) for line in footer):
        raise _err(source, where, "footer 应为若干行，每行是内容项列表")
    out["footer"] = [[_check_part(p, source, where, labels) for p in line] for line in footer]
    image = out.get("image")
    if image is not None:
        if not isinstance(image, dict) or not path_known(str(image.get("field", ""))):
            raise _err(source, where, "image 须给出 field（如 account.qr_image）")
        if image.get("qr_from") and not path_known(str(image["qr_from"])):
            raise _err(source, where, f"image.qr_from 未知字段“{image['qr_from']}”")
    return out


def validate(data: Any, source: str = "") -> Template:
    """A Template from parsed JSON, or a UserError saying what is wrong and where."""
    if not isinstance(data, dict):
        raise _err(source, "", "应为 JSON 对象")
    missing = [k for k in ("id", "title", "columns", "rows") if k not in data]
    if missing:
        raise _err(source, "", f"缺少字段 {'、'.join(missing)}")
    unknown = set(data) - TEMPLATE_KEYS
    if unknown:
        raise _err(source, "", f"有未知字段 {'、'.join(sorted(unknown))}")
    cols = data["columns"]
    if not isinstance(cols, list) or not cols or not all(isinstance(c, (int, float)) and c > 0 for c in cols):
        raise _err(source, "", "columns 应为正数列表（各列相对宽度）")
    page = dict(data.get("page") or {})
    page.setdefault("size", "A4")
    page.setdefault("margins_mm", [18, 18, 15, 18])
    if page["size"] not in PAGE_SIZES_MM:
        raise _err(source, "page", f"纸张 {page['size']} 不支持，可选：{'、'.join(PAGE_SIZES_MM)}")
    if not (isinstance(page["margins_mm"], list) and len(page["margins_mm"]) == 4):
        raise _err(source, "page", "margins_mm 应为 [上, 右, 下, 左] 四个数")
    fonts = {"body_pt": 10.5, "title_pt": 18, "min_pt": MIN_PT, **(data.get("fonts") or {})}
    for key in ("body_pt", "title_pt", "min_pt"):
        if not isinstance(fonts[key], (int, float)) or isinstance(fonts[key], bool) or not 3 <= fonts[key] <= 48:
            raise _err(source, "fonts", f"{key} 应为 3–48 之间的磅数，收到 {fonts[key]!r}")
    if fonts["min_pt"] > fonts["body_pt"]:
        raise _err(source, "fonts", "min_pt 不能大于 body_pt")
    if fonts["min_pt"] < MIN_PT:
        raise _err(source, "fonts", f"min_pt 不能小于 {MIN_PT} 磅（放不下的内容转附页，不再缩小）")
    label = data.get("attachment_label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise _err(source, "attachment_label", "应为文字，如“附件1”")
    labels: list[str] = [data["title"]]
    header = data.get("header") or []
    if not isinstance(header, list) or not all(isinstance(line, list) for line in header):
        raise _err(source, "header", "header 应为若干行，每行是内容项列表")
    header = [[_check_part(p, source, "header", labels) for p in line] for line in header]
    rows_in = data["rows"]
    if not isinstance(rows_in, list) or not rows_in:
        raise _err(source, "", "rows 不能为空")
    ncols = len(cols)
    rows: list[dict[str, Any]] = []
    pending: list[int] = [0] * ncols  # rows still covered by a rowspan above, per column
    for i, row in enumerate(rows_in, start=1):
        where = f"第{i}行"
        if not isinstance(row, dict) or "cells" not in row:
            raise _err(source, where, "每行应为含 cells 的对象")
        unknown = set(row) - ROW_KEYS
        if unknown:
            raise _err(source, where, f"有未知字段 {'、'.join(sorted(unknown))}")
        if row.get("repeat") not in (None, "chain"):
            raise _err(source, where, f"repeat 只能是 chain，收到 {row['repeat']!r}")
        height = row.get("height_mm", 10)
        if not isinstance(height, (int, float)) or isinstance(height, bool) or height <= 0:
            raise _err(source, where, f"height_mm 应为正数，收到 {height!r}")
        seal = row.get("seal_mm")
        if seal is not None and (not isinstance(seal, (int, float)) or isinstance(seal, bool) or not 0 < seal <= 120):
            raise _err(source, where, f"seal_mm 应为 0–120 之间的毫米数，收到 {seal!r}")
        if not isinstance(row.get("grow", False), bool):
            raise _err(source, where, f"grow 应为 true 或 false，收到 {row['grow']!r}")
        cells = []
        col = 0
        for j, raw in enumerate(row["cells"], start=1):
            cell = _check_cell(raw, source, f"{where}第{j}格", labels)
            while col < ncols and pending[col] > 0:
                col += 1
            if col + cell["colspan"] > ncols or any(pending[c] > 0 for c in range(col, col + cell["colspan"])):
                raise _err(source, f"{where}第{j}格", f"超出表格的 {ncols} 列（或与上方跨行的格重叠）")
            if row.get("repeat") and cell["rowspan"] > 1:
                raise _err(source, f"{where}第{j}格", "重复行（repeat）中的格不能跨行")
            cell["col"] = col
            cells.append(cell)
            for c in range(col, col + cell["colspan"]):
                pending[c] = cell["rowspan"]
            col += cell["colspan"]
        while col < ncols and pending[col] > 0:
            col += 1
        if col != ncols or any(p == 0 for p in pending):
            raise _err(source, where, f"各格合计不足 {ncols} 列")
        pending = [p - 1 for p in pending]
        rows.append({"height_mm": float(height), "cells": cells, "repeat": row.get("repeat"),
                     "keep_with_next": bool(row.get("keep_with_next")), "seal_mm": seal,
                     "grow": bool(row.get("grow"))})
    if any(p > 0 for p in pending):
        raise _err(source, "", "最后一行之后仍有跨行的格（rowspan 太大）")
    chain = data.get("blank_chain") or []
    if not isinstance(chain, list) or not all(isinstance(t, str) for t in chain):
        raise _err(source, "blank_chain", "应为意见标题的列表")
    norm = dict(data, page=page, fonts=fonts, header=header, rows=rows, blank_chain=chain)
    return Template(id=str(data["id"]), name=str(data.get("name") or data["title"]), title=str(data["title"]),
                    data=norm, labels=[x for x in labels if x.strip()])


def load_file(path: Path) -> Template:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到表单模板文件“{path}”") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"表单模板文件“{path.name}”不是有效的 JSON：{exc}") from None
    t = validate(data, f"“{path.name}”")
    if t.id != path.stem:
        raise UserError(f"表单模板文件“{path.name}”的 id 应与文件名一致（{path.stem}），实为“{t.id}”")
    t.source_path = path
    return t


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> Template:
    return load_file(Path(path))


def list_templates(folder: Path | None = None) -> list[Template]:
    """Every template in ``forms/`` (sorted by id)."""
    folder = Path(folder or forms_dir())
    return [_load_cached(str(p), p.stat().st_mtime) for p in sorted(folder.glob("*.json"))]


def get(template_id: str, folder: Path | None = None) -> Template:
    """The template with this id, or a UserError listing the ones there are."""
    folder = Path(folder or forms_dir())
    path = folder / f"{template_id}.json"
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", template_id or "") or not path.exists():
        ids = "、".join(p.stem for p in sorted(folder.glob("*.json")))
        raise UserError(f"没有编号为“{template_id}”的表单模板，可选：{ids}")
    return _load_cached(str(path), path.stat().st_mtime)
