"""An import writes what it wrote before its writes were made faster: the plan checked once when it
was checked in the same transaction, new records inserted as they are made (a chunk at a time)
rather than all at the end, and each insert's values taken without a per-value Python step.

The earlier way is kept here (``_earlier``: the check made again in ``apply_plan``, the earlier bulk
insert, every new record inserted after all were made) and both are run on the same workbooks — new
accounts, updates, conflicts, refusals at the first and the last row, odd cells — each into a
database made the same way, with the clock and the uuids made deterministic. Every table must be
the same row for row (the audit log and its hash chain included), and so must the result or the
refusal's message; a refusal changes nothing.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gzdesk import audit, demo, office
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.exchange import import_write
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.excel_import import apply_plan, check_against, read_workbook
from gzdesk.models import base

TODAY = date(2026, 11, 20)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return datetime(2026, 11, 20, 9, 30, 0)


class _Uuids:
    def __init__(self) -> None:
        self.n = 0

    def uuid4(self) -> uuid.UUID:
        self.n += 1
        return uuid.UUID(int=self.n)


def _earlier_bulk_insert(session, model, rows: list[dict[str, Any]]) -> None:
    """``import_write._bulk_insert`` as it was: every value through its column's processor."""
    if not rows:
        return
    conn = session.connection()
    table = model.__table__
    keys = list(rows[0])
    given = set(keys)
    defaults = []
    for c in table.columns:
        if c.name in given or c.default is None:
            continue
        defaults.append((c.name, c.default.arg))
    names = keys + [n for n, _ in defaults]
    processors = [table.c[n].type.bind_processor(conn.dialect) for n in names]
    fixed = [v for _n, v in defaults]
    params = []
    for r in rows:
        values = [r[k] for k in keys] + fixed
        params.append(tuple(v if p is None or v is None else p(v) for p, v in zip(processors, values, strict=True)))
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', params)
    audit.note_rows(session, model.__tablename__, (r["uuid"] for r in rows))


def _earlier(m: pytest.MonkeyPatch) -> None:
    m.setattr(import_write, "checked_here", lambda session, plan: False)
    m.setattr(import_write, "_bulk_insert", _earlier_bulk_insert)
    m.setattr(import_write, "INSERT_CHUNK", 10**9)  # every new record inserted after all are made


def _now(m: pytest.MonkeyPatch) -> None:
    m.setattr(import_write, "INSERT_CHUNK", 3)  # many chunks, written between the rows planned


def _dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


def _source(folder: Path) -> tuple[Path, Path]:
    """A demo registry of 30 accounts and its own export (accounts, 管理队伍, 备案记录, 单位名录)."""
    db_path, xlsx = folder / "source.db", folder / "source.xlsx"
    if not xlsx.exists():
        with pytest.MonkeyPatch.context() as m:
            m.setattr(base, "datetime", _Frozen)
            m.setattr(base, "uuid_mod", _Uuids())
            db = Database(db_path, actor="测试员", backup=False)
            with db.transaction() as s:
                office.init_office(s, "测试县人民政府办公室", "nantong")
            demo.generate(db, 30, seed=3, today=TODAY)
            with db.reader() as s:
                export_workbook(s, xlsx)
            db.close()
    return db_path, xlsx


def _blank(folder: Path) -> Path:
    """An initialised office database with no accounts."""
    path = folder / "blank.db"
    if not path.exists():
        db = Database(path, actor="测试员", backup=False)
        with db.transaction() as s:
            office.init_office(s, "测试县人民政府办公室", "nantong")
        db.close()
    return path


def _edit(src: Path, out: Path, change: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(out)
    return out


def _column(ws, header: str) -> tuple[int, int]:
    """(the header's row, its column) in a sheet of our export (title rows above the header)."""
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if cell.value == header:
                return cell.row, cell.column
    raise AssertionError(header)


def _updates(wb) -> None:
    """Changed values, a blank (never erases), a masked phone, a row matched by its key without its
    uuid, a row whose uuid is unknown but whose key is an account's (a note), and a new account."""
    ws = wb["账号台账"]
    h, followers = _column(ws, "关注量")
    _h, intro = _column(ws, "简介")
    _h, uuid_col = _column(ws, "唯一标识")
    _h, phone = _column(ws, "主办单位联系电话")
    _h, name = _column(ws, "账号名称")
    ws.cell(h + 1, followers).value = 123456
    ws.cell(h + 2, intro).value = "  简介改过了　"
    ws.cell(h + 3, followers).value = None
    ws.cell(h + 4, phone).value = "138****1234"
    ws.cell(h + 5, uuid_col).value = None
    ws.cell(h + 6, uuid_col).value = "0b9f5a52-0000-4000-8000-000000000001"
    ws.append([None] * (name - 1) + ["新建的账号", "微信公众号"])
    team = wb["管理队伍"]
    th, left = _column(team, "离职日期")
    team.cell(th + 1, left).value = "2026年10月8日"


def _bad_first(wb) -> None:
    ws = wb["账号台账"]
    h, platform = _column(ws, "平台")
    ws.cell(h + 1, platform).value = "微信群"


def _bad_last(wb) -> None:
    ws = wb["账号台账"]
    _h, registered = _column(ws, "创建日期")
    ws.cell(ws.max_row, registered).value = "2019年13月40日"
    team = wb["管理队伍"]
    _h, mobile = _column(team, "手机号码")
    team.cell(team.max_row, mobile).value = "1380000"


def _duplicates(wb) -> None:
    """A row repeated without its uuid (the same account twice) and a uuid given twice."""
    ws = wb["账号台账"]
    h, uuid_col = _column(ws, "唯一标识")
    row = [c.value for c in ws[h + 2]]
    row[uuid_col - 1] = None
    ws.append(row)
    ws.cell(h + 7, uuid_col).value = ws.cell(h + 6, uuid_col).value


def _odd(folder: Path) -> Path:
    """Title rows over merged cells, synonyms, dates as people write them, padded text, numbers as
    decimals, 其他：…, a blank row, 序号-only rows."""
    path = folder / "统计表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["测试县政务新媒体账号统计表"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位（盖章）：测试县人民政府办公室", None, None, None, "填报日期：2024年5月6日"])
    ws.merge_cells("A2:D2")
    ws.append(["序号", "新媒体名称", "发布平台", "开设单位", "粉丝数", "开通时间", "运行状态", "微信号", "管理员"])
    ws.append([1, " 测试发布 ", "微信公众号", "测试县人民政府办公室", 12000.0, datetime(2016, 3, 12), "正常", "csfb", "张三"])
    ws.append([2, "测试教育", "抖音", "测试县教育局　", "3500", "2019年3月12日", "运行", None, None])
    ws.append([None, None, None, None, None, None, None, None, None])
    ws.append([3])
    ws.append([4, "三星镇发布", "头条号", "三星镇人民政府", 800, "2019.3.12", "停更", None, "李四"])
    ws.append([5, "测试哔哩", "其他：哔哩哔哩", "测试县文化馆", None, "2020/7/1", "已关停", None, "张三"])
    wb.save(path)
    return path


