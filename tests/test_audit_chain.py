"""The tamper-evident audit log: edits made with sqlite3 are found by ``gzdesk verify``, which names the row.

Each case changes a fresh copy of one office database behind gzdesk's back, the way someone with
the file and an sqlite3 shell would, and ``gzdesk verify`` must exit 1 naming the first broken
event or record; untouched, it exits 0. The last cases show the limit: a history rewritten with a
recomputed chain passes locally and is caught only against a chain head kept elsewhere.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from gzdesk import audit, demo, filings, holidays, registry
from gzdesk.backup import verify_database
from gzdesk.cli import main


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """Accounts, a person on a team, a filing with an approval step, a holiday, demo rows."""
    from gzdesk import office
    from gzdesk.db import Database

    path = tmp_path_factory.mktemp("chain") / "office.db"
    db = Database(path, actor="测试员")
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    demo.generate(db, 12, seed=3, today=date(2026, 11, 20))
    with db.transaction() as s:
        pid = registry.save_person(s, registry.PersonData(name="张三", mobile="13800001111"))
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        registry.set_team(s, aid, [(pid, "admin")])
        f = filings.new_filing(s, aid, "开设", "新开设账号", filled_on=date(2025, 10, 9))
        filings.record_step(s, f.id, "同意", "王主任", date(2025, 10, 10))
        holidays.set_holiday(s, date(2027, 2, 6), False, "春节")
    with db.transaction() as s:
        data = registry.get_account(s, aid)
        data.name = "通州发布号"
        registry.save_account(s, data)
    db.close()
    assert verify_database(path).ok, verify_database(path).problems
    return path


@pytest.fixture
def office_db(original, tmp_path) -> Path:
    copy = tmp_path / "office.db"
    shutil.copyfile(original, copy)
    return copy


def sql(path: Path, *statements: str, params=()) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for st in statements:
        conn.execute(st, params)
    conn.commit()
    conn.close()


def one(path: Path, query: str, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchone()
    finally:
        conn.close()


def verify(capsys, path: Path, *extra: str) -> tuple[int, list[str]]:
    code = main(["verify", "--db", str(path), *extra])
    out = capsys.readouterr().out
    problems = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    return code, problems


def event_of(path: Path, entity: str, action: str, where: str = "1=1") -> int:
    return one(path, f"SELECT max(id) FROM audit_event WHERE entity = ? AND action = ? AND {where}",
               (entity, action))[0]


def test_untouched_it_passes(capsys, office_db):
    code, problems = verify(capsys, office_db)
    assert code == 0 and problems == []


def test_an_edited_before_after_value_names_its_event(capsys, office_db):
    eid = event_of(office_db, "account", "update")
    changes = json.loads(one(office_db, "SELECT changes FROM audit_event WHERE id = ?", (eid,))[0])
    changes["name"][0] = "别的名字"
    sql(office_db, "UPDATE audit_event SET changes = ? WHERE id = ?", params=(json.dumps(changes, ensure_ascii=False), eid))
    code, problems = verify(capsys, office_db)
    assert code == 1
    assert problems[0].startswith(f"1. 审计日志第 {eid} 条") and "内容与其校验值不符" in problems[0]


def test_an_edited_actor_names_its_event(capsys, office_db):
    eid = event_of(office_db, "approval_step", "create")
    sql(office_db, "UPDATE audit_event SET actor = '局长' WHERE id = ?", params=(eid,))
    code, problems = verify(capsys, office_db)
    assert code == 1 and f"审计日志第 {eid} 条" in problems[0] and "局长" in problems[0]


def test_a_deleted_event_names_the_event_after_the_gap(capsys, office_db):
    eid = event_of(office_db, "office_holiday", "create")
    sql(office_db, "DELETE FROM audit_event WHERE id = ?", params=(eid,))
    code, problems = verify(capsys, office_db)
    assert code == 1
    assert f"审计日志第 {eid + 1} 条" in problems[0] and f"与前一条（第 {eid - 1} 条）链接不符" in problems[0]
    assert any("本单位节假日“2027-02-06（春节）”没有创建" in p for p in problems)  # and the record it created


def test_deleting_the_first_events_is_found(capsys, office_db):
    sql(office_db, "DELETE FROM audit_event WHERE id <= 2")
    code, problems = verify(capsys, office_db)
    assert code == 1 and "第 3 条" in problems[0] and "之前的记录被删除" in problems[0]


def test_reordered_events_are_found(capsys, office_db):
    a = event_of(office_db, "account", "create")
    b = a + 1
    conn = sqlite3.connect(office_db)
    conn.execute("UPDATE audit_event SET id = -1 WHERE id = ?", (a,))
    conn.execute("UPDATE audit_event SET id = ? WHERE id = ?", (a, b))
    conn.execute("UPDATE audit_event SET id = ? WHERE id = -1", (b,))
    conn.commit()
    conn.close()
    code, problems = verify(capsys, office_db)
    assert code == 1 and f"审计日志第 {a} 条" in problems[0]


def test_an_inserted_event_is_found(capsys, office_db):
    last, head = one(office_db, "SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
    sql(office_db, "INSERT INTO audit_event (id, at, actor, action, entity, entity_uuid, summary, changes, prev_hash, "
                   "hash) VALUES (?, '2026-12-01 09:00:00', '局长', 'update', 'account', 'x', '伪造', '{}', ?, ?)",
        params=(last + 1, head, "0" * 64))
    code, problems = verify(capsys, office_db)
    assert code == 1 and f"审计日志第 {last + 1} 条" in problems[0]


def test_an_account_edited_directly_is_named(capsys, office_db):
    sql(office_db, "UPDATE account SET name = '被改的名称' WHERE name = '通州发布号'")
    code, problems = verify(capsys, office_db)
    assert code == 1
    assert problems[0].startswith("1. 账号“被改的名称（编号") and "“名称”现为“被改的名称”" in problems[0]
    assert "“通州发布号”" in problems[0]


def test_an_approval_step_edited_directly_is_named(capsys, office_db):
    sql(office_db, "UPDATE approval_step SET signer = '冒名' WHERE signer = '王主任'")
    code, problems = verify(capsys, office_db)
    assert code == 1 and problems[0].startswith("1. 审批步骤“主办单位意见（编号") and "“负责人”现为“冒名”" in problems[0]


def test_a_demo_account_edited_directly_is_named(capsys, office_db):
    """Bulk-written records are checked through their row digests."""
    name = one(office_db, "SELECT name FROM account WHERE origin IS NULL AND name != '通州发布号' ORDER BY id LIMIT 1")[0]
    sql(office_db, "UPDATE account SET followers = 1 WHERE name = ?", params=(name,))
    code, problems = verify(capsys, office_db)
    assert code == 1 and problems[0].startswith(f"1. 账号“{name}（编号") and "（生成演示数据）所记的内容不符" in problems[0]


def test_an_edited_bulk_digest_names_its_event(capsys, office_db):
    eid = event_of(office_db, "account", "demo")
    sql(office_db, "UPDATE audit_row SET digest = ? WHERE id = (SELECT min(id) FROM audit_row WHERE event_id = ?)",
        params=("f" * 64, eid))
    code, problems = verify(capsys, office_db)
    assert code == 1 and f"审计日志第 {eid} 条" in problems[0] and "摘要被改动" in problems[0]


def test_deleted_and_inserted_records_are_named(capsys, office_db):
    sql(office_db, "DELETE FROM person WHERE name = '张三'")
    code, problems = verify(capsys, office_db)
    assert code == 1 and any("人员“张三”按审计日志" in p and "已不在数据库中" in p for p in problems)
    sql(office_db, "INSERT INTO unit (name, kind, classified, uuid, created_at, updated_at, version) "
                   "VALUES ('凭空单位', 'other', 0, 'u-forged', '2026-01-01', '2026-01-01', 1)")
    code, problems = verify(capsys, office_db)
    assert any("单位“凭空单位（编号" in p and "没有创建" in p for p in problems)


def test_settings_are_audited_and_checked(capsys, office_db):
    sql(office_db, "UPDATE setting SET value = replace(value, '\"nantong\"', '\"yunnan\"') WHERE key = 'profile'")
    code, problems = verify(capsys, office_db)
    assert code == 1 and problems[0].startswith("1. 本单位设置“profile”") and "“值”现为" in problems[0]


def test_a_wiped_log_is_found(capsys, office_db):
    sql(office_db, "DELETE FROM audit_event", "DELETE FROM audit_row")
    code, problems = verify(capsys, office_db)
    assert code == 1 and "没有创建、导入或合并的审计记录" in problems[0]


def test_a_rewritten_chain_passes_locally_but_not_against_a_head_kept_elsewhere(capsys, office_db):
    """Someone with the file can recompute the chain: only a head noted outside the file catches that."""
    kept = one(office_db, "SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
    eid = event_of(office_db, "approval_step", "create")
    conn = sqlite3.connect(office_db)
    conn.execute("UPDATE approval_step SET signer = '冒名' WHERE signer = '王主任'")
    changes = json.loads(conn.execute("SELECT changes FROM audit_event WHERE id = ?", (eid,)).fetchone()[0])
    changes["signer"][1] = "冒名"
    conn.execute("UPDATE audit_event SET changes = ? WHERE id = ?", (json.dumps(changes, ensure_ascii=False), eid))
    prev = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (eid - 1,)).fetchone()[0]
    for row in conn.execute("SELECT id, at, actor, action, entity, entity_uuid, summary, changes FROM audit_event "
                            "WHERE id >= ? ORDER BY id", (eid,)).fetchall():
        digest = audit.event_hash(prev, *row)
        conn.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
        prev = digest
    conn.commit()
    conn.close()
    code, _ = verify(capsys, office_db)
    assert code == 0  # what the file alone can show
    code, problems = verify(capsys, office_db, "--head", f"{kept[0]}:{kept[1][:16]}")
    assert code == 1 and f"审计日志第 {kept[0]} 条的校验值" in problems[0] and "此前的历史被改写" in problems[0]


def test_verify_json_shows_the_head_and_a_bad_head_is_one_line(capsys, office_db):
    code = main(["verify", "--db", str(office_db), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] and data["head"]["id"] == one(office_db, "SELECT max(id) FROM audit_event")[0]
    assert main(["verify", "--db", str(office_db), "--head", "12:xyz"]) == 1
    assert "--head 应为“编号:校验值”" in capsys.readouterr().err


def test_a_database_from_before_the_chain_is_upgraded_with_a_baseline(tmp_path, capsys):
    """Its old events are chained as they are, and every record's state is recorded once."""
    from gzdesk.db import Database
    from gzdesk.models import migrations

    path = tmp_path / "old.db"
    chain = next(n for n, text in migrations.MIGRATIONS.items() if "adopt_legacy_log" in text)
    migrations.migrate(path, upto=chain - 1)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO unit (name, kind, classified, uuid, created_at, updated_at) "
                 "VALUES ('旧单位', 'department', 0, '00000000-0000-4000-8000-000000000001', '2024-01-01 00:00:00', '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO audit_event (at, actor, action, entity, entity_uuid, summary, changes) "
                 "VALUES ('2024-01-01 00:00:00', '经办人', 'create', 'unit', '00000000-0000-4000-8000-000000000001', '旧单位', "
                 "'{\"name\": [null, \"旧单位\"]}')")
    conn.execute("INSERT INTO setting (key, value) VALUES ('office_unit_id', '1')")
    conn.commit()
    conn.close()
    Database(path).close()  # the upgrade
    assert one(path, "SELECT count(*) FROM audit_event WHERE hash IS NULL")[0] == 0
    assert one(path, "SELECT action, actor FROM audit_event ORDER BY id DESC LIMIT 1") == ("baseline", "系统")
    assert one(path, "SELECT count(*) FROM audit_row")[0] == 2  # the unit and the setting
    code, problems = verify(capsys, path)
    assert code == 0, problems
    sql(path, "UPDATE unit SET name = '改名' WHERE uuid = '00000000-0000-4000-8000-000000000001'")
    code, problems = verify(capsys, path)
    assert code == 1 and problems[0].startswith("1. 单位“改名（编号 1）”") and "（建立基线）所记的内容不符" in problems[0]