def _import(db: Database, path: Path, skip_bad: bool, checked_in_transaction: bool) -> Any:
    """The import as the bench and the wizard's tests run it (read and checked in the transaction
    that writes), or as the command line does (the file read first, checked in the transaction)."""
    try:
        if checked_in_transaction:
            with db.transaction() as s:
                plan = read_workbook(path, session=s)
                result = apply_plan(s, plan, skip_bad=skip_bad)
        else:
            plan = read_workbook(path, keep_rows=False)
            with db.transaction() as s:
                check_against(s, plan)
                result = apply_plan(s, plan, skip_bad=skip_bad)
    except UserError as exc:
        return ("refused", exc.message)
    return (result, plan.counts(), plan.problem_lines(),
            [(r.line, r.action, r.target_uuid, r.problems, r.notes, r.excluded) for _s, r in plan.all_rows()])


def _run(folder: Path, name: str, into_source: bool, path: Path, skip_bad: bool, checked: bool,
         way: Callable[[pytest.MonkeyPatch], None]) -> tuple[Any, dict, dict]:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(base, "datetime", _Frozen)
        m.setattr(base, "uuid_mod", _Uuids())
        target = folder / f"{name}.db"
        start = _source(folder)[0] if into_source else _blank(folder)
        with sqlite3.connect(start) as a, sqlite3.connect(target) as b:
            a.backup(b)  # the same file for both ways (the office's signing key is random)
        db = Database(target, actor="测试员", backup=False)
        before = _dump(target)
        way(m)
        try:
            outcome = _import(db, path, skip_bad, checked)
        finally:
            db.close()
        return outcome, before, _dump(target)


def _cases(folder: Path) -> Iterator[tuple[str, bool, Path]]:
    _db, xlsx = _source(folder)
    _blank(folder)  # both made before any run (each run counts its uuids from the same start)
    yield "new", False, xlsx
    yield "same", True, xlsx
    yield "updates", True, _edit(xlsx, folder / "updates.xlsx", _updates)
    yield "bad-first", False, _edit(xlsx, folder / "bad-first.xlsx", _bad_first)
    yield "bad-last", True, _edit(xlsx, folder / "bad-last.xlsx", _bad_last)
    yield "duplicates", False, _edit(xlsx, folder / "duplicates.xlsx", _duplicates)
    yield "odd", False, _odd(folder)


@pytest.mark.parametrize("checked", [True, False], ids=["checked-in-transaction", "file-read-first"])
def test_import_writes_what_it_wrote_before(tmp_path, checked):
    refused = 0
    for name, into_source, path in _cases(tmp_path):
        for skip_bad in (False, True):
            label = f"{name}-{'skip' if skip_bad else 'all'}"
            old, old_before, old_after = _run(tmp_path, f"{label}-old", into_source, path, skip_bad, checked, _earlier)
            new, new_before, new_after = _run(tmp_path, f"{label}-new", into_source, path, skip_bad, checked, _now)
            assert old_before == new_before, label
            assert new == old, label
            assert new_after == old_after, label
            if new[0] == "refused":
                refused += 1
                assert new_after == new_before, label  # all or nothing
                assert "未导入任何内容" in new[1] and "第 " in new[1], label
            else:
                assert new_after != new_before or name == "same", label
    assert refused == 3  # bad-first, bad-last, duplicates without --skip-bad


def test_checked_once_in_one_transaction(db, tmp_path, monkeypatch):
    """The check is made once when the plan was checked in the writing transaction; again when the
    plan came from another session, or something was written since."""
    _db, xlsx = _source(tmp_path)
    calls: list[int] = []
    real = import_write.check_against
    monkeypatch.setattr(import_write, "check_against", lambda s, plan: calls.append(1) or real(s, plan))
    with db.transaction() as s:
        plan = read_workbook(xlsx, session=s)
        apply_plan(s, plan)
    assert calls == []
    with db.reader() as s:
        plan = read_workbook(xlsx, session=s)
    with db.transaction() as s:
        apply_plan(s, plan)
    assert calls == [1]
    with db.transaction() as s:
        plan = read_workbook(xlsx, session=s)
        s.connection().exec_driver_sql("UPDATE account SET followers = 1 WHERE id = 1")
        apply_plan(s, plan)
    assert calls == [1, 1]

